//! The latency check: a percentile of the OK calls' latency stays under a bound.

use super::fallback::since;
use super::{CheckResult, Context, NO_CALLS};
use crate::load::{CallLog, CallOutcome};
use crate::report::quantile_ms;
use std::time::Duration;

/// The `percentile` (above 0, at most 100; 100 is the slowest call) of the latency of the OK
/// calls that start at `after` or later, served by `backend` or by any backend, is under
/// `under`. Latency is measured as the report measures it: from the client's call log, in an
/// HDR histogram of microseconds with 3 significant digits (a value reads at most 0.1 % high).
///
/// ```
/// use jostle_harness::check::{Context, latency};
/// use jostle_harness::load::CallLog;
/// use std::time::Duration;
///
/// let none = latency(&CallLog::default(), None, Duration::ZERO, 99.0, Duration::from_millis(40), &Context::default());
/// assert!(!none.passed, "no call: nothing shows the latency");
/// assert!(none.explanation.contains("zero calls"));
/// ```
pub fn latency(
    log: &CallLog,
    backend: Option<&str>,
    after: Duration,
    percentile: f64,
    under: Duration,
    context: &Context,
) -> CheckResult {
    let of = backend.map_or_else(String::new, |name| format!(" on {name}"));
    let rule = format!(
        "p{percentile} latency of the OK calls{of}{} is under {}",
        since(after),
        humantime::format_duration(under)
    );
    let samples: Vec<Duration> = log
        .calls
        .iter()
        .filter(|call| call.outcome == CallOutcome::Ok && call.start >= after)
        .filter(|call| backend.is_none_or(|name| call.backend.as_deref() == Some(name)))
        .map(|call| call.latency())
        .collect();
    let result = CheckResult::new("latency", rule, context);
    let Some(measured) = quantile_ms(&samples, percentile / 100.0) else {
        return result
            .measure("calls", 0.0)
            .verdict(false, format!("{NO_CALLS} (no OK call{of}{})", since(after)));
    };
    let bound = under.as_secs_f64() * 1e3;
    let passed = measured < bound;
    let verdict = if passed { "under" } else { "not under" };
    result.measure("latency ms", measured).measure("calls", samples.len() as f64).verdict(
        passed,
        format!(
            "p{percentile} is {measured:.3} ms over {} calls, {verdict} {bound} ms",
            samples.len()
        ),
    )
}
