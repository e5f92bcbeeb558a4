//! Only announced: a backend the client was not told about (never announced yet, or withdrawn
//! more than a grace ago) serves no call.

use super::{CheckResult, Context, NO_CALLS};
use crate::load::{CallLog, CallOutcome};
use std::time::Duration;

/// The evidence `only-announced` judges: the OK calls, and those of them served by a backend
/// the client was not told about, counted from the client's calls or the backends' counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strays {
    /// The OK calls judged.
    pub ok: u64,
    /// Those served by a backend the client was not told about.
    pub stray: u64,
    /// The first of them, in words (empty when there is none).
    pub first: String,
}

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
    let ok: Vec<_> = log.calls.iter().filter(|call| call.outcome == CallOutcome::Ok).collect();
    let stray: Vec<_> = ok
        .iter()
        .filter(|call| {
            call.backend.as_deref().is_some_and(|backend| !announced(backend, call.start, call.end))
        })
        .collect();
    let first = stray.first().map_or_else(String::new, |first| {
        format!(
            "the first, started at {:?}, reached {}",
            first.start,
            first.backend.as_deref().unwrap_or("?")
        )
    });
    let strays = Strays { ok: ok.len() as u64, stray: stray.len() as u64, first };
    only_announced_of(&strays, grace, context)
}

/// [`only_announced`] over `strays`, counted from the client's calls or the backends'
/// counters.
pub fn only_announced_of(strays: &Strays, grace: Duration, context: &Context) -> CheckResult {
    let rule = format!(
        "only announced backends serve: none before its announcement or {grace:?} after its withdrawal"
    );
    let result = CheckResult::new("only-announced", rule, context)
        .measure("calls to backends not announced", strays.stray as f64);
    if strays.ok == 0 {
        return result.verdict(false, format!("{NO_CALLS} (no OK call)"));
    }
    if strays.stray == 0 {
        return result
            .verdict(true, format!("{} OK calls, each to an announced backend", strays.ok));
    }
    result.verdict(
        false,
        format!(
            "{} calls reached backends the client was not told about; {}",
            strays.stray, strays.first
        ),
    )
}
