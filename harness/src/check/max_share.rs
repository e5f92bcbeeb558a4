//! A backend's largest share: a slow backend under a load-aware balancer gets few calls.

use super::fallback::{percent, served_share, since};
use super::{CheckResult, Context, NO_CALLS};
use crate::load::CallLog;
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
    let (served, calls, share) = served_share(log, backend, after);
    let result = CheckResult::new("max-share", rule, context)
        .measure("share", share)
        .measure("calls", calls as f64);
    if calls == 0 {
        return result.verdict(false, format!("{NO_CALLS} (no OK call started{})", since(after)));
    }
    let counted = format!("{served} of {calls} calls ({:.1}%)", share * 100.0);
    result.verdict(share <= at_most, counted)
}
