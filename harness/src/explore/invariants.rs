//! The invariants every schedule is judged by, as the `[balancer]` and `[expect]` sections of
//! its scenario file, with the tolerances derived from the schedule's own parameters.
//!
//! - `accounting`: always run (client and backends agree on every call).
//! - `timeout`: no call outlives its deadline (`max_latency_over_deadline = "0ms"`: under the
//!   paused clock a deadline fires at its exact instant; on TCP the runner allows its 250 ms).
//! - `leak-free`: tasks and connections back to baseline once the client is dropped.
//! - `avoidable-failures`, with `grace` = the deadline + the balancer's longest backoff wait
//!   that its failures in the schedule can reach, × (1 + its jitter) ([`grace`],
//!   [`longest_wait`]): a call in flight when a fault begins may run to its deadline; a
//!   backend back from a fault is tried again within one jittered backoff wait.
//! - `settled`, from the same `grace` after the last fault and the last discovery change (asked
//!   only when calls still start then): no
//!   call to a withdrawn backend, each announced one at half to twice its fair share (for a
//!   balancer that spreads its calls; one that keeps to one backend by design, `pick_first`
//!   and the article's fallback dialer, is held to the first half of the rule only).

use super::schedule::{Event, Schedule};
use crate::expect::{AvoidableFailures, ExpectLines, NoLeaks, Rule, SettledExpectation, Timeout};
use crate::fault::Kind;
use jostle::balance::Backoff;
use std::time::Duration;

/// The reconnect backoff every jostle policy is given in a schedule (50 ms to 500 ms, times
/// 1.6, jitter 0.2). Short, so that a schedule of a few seconds can see a backend come back;
/// give it to your own balancer (`BalanceConfig { backoff: explore::BACKOFF, .. }`) and declare
/// it ([`Explorer::config`](super::Explorer::config)) for the same tolerances.
pub const BACKOFF: Backoff = Backoff {
    initial: Duration::from_millis(50),
    multiplier: 1.6,
    jitter: 0.2,
    max: Duration::from_millis(500),
};

/// The longest a correct balancer with `backoff` waits before it tries a backend again, in a
/// run of `length`: the largest wait, jittered up, of a retry that can start within the run
/// (each earlier wait at its shortest). Retries beyond the run cannot be seen, so a slow
/// backoff is judged by the waits a run can reach, not by its cap.
pub fn longest_wait(backoff: &Backoff, length: Duration) -> Duration {
    let (mut earliest, mut longest) = (Duration::ZERO, Duration::ZERO);
    for attempt in 1..=64 {
        let base = backoff.base(attempt);
        longest = longest.max(base.mul_f64(1.0 + backoff.jitter));
        earliest += base.mul_f64(1.0 - backoff.jitter);
        if earliest >= length || base >= backoff.max {
            break;
        }
    }
    longest
}

/// The names of the checks explore judges by, in report order.
pub const INVARIANTS: [&str; 5] =
    ["accounting", "timeout", "avoidable-failures", "settled", "leak-free"];

/// How the balancer under test recovers, which the tolerances follow: its reconnect backoff,
/// and whether it ejects a backend whose calls time out (jostle's `timeouts_to_eject` above 0;
/// gRPC's round robin does not).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recovery {
    /// The reconnect backoff.
    pub backoff: Backoff,
    /// Whether calls ending at their deadline take a backend out, to come back after a
    /// backoff wait.
    pub ejects_on_timeouts: bool,
}

