//! Avoidable failures: a call may fail only because of a fault it met, or because the client
//! had no healthy backend to send it to. Any other failed call was the balancer's doing: it
//! routed a call where it should not have, kept routing calls to a backend it had seen go
//! down, or kept a call waiting while a healthy backend was there to take it.
//!
//! A `GetOrder` answered NOT_FOUND by a backend is not a failure: backends do not share
//! orders, so that is the correct answer for an order another backend created.
//!
//! A failed call (an error status, or a timeout) is excused when one of these holds, `grace`
//! being the time a correct balancer may take to notice and recover:
//!
//! - when it started, no backend was up for the client: a backend is up for the client only
//!   when it has been announced without a gap for the whole of the `grace` before and was not
//!   down (under a `refuse`, `reset`, `restart` or `flap` window open) at any moment of it. A
//!   client hears of a new backend, and connects to it, in a moment: a call at that moment may
//!   fail fast, as in gRPC, where a channel in TRANSIENT_FAILURE stays there until a
//!   connection is READY; and a withdrawal closes the client's connection to a backend, so one
//!   announced again is as new to it as one never announced;
//! - it met a window on the backend that answered it (on any backend when none answered):
//!   for a window that takes the backend down (those four kinds), the call started at most
//!   `grace` after the window opened: a balancer learns of a dead backend from the failures
//!   it sees, and must then stop sending it calls while another backend is up; for any other
//!   kind (a delay, a status, a hang, a drain...), the window was open while the call was
//!   under way or had closed less than `grace` before.
//!
//! ```
//! use jostle_harness::check::{Context, avoidable_failures};
//! use jostle_harness::fault::FaultWindow;
//! use jostle_harness::load::{CallLog, CallOutcome, CallRecord, Method};
//! use std::time::Duration;
//!
//! let ms = Duration::from_millis;
//! let call = |index, start: u64, outcome| CallRecord {
//!     index, method: Method::CreateOrder, start: ms(start), end: ms(start + 1), outcome,
//!     backend: None, client: 0,
//! };
//! let window = |kind, start, end| FaultWindow {
//!     id: 1, backend: "backend-1".into(), kind, detail: String::new(),
//!     start: ms(start), end: Some(ms(end)),
//! };
//! // Both backends announced throughout.
//! let announced = |_: Duration, _: Duration| vec!["backend-0", "backend-1"];
//! let grace = ms(500);
//! let unavailable = CallOutcome::Failed(tonic::Code::Unavailable);
//!
//! // Answers delayed past the deadline from 1 s to 2 s: a timeout then, or within the grace
//! // after, is excused…
//! let delay = [window("delay", 1000, 2000)];
//! let log = CallLog { calls: vec![call(0, 1200, CallOutcome::TimedOut), call(1, 2400, unavailable)], seed: 1 };
//! let held = avoidable_failures(&log, &delay, announced, grace, &Context::default());
//! assert!(held.passed, "{held}");
//! // …one well after it is not.
//! let log = CallLog { calls: vec![call(0, 3000, CallOutcome::TimedOut)], seed: 1 };
//! let broke = avoidable_failures(&log, &delay, announced, grace, &Context::default());
//! assert!(!broke.passed);
//! assert!(broke.explanation.contains("started at 3s"), "{}", broke.explanation);
//!
//! // backend-1 down from 1 s to 3 s while backend-0 is up: a call failing as it crashes is
//! // excused, one still failing 1.5 s into the outage is not: the balancer had time to learn.
//! let restart = [window("restart", 1000, 3000)];
//! let log = CallLog { calls: vec![call(0, 1000, unavailable), call(1, 1300, unavailable)], seed: 1 };
//! assert!(avoidable_failures(&log, &restart, announced, grace, &Context::default()).passed);
//! let log = CallLog { calls: vec![call(0, 2500, unavailable)], seed: 1 };
//! assert!(!avoidable_failures(&log, &restart, announced, grace, &Context::default()).passed);
//! ```

use super::{CheckResult, Context, NO_CALLS};
use crate::fault::{FaultWindow, Kind};
use crate::load::{CallLog, CallOutcome, CallRecord, Method};
use std::time::Duration;
use tonic::Code;

