//! A backend's largest share: a slow backend under a load-aware balancer gets few calls.

use super::fallback::{percent, since};
use super::{CheckResult, Context};
use crate::load::{CallLog, CallOutcome};
use std::time::Duration;

/// Of the OK calls that start at `after` or later, `backend` served at most `at_most`.
///
/// ```
/// use jostle_harness::check::{Context, max_share};
/// use jostle_harness::load::CallLog;
/// use std::time::Duration;
///
/// let none = max_share(&CallLog::default(), "backend-2", Duration::ZERO, 0.1, &Context::default());
/// assert!(!none.passed, "no call served: nothing shows the share");
/// ```
pub fn max_share(
    log: &CallLog,
    backend: &str,
    after: Duration,
    at_most: f64,
    context: &Context,
) -> CheckResult {
    let rule =
        format!("{backend} serves at most {} of the calls{}", percent(at_most), since(after));
    let calls: Vec<_> = log
        .calls
        .iter()
        .filter(|call| call.outcome == CallOutcome::Ok && call.start >= after)
        .collect();
    let served = calls.iter().filter(|call| call.backend.as_deref() == Some(backend)).count();
    let share = if calls.is_empty() { 0.0 } else { served as f64 / calls.len() as f64 };
    let result = CheckResult::new("max-share", rule, context)
        .measure("share", share)
        .measure("calls", calls.len() as f64);
    let counted = format!("{served} of {} calls ({:.1}%)", calls.len(), share * 100.0);
    result.verdict(share <= at_most && !calls.is_empty(), counted)
}
