//! Only announced: a backend the client was not told about (never announced yet, or withdrawn
//! more than a grace ago) serves no call.

use super::{CheckResult, Context, NO_CALLS};
use crate::load::{CallLog, CallOutcome};
use std::time::Duration;

/// Every OK call was served by a backend that `announced(backend, start, end)` says the client
/// was told about while the call was under way: when it started (a withdrawn backend still
/// counts for `grace` after its withdrawal: calls already routed, the balancer not yet told),
/// or while it waited for a ready backend.
pub fn only_announced(
    log: &CallLog,
    announced: impl Fn(&str, Duration, Duration) -> bool,
    grace: Duration,
    context: &Context,
) -> CheckResult {
    let rule = format!(
        "only announced backends serve: none before its announcement or {grace:?} after its withdrawal"
    );
    let ok: Vec<_> = log.calls.iter().filter(|call| call.outcome == CallOutcome::Ok).collect();
    let stray: Vec<_> = ok
        .iter()
        .filter(|call| {
            call.backend.as_deref().is_some_and(|backend| !announced(backend, call.start, call.end))
        })
        .collect();
    let result = CheckResult::new("only-announced", rule, context)
        .measure("calls to backends not announced", stray.len() as f64);
    if ok.is_empty() {
        return result.verdict(false, format!("{NO_CALLS} (no OK call)"));
    }
    match stray.first() {
        None => result.verdict(true, format!("{} OK calls, each to an announced backend", ok.len())),
        Some(first) => result.verdict(
            false,
            format!(
                "{} calls reached backends the client was not told about; the first, started at {:?}, reached {}",
                stray.len(),
                first.start,
                first.backend.as_deref().unwrap_or("?")
            ),
        ),
    }
}
