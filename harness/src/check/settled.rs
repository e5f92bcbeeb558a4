//! Settled: once every fault has ended and the announced set has stopped changing, and a settle
//! time has passed, the balancer is back to normal. No call reaches a backend the client was
//! not told of, and each announced backend serves between two multiples of its fair share.
//!
//! A share outside the bounds fails the check only when it is beyond chance: when a uniformly
//! random pick over the `k` announced backends would leave one of them that far out (as few
//! calls, or as many) with a chance of at most [`FALSE_ALARM`] (by the binomial distribution of
//! one backend's count, times `k`). A balancer as good as a random pick so fails it at most once
//! in a million runs; a backend served nothing at all, or everything, on a few hundred calls is
//! far beyond that. Nearer the bounds, or on a small sample, the explanation says the share was
//! not judged. The rule on withdrawn backends is judged on any sample.
//!
//! ```
//! use jostle_harness::check::{Context, settled};
//! use jostle_harness::load::{CallLog, CallOutcome, CallRecord, Method};
//! use std::time::Duration;
//!
//! let ms = Duration::from_millis;
//! let call = |index: u64, backend: &str| CallRecord {
//!     index, method: Method::CreateOrder, start: ms(index), end: ms(index + 1),
//!     outcome: CallOutcome::Ok, backend: Some(backend.into()), client: 0,
//! };
//! let names = ["backend-0", "backend-1"];
//! // Round robin over two backends, 2,000 calls from 0 s on: even.
//! let even = CallLog { calls: (0..2000).map(|i| call(i, names[i as usize % 2])).collect(), seed: 3 };
//! let held = settled(&even, Some(Duration::ZERO), &names, 0.5, 2.0, &Context::default());
//! assert!(held.passed, "{held}");
//!
//! // Nine calls in ten to backend-0: more than twice its fair share of a half is impossible,
//! // but backend-1 falls under half of it.
//! let skewed = CallLog {
//!     calls: (0..2000).map(|i| call(i, names[usize::from(i % 10 == 0)])).collect(),
//!     seed: 3,
//! };
//! let broke = settled(&skewed, Some(Duration::ZERO), &names, 0.5, 2.0, &Context::default());
//! assert!(!broke.passed);
//! assert!(broke.explanation.contains("backend-1 served 200"), "{}", broke.explanation);
//! ```

use super::{CheckResult, Context, NO_CALLS, Served};
use crate::load::CallLog;
use statrs::distribution::{Binomial, DiscreteCDF};
use std::time::Duration;

/// The chance that a uniformly random pick leaves a backend as far out of the share bounds as
/// the one the check fails on, at most: one in a million over every backend.
pub const FALSE_ALARM: f64 = 1e-6;

/// From `from` on, every OK call was served by one of `announced`, and each of them served at
/// least `at_least` and at most `at_most` times its fair share (`1 / announced.len()`) of
/// those OK calls, beyond chance (see the module docs). With no OK call from `from` on, or no
/// `from` at all (a fault holds to the end, so the run never settles), it measured nothing and
/// fails.
pub fn settled(
    log: &CallLog,
    from: Option<Duration>,
    announced: &[&str],
    at_least: f64,
    at_most: f64,
    context: &Context,
) -> CheckResult {
    let served = from.map(|from| Served::of_calls(log, from));
    settled_of(served.as_ref(), announced, at_least, at_most, context)
}

