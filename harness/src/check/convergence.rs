//! Convergence: after a discovery change takes effect, calls reach only the new set.

use super::{CheckResult, Context, NO_CALLS};
use crate::load::{CallLog, CallOutcome};
use std::collections::BTreeSet;
use std::time::Duration;

/// Calls that start after `changed_at + settle` are served only by `allowed`, and each of
/// `allowed` serves at least one of them.
pub fn convergence(
    log: &CallLog,
    changed_at: Duration,
    settle: Duration,
    allowed: &[&str],
    context: &Context,
) -> CheckResult {
    let allowed: BTreeSet<&str> = allowed.iter().copied().collect();
    let rule = format!(
        "calls starting {settle:?} after the change reach only {allowed:?}, and all of them"
    );
    let after: Vec<_> = log
        .calls
        .iter()
        .filter(|call| call.outcome == CallOutcome::Ok && call.start >= changed_at + settle)
        .collect();
    let outside = after
        .iter()
        .filter(|call| !call.backend.as_deref().is_some_and(|b| allowed.contains(b)))
        .count();
    let reached: BTreeSet<&str> = after.iter().filter_map(|call| call.backend.as_deref()).collect();
    let missing: Vec<&&str> = allowed.iter().filter(|b| !reached.contains(**b)).collect();
    let result = CheckResult::new("convergence", rule, context)
        .measure("calls outside the set", outside as f64)
        .measure("members never reached", missing.len() as f64);
    if after.is_empty() {
        return result
            .verdict(false, format!("{NO_CALLS} (no OK call started after the change settled)"));
    }
    if outside == 0 && missing.is_empty() {
        result.verdict(true, format!("{} calls, all inside the new set", after.len()))
    } else {
        result.verdict(
            false,
            format!("{outside} calls reached backends outside the set; never reached: {missing:?}"),
        )
    }
}