/// The time a correct balancer recovering as `recovery` says may take to get over the
/// schedule's faults: the deadline plus its [`longest_wait`] over the span in which its
/// backoff can grow. The backoff grows only with failures: from the first window that can make
/// a connection fail (every kind but `hang`, `blackhole` and `delay`, which fail calls, not
/// connections; those three too for a balancer that ejects on timeouts) to a deadline after
/// the last one ends (a call started then may time out then). A schedule with none gives the
/// first wait only. So a slow backoff (gRPC's, 1 s to 120 s) is judged by the waits its
/// schedule's faults can reach, not by the whole run. Through DNS, a schedule with a
/// discovery change adds the longest a client may go before it resolves again
/// ([`Via::lag`](super::Via::lag)): a change is heard that much later at most.
pub fn grace(schedule: &Schedule, recovery: &Recovery) -> Duration {
    let failing = schedule.events.iter().filter_map(|event| match event {
        Event::Fault { fault, .. } => {
            let kind = Kind::from_name(fault.kind());
            let calls_only = matches!(kind, Some(Kind::Hang | Kind::Blackhole | Kind::Delay));
            (recovery.ejects_on_timeouts || !calls_only).then(|| (event.at(), event.end()))
        }
        Event::Discovery { .. } => None,
    });
    let span = failing
        .reduce(|(first, last), (at, end)| (first.min(at), last.max(end)))
        .map_or(Duration::ZERO, |(first, last)| last + schedule.deadline - first);
    // A client that discovers through DNS hears of a change at its next resolution, at most
    // the TTL it keeps later (`Via::lag`): only a schedule with a change waits for one.
    let heard = if schedule.changes() > 0 { schedule.via.lag() } else { Duration::ZERO };
    schedule.deadline + longest_wait(&recovery.backoff, span) + heard
}

/// Whether calls still start once every fault and discovery change is over and the grace has
/// passed: the window `settled` judges (a schedule cut shorter by the shrinker may leave none).
fn settles(schedule: &Schedule, grace: Duration) -> bool {
    let quiet = schedule.events.iter().map(super::schedule::Event::end).max().unwrap_or_default();
    quiet + grace < super::schedule::WARM_UP + schedule.duration
}

/// The `[balancer]` section for the built-in balancer `policy`; `jostle` says whether it is
/// one of jostle's policies (only they take a backoff).
pub(crate) fn balancer(policy: &str, jostle: bool) -> String {
    let mut text = format!("\n[balancer]\npolicy = \"{policy}\"\n");
    if jostle {
        let Backoff { initial, multiplier, jitter, max } = BACKOFF;
        text.push_str(&format!(
            "backoff = {{ initial = \"{}ms\", max = \"{}ms\", multiplier = {multiplier}, jitter = {jitter} }}\n",
            initial.as_millis(),
            max.as_millis()
        ));
    }
    text
}

/// The `[balancer]` section naming the user's own balancer `name` (`custom:NAME`, a TOML
/// string whatever the name holds).
pub(crate) fn own_balancer(name: &str) -> String {
    let policy = crate::scenario::toml_string(&format!("{}{name}", crate::scenario::CUSTOM_PREFIX));
    format!("\n[balancer]\npolicy = {policy}\n")
}

/// The `[expect]` section judging `checks` (names from [`INVARIANTS`]; `accounting` is always
/// run and needs no line); `spreads` says whether the balancer claims to spread its calls;
/// `recovery` is the balancer's, which the grace follows. With `fails`, the story of a flaw:
/// exactly those checks are expected to fail.
pub(crate) fn expect(
    schedule: &Schedule,
    checks: &[&str],
    (spreads, recovery): (bool, &Recovery),
    fails: &[&str],
) -> String {
    let grace = grace(schedule, recovery);
    let settles = settles(schedule, grace);
    // A file writes whole milliseconds.
    let grace = Duration::from_millis(u64::try_from(grace.as_millis()).unwrap_or(u64::MAX));
    let mut text = ExpectLines::new("\n[expect]\n");
    if !fails.is_empty() {
        let names: Vec<String> = fails.iter().map(|name| format!("\"{name}\"")).collect();
        text.push_str(&format!("outcome = \"fail\"\nfails = [{}]\n", names.join(", ")));
    }
    for check in checks {
        let rule: Box<dyn Rule> = match *check {
            "timeout" => Box::new(Timeout(Duration::ZERO)),
            "avoidable-failures" => Box::new(AvoidableFailures(grace)),
            // Judged only when calls start after the quiet point: over none it would fail.
            "settled" if !settles => continue,
            "settled" if spreads => {
                Box::new(SettledExpectation { after: grace, at_least: 0.5, at_most: 2.0 })
            }
            "settled" => Box::new(SettledExpectation {
                after: grace,
                at_least: 0.0,
                at_most: schedule.backends as f64,
            }),
            "leak-free" => Box::new(NoLeaks),
            _ => continue,
        };
        rule.append_to(&mut text);
    }
    // Every rule above is one a file can hold: its durations whole milliseconds (the grace is
    // rounded to them), no list.
    text.into_string().unwrap_or_else(|refused| unreachable!("{refused}"))
}

