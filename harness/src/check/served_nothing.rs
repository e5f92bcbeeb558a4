//! Served nothing: a backend serves no OK call in a window of the run (a bad pod left alone,
//! a withdrawn one gone quiet). A window in which the client started no call at all is no
//! evidence either way: the check fails and says so.

use super::fallback::within;
use super::{CheckResult, Context, NO_CALLS};
use crate::load::{CallLog, CallOutcome};
use std::time::Duration;

/// Of the calls that start at `from` or later and before `until` (the end of the run when
/// `None`), `backend` served none with OK. A call is attributed by its start: one that started
/// before `from` and ended inside the window does not count, one that started inside and ended
/// after does. Fails when no call at all started in the window: nothing shows the backend was
/// avoided.
///
/// ```
/// use jostle_harness::check::{Context, served_nothing};
/// use jostle_harness::load::{CallLog, CallOutcome, CallRecord, Method};
/// use std::time::Duration;
///
/// let s = Duration::from_secs;
/// let call = |index: u64, start: u64, backend: &str| CallRecord {
///     index, method: Method::CreateOrder, start: s(start), end: s(start) + Duration::from_millis(5),
///     outcome: CallOutcome::Ok, backend: Some(backend.into()), client: 0,
/// };
/// let log = CallLog { calls: vec![call(0, 1, "b"), call(1, 8, "a"), call(2, 30, "b")], seed: 1 };
/// let context = Context::default();
/// assert!(served_nothing(&log, "b", s(7), Some(s(27)), &context).passed);
/// assert!(!served_nothing(&log, "a", s(7), Some(s(27)), &context).passed);
/// let empty = served_nothing(&log, "b", s(10), Some(s(20)), &context);
/// assert!(!empty.passed, "no call in the window: no evidence, not a pass");
/// assert!(empty.explanation.contains("no evidence"));
/// ```
pub fn served_nothing(
    log: &CallLog,
    backend: &str,
    from: Duration,
    until: Option<Duration>,
    context: &Context,
) -> CheckResult {
    let window = within(from, until);
    let rule = format!("{backend} serves no OK call of the calls{window}");
    let inside: Vec<_> = log
        .calls
        .iter()
        .filter(|call| call.start >= from && until.is_none_or(|until| call.start < until))
        .collect();
    let served: Vec<_> = inside
        .iter()
        .filter(|call| call.outcome == CallOutcome::Ok && call.backend.as_deref() == Some(backend))
        .collect();
    let result = CheckResult::new("served-nothing", rule, context)
        .measure("served", served.len() as f64)
        .measure("calls", inside.len() as f64);
    if inside.is_empty() {
        return result.verdict(
            false,
            format!(
                "{NO_CALLS} (no evidence: the client started no call{window}, so nothing shows \
                 {backend} was left out)"
            ),
        );
    }
    match served.first() {
        None => result.verdict(
            true,
            format!("{backend} served none of the {} calls started in the window", inside.len()),
        ),
        Some(first) => result.verdict(
            false,
            format!(
                "{backend} served {} of the {} calls started in the window, the first started \
                 at {} ms",
                served.len(),
                inside.len(),
                first.start.as_millis()
            ),
        ),
    }
}
