//! One call record as a line of JSON: the fields, the status code names, and the conversion
//! to and from the runner's [`CallRecord`].

use crate::load::{CallOutcome, CallRecord, Method};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tonic::Code;

/// One call as a record line writes it (docs/calls.schema.json).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Line {
    pub(super) client: u64,
    pub(super) method: String,
    pub(super) start_ms: f64,
    pub(super) end_ms: f64,
    pub(super) status: String,
    #[serde(deserialize_with = "present")]
    pub(super) backend: Option<String>,
    #[serde(deserialize_with = "present")]
    pub(super) deadline_ms: Option<f64>,
}

/// A field that may be null but must be there (serde takes a missing `Option` for `None`
/// unless it is read this way).
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}

/// gRPC's status code names, as its documents (and grpcio's `StatusCode.name`) spell them, by
/// code number.
pub const CODE_NAMES: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

/// The methods a record may name, as backends count them.
pub(super) const METHODS: [Method; 3] =
    [Method::CreateOrder, Method::GetOrder, Method::WatchOrders];

/// `duration` in milliseconds, to the nanosecond.
pub(super) fn millis(duration: Duration) -> f64 {
    duration.as_nanos() as f64 / 1e6
}

/// `millis` (checked: finite, not negative, in range) as a duration, to the nanosecond.
#[allow(
    clippy::cast_possible_truncation,
    reason = "checked by the reader: 0 to MAX_TIME_MS, whose nanoseconds fit in a u64"
)]
pub(super) fn duration(millis: f64) -> Duration {
    Duration::from_nanos((millis * 1e6).round() as u64)
}

/// The status a record writes for `outcome`: a call at its deadline is `DEADLINE_EXCEEDED`,
/// whichever layer ended it.
pub(super) fn status(outcome: CallOutcome) -> &'static str {
    match outcome {
        CallOutcome::Ok => CODE_NAMES[0],
        CallOutcome::TimedOut => CODE_NAMES[Code::DeadlineExceeded as usize],
        CallOutcome::Failed(code) => CODE_NAMES.get(code as usize).copied().unwrap_or("UNKNOWN"),
    }
}

/// The outcome of a record's `status`, or `None` for a name that is not a gRPC code's.
pub(super) fn outcome(status: &str) -> Option<CallOutcome> {
    let number = CODE_NAMES.iter().position(|name| *name == status)?;
    Some(match Code::from_i32(i32::try_from(number).ok()?) {
        Code::Ok => CallOutcome::Ok,
        Code::DeadlineExceeded => CallOutcome::TimedOut,
        code => CallOutcome::Failed(code),
    })
}

impl Line {
    /// The line of `call`, sent with `deadline`.
    pub(super) fn of(call: &CallRecord, deadline: Option<Duration>) -> Self {
        Self {
            client: call.client as u64,
            method: call.method.name().to_owned(),
            start_ms: millis(call.start),
            end_ms: millis(call.end),
            status: status(call.outcome).to_owned(),
            backend: call.backend.clone(),
            deadline_ms: deadline.map(millis),
        }
    }
}