#[cfg(test)]
mod tests {
    use super::{BACKOFF, Recovery, grace, longest_wait};
    use crate::explore::{Event, FaultSpec, Methods, Schedule, Via};
    use jostle::balance::Backoff;
    use std::time::Duration;

    fn one_fault(fault: FaultSpec) -> Schedule {
        let at = Duration::from_millis(1000);
        Schedule {
            seed: 0,
            backends: 2,
            latency: None,
            clients: 1,
            rate: 100,
            concurrency: None,
            mix: Methods::CREATE,
            duration: Duration::from_secs(5),
            deadline: Duration::from_millis(250),
            via: Via::Stream,
            initial: vec![0, 1],
            events: vec![Event::Fault { at, target: vec![1], fault }],
        }
    }

    #[test]
    fn the_grace_follows_the_span_the_faults_can_grow_the_backoff_and_the_ejection() {
        let grpc = Backoff::default();
        let ms = Duration::from_millis;
        let (ejects, stays) = (
            Recovery { backoff: grpc, ejects_on_timeouts: true },
            Recovery { backoff: grpc, ejects_on_timeouts: false },
        );
        // Down 500 ms: failures from 1 s to 1.75 s (a deadline after): gRPC's first wait
        // (1 s, jittered up to 1.2 s) is the longest that can start in that span.
        let restart = one_fault(FaultSpec::Restart { down_for: ms(500) });
        assert_eq!(grace(&restart, &ejects), ms(250 + 1200));
        assert_eq!(grace(&restart, &stays), ms(250 + 1200), "a crash fails connections either way");
        // Hung 2 s: it grows the backoff only of a balancer that ejects on timeouts; one that
        // does not keeps the backend and owes no wait.
        let hang = one_fault(FaultSpec::Standing { name: "hang", lasting: ms(2000) });
        assert_eq!(grace(&hang, &ejects), ms(250) + longest_wait(&grpc, ms(2250)));
        assert_eq!(grace(&hang, &stays), ms(250 + 1200), "no failing window: the first wait only");
        assert!(grace(&hang, &ejects) > grace(&hang, &stays));
    }

    #[test]
    fn the_longest_wait_follows_the_balancers_backoff_as_far_as_a_run_can_see() {
        let run = Duration::from_millis(5100);
        assert_eq!(
            longest_wait(&BACKOFF, run),
            Duration::from_millis(600),
            "explore's backoff reaches its 500 ms cap early in a run: 500 ms jittered up by 20 %"
        );
        // gRPC's: retries after 1, 1.6, 2.56 and 4.096 s (each at its shortest, 0.8 of itself:
        // the fourth can start at 4.13 s, inside the run; the fifth cannot).
        let grpc = Backoff::default();
        assert_eq!(longest_wait(&grpc, run), Duration::from_secs_f64(4.096 * 1.2));
        assert_eq!(
            longest_wait(&grpc, Duration::from_millis(500)),
            Duration::from_secs_f64(1.2),
            "a run shorter than the first wait sees only it"
        );
    }

    #[test]
    fn a_dns_client_is_given_the_ttl_it_keeps_only_when_discovery_changes() {
        let ms = Duration::from_millis;
        let recovery = Recovery { backoff: BACKOFF, ejects_on_timeouts: true };
        let crash = one_fault(FaultSpec::Restart { down_for: ms(500) });
        let stream = grace(&crash, &recovery);
        let dns = |ttl, min_ttl| Schedule {
            via: Via::Dns { ttl: ms(ttl), min_ttl: ms(min_ttl) },
            ..crash.clone()
        };
        assert_eq!(grace(&dns(800, 100), &recovery), stream, "no change: nothing to hear late");
        let mut changed = dns(800, 100);
        changed.events.push(Event::Discovery { at: ms(1200), add: vec![], remove: vec![1] });
        let with_change = Schedule { via: Via::Stream, ..changed.clone() };
        assert_eq!(grace(&with_change, &recovery), stream, "the stream delivers a change at once");
        assert_eq!(
            grace(&changed, &recovery),
            stream + ms(800),
            "heard at the next resolution: the TTL"
        );
        let floored = Schedule { via: Via::Dns { ttl: ms(0), min_ttl: ms(300) }, ..changed };
        assert_eq!(
            grace(&floored, &recovery),
            stream + ms(300),
            "a TTL under min_ttl counts as min_ttl"
        );
    }
}
