//! Which backend each call was sent to, and the code a failed call ended with at the client:
//! what the report's failures per backend count.
//!
//! A call is attributed to a backend by, in this order: the backend that answered it (the
//! [`BACKEND_HEADER`](crate::BACKEND_HEADER) of its response or error status, as the call log
//! records it); else, in a run jostle played itself, the backend that received it (each backend
//! keeps the name jostle's load driver puts on every call, [`CALL_HEADER`](crate::CALL_HEADER):
//! a call the client gave up on has no answer but did reach a backend; with retries, the last
//! backend it reached). A call that reached no backend (a refused connection, a call failed in
//! the client) is attributed to none and counted as such: never guessed. A backend keeps the
//! names of its first [`MAX_CALLS_SEEN`](crate::record::MAX_CALLS_SEEN) calls and counts the
//! rest (`arrivals_not_kept` in the report): the report says when attribution is partial. No
//! check reads attribution, so no verdict rests on it.
//!
//! ```
//! use jostle_harness::load::{CallLog, CallOutcome, CallRecord, Method};
//! use jostle_harness::report::{client_code, sent_by_header};
//! use std::time::Duration;
//!
//! let call = CallRecord {
//!     index: 0,
//!     method: Method::GetOrder,
//!     start: Duration::ZERO,
//!     end: Duration::from_millis(300),
//!     outcome: CallOutcome::TimedOut,
//!     backend: None,
//!     client: 0,
//! };
//! let log = CallLog { calls: vec![call], seed: 1 };
//! assert_eq!(sent_by_header(&log, &["backend-0".to_owned()]), vec![None]);
//! assert_eq!(client_code(CallOutcome::TimedOut).as_deref(), Some("DeadlineExceeded"));
//! ```

use crate::load::{CallLog, CallOutcome};
use std::collections::HashMap;

/// The backend (index into `names`) that answered each call of `log`, by its header; `None`
/// for a call without one.
pub fn sent_by_header(log: &CallLog, names: &[String]) -> Vec<Option<usize>> {
    let position: HashMap<&str, usize> =
        names.iter().enumerate().map(|(i, name)| (name.as_str(), i)).collect();
    log.calls
        .iter()
        .map(|call| call.backend.as_deref().and_then(|name| position.get(name).copied()))
        .collect()
}

/// The code a call ended with as the client saw it, named as tonic names codes
/// (`Unavailable`); `None` for an OK call. A call that ended at its deadline is
/// `DeadlineExceeded` whichever layer ended it (gRPC's `DEADLINE_EXCEEDED`, tonic's own
/// `Cancelled: Timeout expired`, or the load driver's guard).
pub fn client_code(outcome: CallOutcome) -> Option<String> {
    match outcome {
        CallOutcome::Ok => None,
        CallOutcome::Failed(code) => Some(format!("{code:?}")),
        CallOutcome::TimedOut => Some("DeadlineExceeded".to_owned()),
    }
}
