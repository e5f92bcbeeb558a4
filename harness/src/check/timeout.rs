//! The timeout check: no call outlives its deadline.

use super::{CheckResult, Context, NO_CALLS};
use crate::load::CallLog;
use std::time::Duration;

/// Every call ends within `deadline + epsilon` of its start, whatever the backends do.
pub fn timeout(
    log: &CallLog,
    deadline: Duration,
    epsilon: Duration,
    context: &Context,
) -> CheckResult {
    let bound = deadline + epsilon;
    let rule = format!("no call outlives its {deadline:?} deadline by more than {epsilon:?}");
    let longest = log.calls.iter().map(|call| call.latency()).max().unwrap_or_default();
    let late: Vec<u64> =
        log.calls.iter().filter(|call| call.latency() > bound).map(|call| call.index).collect();
    let result = CheckResult::new("timeout", rule, context)
        .measure("longest call ms", longest.as_secs_f64() * 1e3)
        .measure("late calls", late.len() as f64);
    if log.calls.is_empty() {
        return result.verdict(false, NO_CALLS);
    }
    if late.is_empty() {
        result.verdict(true, format!("the longest call took {longest:?}"))
    } else {
        let first: Vec<String> = late.iter().take(5).map(u64::to_string).collect();
        result.verdict(
            false,
            format!(
                "{} calls outlived the deadline (first: {}), the longest {longest:?}",
                late.len(),
                first.join(", ")
            ),
        )
    }
}
