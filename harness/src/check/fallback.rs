//! Fallback and recovery: a failed backend costs few calls, and gets its share back.

use super::{Back, CheckResult, Context, NO_CALLS, Served};
use crate::load::{CallLog, CallOutcome};
use std::time::Duration;

/// Once backends fail, at the instants `failed_at` (each fault's start, in any order): at most
/// `max_failures` calls fail from the first of them on, and none that started `grace` or more
/// after the latest failure before it (by then the balancer routes around the failed backend).
/// Calls a live backend answered do not count: they were not routed to a dead one.
/// With no failure at all (`failed_at` empty) it fails: a fallback nobody needed was not seen.
pub fn fallback(
    log: &CallLog,
    failed_at: &[Duration],
    grace: Duration,
    max_failures: u64,
    context: &Context,
) -> CheckResult {
    let rule = format!(
        "after a backend fails, at most {max_failures} calls fail and none that starts {grace:?} later"
    );
    let first = failed_at.iter().copied().min().unwrap_or_default();
    // A call a backend answered (it carries the backend's name) was routed to a live one:
    // whatever it failed with (NOT_FOUND for an order another backend holds, an injected
    // status), it says nothing of routing to a dead backend.
    let failing = |call: &&crate::load::CallRecord| {
        call.outcome != CallOutcome::Ok && call.backend.is_none() && call.end >= first
    };
    let failures = log.calls.iter().filter(failing).count() as u64;
    // The latest failure that began before the call started: the one it may be blamed on.
    let latest_before = |start: Duration| failed_at.iter().copied().filter(|at| *at <= start).max();
    let late: Vec<u64> = log
        .calls
        .iter()
        .filter(failing)
        .filter(|call| latest_before(call.start).is_some_and(|at| call.start >= at + grace))
        .map(|call| call.index)
        .collect();
    let result = CheckResult::new("fallback", rule, context)
        .measure("failures", failures as f64)
        .measure("failures after grace", late.len() as f64);
    if failed_at.is_empty() {
        return result.verdict(
            false,
            "no backend failed during the run: no fault to fall back from, so nothing was judged"
                .to_owned(),
        );
    }
    if !log.calls.iter().any(|call| call.end >= first) {
        return result.verdict(false, format!("{NO_CALLS} (none ended after the failure)"));
    }
    if failures > max_failures || !late.is_empty() {
        result.verdict(
            false,
            format!(
                "{failures} calls failed after the failure ({max_failures} allowed), {} of them started after the grace period: calls are still routed to the dead backend",
                late.len()
            ),
        )
    } else {
        result.verdict(true, format!("{failures} calls failed, all in the grace period"))
    }
}

/// Once `backend` is back (or added) at `back.at()`: it serves a call within `within`, and from
/// then on at least `min_fraction` of its fair share (1 / `backends`) of the OK calls.
pub fn recovery(
    log: &CallLog,
    backend: &str,
    back: Back,
    within: Duration,
    backends: usize,
    min_fraction: f64,
    context: &Context,
) -> CheckResult {
    let back_at = back.at();
    let rule = format!(
        "a backend {back} at {back_at:?} serves again within {within:?}, then at least {:.0}% of its fair share",
        min_fraction * 100.0
    );
    let first = log
        .calls
        .iter()
        .filter(|call| {
            call.outcome == CallOutcome::Ok
                && call.backend.as_deref() == Some(backend)
                && call.start >= back_at
        })
        .map(|call| call.start)
        .min();
    let window: Vec<_> = log
        .calls
        .iter()
        .filter(|call| call.outcome == CallOutcome::Ok && call.start >= back_at + within)
        .collect();
    let served = window.iter().filter(|call| call.backend.as_deref() == Some(backend)).count();
    let share = if window.is_empty() { 0.0 } else { served as f64 / window.len() as f64 };
    let fair = 1.0 / backends.max(1) as f64;
    let result = CheckResult::new("recovery", rule, context)
        .measure(
            "first call after return ms",
            first.map_or(f64::INFINITY, |first| (first - back_at).as_secs_f64() * 1e3),
        )
        .measure("share after", share);
    if window.is_empty() {
        return result.verdict(
            false,
            format!("{NO_CALLS} (no OK call started {within:?} after {backend} was {back})"),
        );
    }
    match first {
        Some(first) if first - back_at <= within && share >= fair * min_fraction => result.verdict(
            true,
            format!(
                "{backend} served again after {:?}, {:.1}% of the calls",
                first - back_at,
                share * 100.0
            ),
        ),
        Some(first) => result.verdict(
            false,
            format!(
                "{backend} served again after {:?} with {:.1}% of the calls (fair share {:.1}%)",
                first - back_at,
                share * 100.0,
                fair * 100.0
            ),
        ),
        None => result.verdict(false, format!("{backend} never served a call after it was {back}")),
    }
}