/// [`settled`] over the OK calls `served` counts from the quiet moment on (`None`: the run
/// never settled), from the client's calls or the backends' counters.
pub fn settled_of(
    served: Option<&Served>,
    announced: &[&str],
    at_least: f64,
    at_most: f64,
    context: &Context,
) -> CheckResult {
    let rule = match served {
        Some(served) => format!(
            "from {:?} on, every OK call reaches an announced backend, each serving {at_least} to {at_most} times its fair share",
            served.from
        ),
        None => format!(
            "once faults and discovery are quiet, every OK call reaches an announced backend, each serving {at_least} to {at_most} times its fair share"
        ),
    };
    let result = CheckResult::new("settled", rule, context);
    let Some(served) = served else {
        return result.verdict(
            false,
            format!("{NO_CALLS} (a fault holds to the end of the run, so it never settles)"),
        );
    };
    let (from, source) = (served.from, served.source());
    let stray: Vec<_> = served.outside(announced).collect();
    let strays: u64 = stray.iter().map(|backend| backend.calls).sum();
    let counts: Vec<u64> = announced.iter().map(|name| served.calls(name)).collect();
    let n = served.total();
    let k = announced.len().max(1) as f64;
    let fair = n as f64 / k;
    let result = result
        .measure("OK calls judged", n as f64)
        .measure("to backends not announced", strays as f64);
    if let Some(first) = stray.first() {
        let name = first.name.as_deref().unwrap_or("?");
        let which = match first.first {
            Some(start) => format!("the first, started at {start:?}, reached {name}"),
            None => stray
                .iter()
                .map(|b| format!("{} served {}", b.name.as_deref().unwrap_or("?"), b.calls))
                .collect::<Vec<_>>()
                .join(", "),
        };
        return result.verdict(
            false,
            format!(
                "{strays} of {n} OK calls from {from:?} on reached backends not announced; {which}{source}"
            ),
        );
    }
    if n == 0 {
        return result
            .verdict(false, format!("{NO_CALLS} (no OK call started from {from:?} on){source}"));
    }
    let (low, high) = (at_least * fair, at_most * fair);
    let outside = announced.iter().zip(&counts).find_map(|(name, &count)| {
        let out = (count as f64) < low || (count as f64) > high;
        let chance = as_far_out(n, announced.len(), count, low);
        (out && chance <= FALSE_ALARM).then_some((name, count, chance))
    });
    match outside {
        Some((name, count, chance)) => result.measure("chance under a random pick", chance).verdict(
            false,
            format!(
                "{name} served {count} of the {n} OK calls from {from:?} on: {:.2} times its fair share of {fair:.1}, outside {at_least} to {at_most} (a uniformly random pick ends that far out with a chance of {chance:.1e}){source}",
                count as f64 / fair
            ),
        ),
        None => {
            let unsure = announced
                .iter()
                .zip(&counts)
                .any(|(_, &count)| (count as f64) < low || (count as f64) > high);
            let counts = counts.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
            let said = if unsure {
                format!(
                    "{n} OK calls from {from:?} on, each to an announced backend ({counts}); a share outside {at_least} to {at_most} times the fair {fair:.1}, but on so few calls a random pick would do as much: not judged{source}"
                )
            } else {
                format!(
                    "{n} OK calls from {from:?} on, each backend {at_least} to {at_most} times its fair share of {fair:.1} ({counts}){source}"
                )
            };
            result.verdict(true, said)
        }
    }
}

/// The chance that one of `k` backends, picked uniformly at random for each of `n` calls,
/// serves as few calls as `count` (when `count` is under `low`) or as many (otherwise), for
/// any of the `k` backends (bounded by the union over them).
fn as_far_out(n: u64, k: usize, count: u64, low: f64) -> f64 {
    let Ok(one) = Binomial::new(1.0 / k.max(1) as f64, n) else {
        return 1.0;
    };
    let tail = if (count as f64) < low {
        one.cdf(count)
    } else if count == 0 {
        1.0
    } else {
        one.sf(count - 1)
    };
    (tail * k as f64).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::as_far_out;

    #[test]
    fn the_chance_of_a_share_that_far_out_falls_with_the_sample() {
        // A third of 30 calls is 10: none at all happens by chance now and then…
        let small = as_far_out(30, 3, 0, 5.0);
        // …none of 3,000 never does.
        let large = as_far_out(3000, 3, 0, 500.0);
        assert!(small > 1e-6, "0 of 30 calls over 3 backends is not proof: {small}");
        assert!(large < 1e-12, "0 of 3,000 is: {large}");
    }

    #[test]
    fn a_flood_is_as_unlikely_as_a_drought() {
        let all = as_far_out(300, 3, 300, 0.0);
        assert!(all < 1e-100, "300 of 300 calls on one of 3 backends: {all}");
        assert_eq!(
            as_far_out(300, 3, 0, 0.0),
            1.0,
            "0 calls, no lower bound: anything is as likely"
        );
    }
}
