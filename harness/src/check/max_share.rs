//! A backend's largest share: a slow backend under a load-aware balancer gets few calls.

use super::fallback::{percent, served_share, since};
use super::{CheckResult, Context, NO_CALLS, Served};
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
    max_share_of(&Served::of_calls(log, after), backend, at_most, context)
}

/// [`max_share`] over the OK calls `served` counts, from the client's calls or the backends'
/// counters.
pub fn max_share_of(
    served: &Served,
    backend: &str,
    at_most: f64,
    context: &Context,
) -> CheckResult {
    let after = served.from;
    let rule =
        format!("{backend} serves at most {} of the calls{}", percent(at_most), since(after));
    let (serving, calls, share) = served_share(served, backend);
    let result = CheckResult::new("max-share", rule, context)
        .measure("share", share)
        .measure("calls", calls as f64);
    let source = served.source();
    if calls == 0 {
        return result
            .verdict(false, format!("{NO_CALLS} (no OK call started{}){source}", since(after)));
    }
    let counted = format!("{serving} of {calls} calls ({:.1}%){source}", share * 100.0);
    result.verdict(share <= at_most, counted)
}
