//! Fail-fast: with nothing ready and wait-for-ready off, a failed call fails at once, not at
//! its deadline (gRPC's TRANSIENT_FAILURE: RPCs fail with UNAVAILABLE right away).

use super::{CheckResult, Context, NO_CALLS};
use crate::load::{CallLog, CallOutcome};
use std::time::Duration;

/// Every call that did not end OK, and started while `nothing_ready(start)` held, ended within
/// `within` of its start. The check fails when no call started in such a time: it measured
/// nothing.
pub fn fail_fast(
    log: &CallLog,
    nothing_ready: impl Fn(Duration) -> bool,
    within: Duration,
    context: &Context,
) -> CheckResult {
    let rule = format!(
        "a call that fails while no announced backend is up fails within {within:?}, not at its deadline"
    );
    let measured: Vec<_> = log
        .calls
        .iter()
        .filter(|call| call.outcome != CallOutcome::Ok && nothing_ready(call.start))
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
            format!("{NO_CALLS} (no call failed while every announced backend was down)"),
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