/// Of the OK calls that start at `after` or later, `backend` served at least `at_least`.
pub fn share(
    log: &CallLog,
    backend: &str,
    after: Duration,
    at_least: f64,
    context: &Context,
) -> CheckResult {
    share_of(&Served::of_calls(log, after), backend, at_least, context)
}

/// [`share`] over the OK calls `served` counts, from the client's calls or the backends'
/// counters.
pub fn share_of(served: &Served, backend: &str, at_least: f64, context: &Context) -> CheckResult {
    bounded_share(served, backend, Bound::AtLeast(at_least), context)
}

/// A bound on one backend's share: `share`'s least or `max-share`'s largest.
#[derive(Debug, Clone, Copy)]
pub(super) enum Bound {
    AtLeast(f64),
    AtMost(f64),
}

/// Of the OK calls `served` counts, `backend`'s share is within `bound`: the rule of `share`
/// and of `max-share`.
pub(super) fn bounded_share(
    served: &Served,
    backend: &str,
    bound: Bound,
    context: &Context,
) -> CheckResult {
    let (name, words, limit) = match bound {
        Bound::AtLeast(limit) => ("share", "at least", limit),
        Bound::AtMost(limit) => ("max-share", "at most", limit),
    };
    let window = within(served.from, served.until);
    let rule = format!("{backend} serves {words} {} of the calls{window}", percent(limit));
    let (serving, calls, share) = served_share(served, backend);
    let result = CheckResult::new(name, rule, context)
        .measure("share", share)
        .measure("calls", calls as f64);
    let source = served.source();
    if calls == 0 {
        return result.verdict(false, format!("{NO_CALLS} (no OK call started{window}){source}"));
    }
    let counted = format!("{serving} of {calls} calls ({:.1}%){source}", share * 100.0);
    match bound {
        Bound::AtLeast(_) if share >= limit => {
            result.verdict(true, format!("{serving} of {calls} calls{source}"))
        }
        Bound::AtLeast(_) => result.verdict(false, counted),
        Bound::AtMost(_) => result.verdict(share <= limit, counted),
    }
}

/// Of the OK calls `served` counts: how many `backend` served, how many there are, and its
/// share (0 without calls).
pub(super) fn served_share(served: &Served, backend: &str) -> (u64, u64, f64) {
    let (serving, calls) = (served.calls(backend), served.total());
    let share = if calls == 0 { 0.0 } else { serving as f64 / calls as f64 };
    (serving, calls, share)
}

