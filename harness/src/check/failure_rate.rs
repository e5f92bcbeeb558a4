//! The failure rates: at most a fraction of the calls fail (`failure-rate`), or at least one
//! (`min-failure-rate`: while every backend is down, most calls must fail). Both count the
//! calls started in one window and compare the observed fraction with the bound as it is,
//! with no allowance for chance on either side.

use super::fallback::{percent, within};
use super::{CheckResult, Context, NO_CALLS};
use crate::load::{CallLog, CallOutcome};
use std::time::Duration;

/// Of the calls that start at `from` or later, at most `max_rate` end other than OK.
pub fn failure_rate(
    log: &CallLog,
    from: Duration,
    max_rate: f64,
    context: &Context,
) -> CheckResult {
    failure_rate_in(log, from, None, max_rate, context)
}

/// Of the calls that start at `from` or later and before `until` (the end of the run when
/// `None`), at most `max_rate` end other than OK (timed out included). Fails over zero calls.
pub fn failure_rate_in(
    log: &CallLog,
    from: Duration,
    until: Option<Duration>,
    max_rate: f64,
    context: &Context,
) -> CheckResult {
    let window = within(from, until);
    let rule = format!("at most {} of the calls{window} fail", percent(max_rate));
    let (calls, failed) = failures(log, from, until);
    let rate = if calls == 0 { 0.0 } else { failed as f64 / calls as f64 };
    let result = CheckResult::new("failure-rate", rule, context)
        .measure("rate", rate)
        .measure("failed", failed as f64);
    if calls == 0 {
        return result.verdict(false, format!("{NO_CALLS} (none started{window})"));
    }
    if rate <= max_rate {
        result.verdict(true, format!("{failed} of {calls} calls failed"))
    } else {
        result.verdict(false, format!("{failed} of {calls} calls failed ({:.1}%)", rate * 100.0))
    }
}

/// Of the calls that start at `from` or later and before `until` (the end of the run when
/// `None`), at least `min_rate` end other than OK (timed out included): the counting of
/// [`failure_rate_in`], bounded from below. Fails over zero calls.
///
/// ```
/// use jostle_harness::check::{Context, min_failure_rate};
/// use jostle_harness::load::CallLog;
/// use std::time::Duration;
///
/// let none = min_failure_rate(&CallLog::default(), Duration::ZERO, None, 0.5, &Context::default());
/// assert!(!none.passed, "no call: nothing shows that calls failed");
/// assert!(none.explanation.contains("zero calls"));
/// ```
pub fn min_failure_rate(
    log: &CallLog,
    from: Duration,
    until: Option<Duration>,
    min_rate: f64,
    context: &Context,
) -> CheckResult {
    let window = within(from, until);
    let rule = format!("at least {} of the calls{window} fail", percent(min_rate));
    let (calls, failed) = failures(log, from, until);
    let rate = if calls == 0 { 0.0 } else { failed as f64 / calls as f64 };
    let result = CheckResult::new("min-failure-rate", rule, context)
        .measure("rate", rate)
        .measure("failed", failed as f64);
    if calls == 0 {
        return result.verdict(false, format!("{NO_CALLS} (none started{window})"));
    }
    let counted = format!("{failed} of {calls} calls failed ({:.1}%)", rate * 100.0);
    result.verdict(rate >= min_rate, counted)
}

/// How many calls started at `from` or later and before `until`, and how many of them did
/// not end OK.
fn failures(log: &CallLog, from: Duration, until: Option<Duration>) -> (u64, u64) {
    let inside = log
        .calls
        .iter()
        .filter(|call| call.start >= from && until.is_none_or(|until| call.start < until));
    inside.fold((0, 0), |(calls, failed), call| {
        (calls + 1, failed + u64::from(call.outcome != CallOutcome::Ok))
    })
}