/// Every call that failed or timed out is excused (see the module docs); `announced(from, to)`
/// names the backends the client was told of without a gap from `from` to `to` (announced at
/// `from` and not withdrawn since, as [`Discovery::announced_throughout`](crate::scenario::Discovery::announced_throughout) reads a scenario's
/// discovery: a backend withdrawn and announced again in between is left out). The check fails, naming the first call, when
/// one is not; it passes over a run with no failed call (nothing failed, so nothing was
/// avoidable), and fails over a run with no call at all (it measured nothing).
pub fn avoidable_failures<'a>(
    log: &CallLog,
    windows: &[FaultWindow],
    announced: impl Fn(Duration, Duration) -> Vec<&'a str>,
    grace: Duration,
    context: &Context,
) -> CheckResult {
    let rule = format!(
        "a call fails only while it meets a fault (a backend going down: within {grace:?} of it; any other fault: while open or less than {grace:?} after), or when no backend is up (announced without a gap and not down for the {grace:?} before)"
    );
    let failed: Vec<&CallRecord> = log
        .calls
        .iter()
        .filter(|call| call.outcome != CallOutcome::Ok && !not_held(call))
        .collect();
    let avoidable: Vec<&&CallRecord> = failed
        .iter()
        .filter(|call| {
            !met_a_fault(call, windows, grace)
                && !nothing_up(call.start, windows, &announced, grace)
        })
        .collect();
    let result = CheckResult::new("avoidable-failures", rule, context)
        .measure("failed calls", failed.len() as f64)
        .measure("avoidable", avoidable.len() as f64);
    if log.calls.is_empty() {
        return result.verdict(false, NO_CALLS);
    }
    match avoidable.first() {
        None => result.verdict(
            true,
            format!(
                "{} of {} calls failed, each while it met a fault or with no backend up",
                failed.len(),
                log.calls.len()
            ),
        ),
        Some(first) => {
            let how = match first.outcome {
                CallOutcome::Failed(code) => format!("failed {code:?}"),
                _ => "timed out".to_owned(),
            };
            let by = first.backend.as_deref().map_or_else(
                || "no backend answered".to_owned(),
                |backend| format!("answered by {backend}"),
            );
            result.verdict(
                false,
                format!(
                    "{} of {} failed calls met no fault; the first, call {} (client {}), started at {:?} and {how} after {:?}, {by}",
                    avoidable.len(),
                    failed.len(),
                    first.index,
                    first.client,
                    first.start,
                    first.latency()
                ),
            )
        }
    }
}

/// Whether the call is a `GetOrder` that a backend answered NOT_FOUND: each backend holds
/// only the orders it created, so that is the service's correct answer to an order another
/// one holds, not a failure any balancer could avoid.
fn not_held(call: &CallRecord) -> bool {
    call.method == Method::GetOrder
        && call.outcome == CallOutcome::Failed(Code::NotFound)
        && call.backend.is_some()
}

/// Whether `kind` takes its backend down while its window is open ([`Kind::takes_backend_down`]).
fn takes_down(window: &FaultWindow) -> bool {
    Kind::from_name(window.kind).is_some_and(Kind::takes_backend_down)
}

/// Whether the call met a window on its backend (any backend when none answered) that excuses
/// it.
fn met_a_fault(call: &CallRecord, windows: &[FaultWindow], grace: Duration) -> bool {
    windows.iter().any(|window| {
        let on_it = call.backend.as_ref().is_none_or(|backend| *backend == window.backend);
        let excused_until = if takes_down(window) {
            window.start.saturating_add(grace)
        } else {
            window.end.map_or(Duration::MAX, |end| end.saturating_add(grace))
        };
        on_it && call.end >= window.start && call.start <= excused_until
    })
}

/// Whether, at `at`, no backend was up for the client: each one announced without a gap for
/// the whole of the `grace` before had been down at some moment of it (it may still be in its
/// reconnect backoff). One announced, or announced again after a withdrawal, less than `grace`
/// before is not up: the client may not have heard of it, or not connected to it yet.
fn nothing_up<'a>(
    at: Duration,
    windows: &[FaultWindow],
    announced: &impl Fn(Duration, Duration) -> Vec<&'a str>,
    grace: Duration,
) -> bool {
    let since = at.saturating_sub(grace);
    announced(since, at).iter().all(|backend| {
        windows.iter().any(|window| {
            window.backend == *backend
                && takes_down(window)
                && window.start <= at
                && window.end.is_none_or(|end| end >= since)
        })
    })
}