/// A fraction as a percentage, without trailing zeros: `1%`, `0.5%`, `33.33%`.
pub(crate) fn percent(fraction: f64) -> String {
    let text = format!("{:.2}", fraction * 100.0);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// ` started from 4s on`, or nothing from the start.
pub(super) fn since(from: Duration) -> String {
    if from.is_zero() {
        String::new()
    } else {
        format!(" started from {} on", humantime::format_duration(from))
    }
}

/// ` started from 7s until 27s` for a window with an end, else as [`since`].
pub(super) fn within(from: Duration, until: Option<Duration>) -> String {
    match until {
        None => since(from),
        Some(until) => format!(
            " started from {} until {}",
            humantime::format_duration(from),
            humantime::format_duration(until)
        ),
    }
}

#[cfg(test)]
mod wording_tests {
    use super::*;

    #[test]
    fn rules_write_thresholds_as_exact_percentages_and_times_as_the_file_does() {
        assert_eq!(percent(0.01), "1%");
        assert_eq!(percent(0.005), "0.5%");
        assert_eq!(percent(0.2), "20%");
        assert_eq!(since(Duration::ZERO), "");
        assert_eq!(since(Duration::from_millis(4_250)), " started from 4s 250ms on");
        let until = Some(Duration::from_secs(27));
        assert_eq!(within(Duration::from_secs(7), until), " started from 7s until 27s");
        assert_eq!(within(Duration::from_secs(7), None), since(Duration::from_secs(7)));
    }
}

#[cfg(test)]
mod tests {
    use super::fallback;
    use crate::check::Context;
    use crate::load::{CallLog, CallOutcome, CallRecord, Method};
    use std::time::Duration;
    use tonic::Code;

    fn failed_call(index: u64, start_ms: u64) -> CallRecord {
        CallRecord {
            index,
            method: Method::CreateOrder,
            start: Duration::from_millis(start_ms),
            end: Duration::from_millis(start_ms + 1),
            outcome: CallOutcome::Failed(Code::Unavailable),
            backend: None,
            client: 0,
        }
    }

    const FAULTS: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(3)];
    const GRACE: Duration = Duration::from_millis(500);

    #[test]
    fn a_failure_at_a_later_fault_is_within_that_faults_grace() {
        let log = CallLog {
            calls: vec![failed_call(0, 1_100), failed_call(1, 3_200)],
            ..CallLog::default()
        };
        let result = fallback(&log, &FAULTS, GRACE, 10, &Context::default());
        assert!(result.passed, "each failure is within the grace of the fault before it: {result}");
        assert_eq!(result.value("failures"), Some(2.0));
    }

    #[test]
    fn a_failure_past_the_grace_of_the_latest_fault_is_late() {
        let log = CallLog {
            calls: vec![failed_call(0, 1_600), failed_call(1, 3_499)],
            ..CallLog::default()
        };
        let result = fallback(&log, &FAULTS, GRACE, 10, &Context::default());
        assert!(!result.passed, "a call failing 600 ms after a fault is still routed there");
        assert_eq!(result.value("failures after grace"), Some(1.0), "only the first is late");
    }

    #[test]
    fn a_call_that_started_before_every_fault_is_never_late() {
        let in_flight = CallRecord { end: Duration::from_millis(1_100), ..failed_call(0, 900) };
        let log = CallLog { calls: vec![in_flight], ..CallLog::default() };
        let result = fallback(&log, &FAULTS, GRACE, 10, &Context::default());
        assert!(result.passed, "an in-flight call at the first fault may fail: {result}");
    }

    #[test]
    fn a_failure_a_live_backend_answered_is_not_blamed_on_routing() {
        let answered = CallRecord {
            outcome: CallOutcome::Failed(Code::NotFound),
            backend: Some("backend-0".into()),
            ..failed_call(0, 1_600)
        };
        let log = CallLog { calls: vec![answered, failed_call(1, 1_100)], ..CallLog::default() };
        let result = fallback(&log, &FAULTS, GRACE, 10, &Context::default());
        assert!(
            result.passed,
            "a NOT_FOUND from a live backend is not a call routed to a dead one: {result}"
        );
        assert_eq!(result.value("failures"), Some(1.0), "only the unanswered call counts");
        let unanswered = CallLog { calls: vec![failed_call(0, 1_600)], ..CallLog::default() };
        let result = fallback(&unanswered, &FAULTS, GRACE, 10, &Context::default());
        assert!(!result.passed, "the same call unanswered, after the grace, is late: {result}");
    }
}
