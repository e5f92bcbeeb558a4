//! Fail-fast: with nothing ready and wait-for-ready off, a failed call fails at once, not at
//! its deadline (gRPC's TRANSIENT_FAILURE: RPCs fail with UNAVAILABLE right away).
//!
//! Which instants those are is the caller's reading: for a scenario, [`KnownDown`](super::KnownDown)
//! (every backend the client may hold is taken down, none with a connection left that a call
//! can use, none with a connection attempt that can be held up). A call started while a
//! connection is still READY, or while a first attempt is under way, may wait as gRPC's
//! does (over the connection, or CONNECTING): it is not judged.

use super::{CheckResult, Context, NO_CALLS};
use crate::load::{CallLog, CallOutcome};
use std::time::Duration;

/// Every call that did not end OK, no backend answering it, and started while
/// `nothing_ready(start)` held, ended within `within` of its start. A call a backend answered
/// (its record names the backend: a status, a `NOT_FOUND`) went over a connection, so the
/// client had one ready: it is not judged. The check fails when no call started in such a
/// time: it measured nothing.
pub fn fail_fast(
    log: &CallLog,
    nothing_ready: impl Fn(Duration) -> bool,
    within: Duration,
    context: &Context,
) -> CheckResult {
    let rule = format!(
        "a call that fails, no backend answering it, while the client can know no backend is up (each it may hold taken down, with no connection left to use and no connect held up) fails within {within:?}, not at its deadline"
    );
    let measured: Vec<_> = log
        .calls
        .iter()
        .filter(|call| {
            call.outcome != CallOutcome::Ok && call.backend.is_none() && nothing_ready(call.start)
        })
        .collect();
    let slow: Vec<_> = measured.iter().filter(|call| call.latency() > within).collect();
    let longest = measured.iter().map(|call| call.latency()).max().unwrap_or_default();
    let result = CheckResult::new("fail-fast", rule, context)
        .measure("failed calls while nothing was up", measured.len() as f64)
        .measure("slower than the bound", slow.len() as f64)
        .measure("longest ms", longest.as_secs_f64() * 1e3);
    if measured.is_empty() {
        return result.verdict(
            false,
            format!(
                "{NO_CALLS} (no call failed while the client could know every backend was down)"
            ),
        );
    }
    match slow.first() {
        None => result.verdict(
            true,
            format!("{} calls failed while nothing was up, the slowest in {longest:?}", measured.len()),
        ),
        Some(first) => result.verdict(
            false,
            format!(
                "{} of {} calls failed slower than {within:?} (the longest took {longest:?}; the first started at {:?} and took {:?})",
                slow.len(),
                measured.len(),
                first.start,
                first.latency()
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::fail_fast;
    use crate::check::Context;
    use crate::load::{CallLog, CallOutcome, CallRecord, Method};
    use std::time::Duration;

    fn failed(start: u64, took: u64, backend: Option<&str>) -> CallRecord {
        let ms = Duration::from_millis;
        CallRecord {
            index: 0,
            method: Method::GetOrder,
            start: ms(start),
            end: ms(start + took),
            outcome: CallOutcome::Failed(tonic::Code::NotFound),
            backend: backend.map(str::to_owned),
            client: 0,
        }
    }

    #[test]
    fn a_failure_a_backend_answered_went_over_a_ready_connection_and_is_not_judged() {
        let within = Duration::from_millis(1);
        let answered = CallLog { calls: vec![failed(100, 20, Some("backend-0"))], seed: 15 };
        let result = fail_fast(&answered, |_| true, within, &Context::default());
        assert!(
            !result.passed && result.explanation.contains("no call to measure"),
            "a call answered by a backend had a connection to go over: {result}"
        );
        let unanswered = CallLog { calls: vec![failed(100, 20, None)], seed: 15 };
        let result = fail_fast(&unanswered, |_| true, within, &Context::default());
        assert!(
            !result.passed && result.explanation.contains("1 of 1 calls failed slower"),
            "a call no backend answered, 20 ms while nothing was up, breaks a 1 ms bound: {result}"
        );
    }
}
