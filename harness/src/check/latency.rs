//! The latency check: a percentile of the OK calls' latency stays under a bound; or, over all
//! calls, the latency a client's dashboard shows, a timed-out call counted at its deadline.

use super::fallback::since;
use super::{CheckResult, Context, NO_CALLS};
use crate::load::{CallLog, CallOutcome};
use crate::report::quantile_ms;
use std::time::Duration;

/// The `percentile` (above 0, at most 100; 100 is the slowest call) of the latency of the OK
/// calls that start at `after` or later, served by `backend` or by any backend, is under
/// `under`. Latency is measured as the report measures it: from the client's call log, in an
/// HDR histogram of microseconds with 3 significant digits (a value reads at most 0.1 % high).
///
/// ```
/// use jostle_harness::check::{Context, latency};
/// use jostle_harness::load::CallLog;
/// use std::time::Duration;
///
/// let none = latency(&CallLog::default(), None, Duration::ZERO, 99.0, Duration::from_millis(40), &Context::default());
/// assert!(!none.passed, "no call: nothing shows the latency");
/// assert!(none.explanation.contains("zero calls"));
/// ```
pub fn latency(
    log: &CallLog,
    backend: Option<&str>,
    after: Duration,
    percentile: f64,
    under: Duration,
    context: &Context,
) -> CheckResult {
    let of = backend.map_or_else(String::new, |name| format!(" on {name}"));
    let rule = format!(
        "p{percentile} latency of the OK calls{of}{} is under {}",
        since(after),
        humantime::format_duration(under)
    );
    let samples: Vec<Duration> = log
        .calls
        .iter()
        .filter(|call| call.outcome == CallOutcome::Ok && call.start >= after)
        .filter(|call| backend.is_none_or(|name| call.backend.as_deref() == Some(name)))
        .map(|call| call.latency())
        .collect();
    let result = CheckResult::new("latency", rule, context);
    let Some(measured) = quantile_ms(&samples, percentile / 100.0) else {
        return result
            .measure("calls", 0.0)
            .verdict(false, format!("{NO_CALLS} (no OK call{of}{})", since(after)));
    };
    bounded(result, measured, &samples, percentile, under, "")
}

/// The `percentile` of the latency of every call that starts at `after` or later, whatever
/// its outcome, is under `under`: a call that timed out (`DEADLINE_EXCEEDED` at the client,
/// tonic's own timeout, or the driver's) counts at `deadline`, not at its measured end; every
/// other call, OK or failed, at its measured latency. Measured as [`latency`] measures it.
///
/// ```
/// use jostle_harness::check::{Context, latency_of_all};
/// use jostle_harness::load::{CallLog, CallOutcome, CallRecord, Method};
/// use std::time::Duration;
///
/// let ms = Duration::from_millis;
/// let call = |index: u64, took: u64, outcome: CallOutcome| CallRecord {
///     index, method: Method::CreateOrder, start: ms(index), end: ms(index + took),
///     outcome, backend: None, client: 0,
/// };
/// // 98 fast calls and 2 that timed out at a 300 ms deadline (measured 301 ms).
/// let mut calls: Vec<_> = (0..98).map(|i| call(i, 5, CallOutcome::Ok)).collect();
/// calls.extend((98..100).map(|i| call(i, 301, CallOutcome::TimedOut)));
/// let log = CallLog { calls, seed: 1 };
/// let p99 = latency_of_all(&log, ms(300), Duration::ZERO, 99.0, ms(250), &Context::default());
/// assert!(!p99.passed, "the timeouts are the slowest 2 %: p99 is the deadline");
/// assert!(p99.explanation.starts_with("p99 is 300."), "{}", p99.explanation);
/// ```
pub fn latency_of_all(
    log: &CallLog,
    deadline: Duration,
    after: Duration,
    percentile: f64,
    under: Duration,
    context: &Context,
) -> CheckResult {
    let rule = format!(
        "p{percentile} latency of all calls{}, a timed-out call at its {} deadline, is under {}",
        since(after),
        humantime::format_duration(deadline),
        humantime::format_duration(under)
    );
    let inside: Vec<_> = log.calls.iter().filter(|call| call.start >= after).collect();
    let timed_out = inside.iter().filter(|call| call.outcome == CallOutcome::TimedOut).count();
    let failed = inside
        .iter()
        .filter(|call| !matches!(call.outcome, CallOutcome::Ok | CallOutcome::TimedOut))
        .count();
    let samples: Vec<Duration> = inside
        .iter()
        .map(|call| match call.outcome {
            CallOutcome::TimedOut => deadline,
            _ => call.latency(),
        })
        .collect();
    let result = CheckResult::new("latency", rule, context);
    let Some(measured) = quantile_ms(&samples, percentile / 100.0) else {
        return result
            .measure("calls", 0.0)
            .verdict(false, format!("{NO_CALLS} (no call{})", since(after)));
    };
    let outcomes = format!(" ({timed_out} timed out, {failed} failed otherwise)");
    let result = bounded(result, measured, &samples, percentile, under, &outcomes);
    result.measure("timed out", timed_out as f64).measure("failed", failed as f64)
}

/// `result` with the measured percentile against the bound.
fn bounded(
    result: CheckResult,
    measured: f64,
    samples: &[Duration],
    percentile: f64,
    under: Duration,
    outcomes: &str,
) -> CheckResult {
    let bound = under.as_secs_f64() * 1e3;
    let passed = measured < bound;
    let verdict = if passed { "under" } else { "not under" };
    result.measure("latency ms", measured).measure("calls", samples.len() as f64).verdict(
        passed,
        format!(
            "p{percentile} is {measured:.3} ms over {} calls{outcomes}, {verdict} {bound} ms",
            samples.len()
        ),
    )
}
