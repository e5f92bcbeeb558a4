//! Convergence: after a discovery change takes effect, calls reach only the new set.

use super::{CheckResult, Context, NO_CALLS, Served};
use crate::load::CallLog;
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
    convergence_of(&Served::of_calls(log, changed_at + settle), settle, allowed, context)
}

/// [`convergence`] over the OK calls `served` counts (from the change and `settle` on), from
/// the client's calls or the backends' counters.
pub fn convergence_of(
    served: &Served,
    settle: Duration,
    allowed: &[&str],
    context: &Context,
) -> CheckResult {
    let set: BTreeSet<&str> = allowed.iter().copied().collect();
    let rule =
        format!("calls starting {settle:?} after the change reach only {set:?}, and all of them");
    let inside: Vec<&str> = set.iter().copied().collect();
    let outside: u64 = served.outside(&inside).map(|backend| backend.calls).sum();
    let missing: Vec<&&str> = set.iter().filter(|b| served.calls(b) == 0).collect();
    let result = CheckResult::new("convergence", rule, context)
        .measure("calls outside the set", outside as f64)
        .measure("members never reached", missing.len() as f64);
    let source = served.source();
    if served.total() == 0 {
        return result.verdict(
            false,
            format!("{NO_CALLS} (no OK call started after the change settled){source}"),
        );
    }
    if outside == 0 && missing.is_empty() {
        result.verdict(true, format!("{} calls, all inside the new set{source}", served.total()))
    } else {
        result.verdict(
            false,
            format!(
                "{outside} calls reached backends outside the set; never reached: {missing:?}{source}"
            ),
        )
    }
}
