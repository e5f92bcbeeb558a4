//! A backend's largest share: a slow backend under a load-aware balancer gets few calls.

use super::fallback::{Bound, bounded_share};
use super::{CheckResult, Context, Served};
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
    bounded_share(served, backend, Bound::AtMost(at_most), context)
}
