//! Call records: every call a client made, one JSON object a line (docs/calls.schema.json),
//! from any client in any language; what `jostle run --calls` writes and what `jostle judge`
//! and `jostle serve --calls` read, so that the one set of checks judges them all.
//!
//! A line: `client` (from 0), `method` (`CreateOrder`, `GetOrder`, `WatchOrders`),
//! `start_ms` and `end_ms` (milliseconds since the scenario's origin, fractions to the
//! nanosecond), `status` (a gRPC status code name: `OK`, `UNAVAILABLE`, ...; a call ended at
//! its deadline is `DEADLINE_EXCEEDED` whichever layer ended it), `backend` (the
//! `x-jostle-backend` or `hostname` header of the answer, or null) and `deadline_ms` (or
//! null).
//!
//! ```
//! use jostle_harness::calls::{self, Fit};
//! use jostle_harness::load::{CallLog, CallOutcome, CallRecord, Method};
//! use std::time::Duration;
//!
//! let call = CallRecord {
//!     index: 0,
//!     method: Method::CreateOrder,
//!     start: Duration::from_micros(1500),
//!     end: Duration::from_millis(3),
//!     outcome: CallOutcome::Ok,
//!     backend: Some("backend-0".into()),
//!     client: 0,
//! };
//! let log = CallLog { calls: vec![call], seed: 0 };
//! let deadline = Duration::from_secs(1);
//! let text = calls::lines(&log, Some(deadline));
//! assert_eq!(
//!     text,
//!     "{\"client\":0,\"method\":\"CreateOrder\",\"start_ms\":1.5,\"end_ms\":3.0,\
//!      \"status\":\"OK\",\"backend\":\"backend-0\",\"deadline_ms\":1000.0}\n"
//! );
//! let dir = tempfile::tempdir()?;
//! let file = dir.path().join("calls.jsonl");
//! std::fs::write(&file, &text)?;
//! let backends = ["backend-0".to_owned()];
//! let read = calls::read(&file, &Fit { clients: 1, backends: &backends, deadline })?;
//! assert_eq!(read, log, "a record written and read back is the same call");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod line;
mod read;

pub use line::CODE_NAMES;
pub use read::{Fit, read};

use crate::load::CallLog;
use std::io;
use std::time::Duration;

/// The longest record line, in bytes: a record is about 150 bytes, a backend name at most
/// a few dozen.
pub const MAX_LINE_BYTES: usize = 4096;

/// The latest time a record may give, in milliseconds since the scenario's origin: 72 hours
/// (a warm-up and a load of 24 h each at most, and a call's end after them).
pub const MAX_TIME_MS: f64 = 259_200_000.0;

/// What a record line must be, for messages.
const EXPECTED_LINE: &str = "a JSON object with client, method, start_ms, end_ms, status, \
     backend and deadline_ms (docs/calls.schema.json)";

/// Why a call records file was rejected.
///
/// [`RecordsError::Invalid`] displays as `FILE:LINE:COLUMN: what was wrong; expected ...`;
/// lines and columns count from 1.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordsError {
    /// The file could not be read.
    #[error("cannot read {file}: {source}")]
    Read {
        /// The path, as given.
        file: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The path is not a regular file.
    #[error("cannot read {file}: it is {kind}; expected a regular file of call records")]
    NotAFile {
        /// The path, as given.
        file: String,
        /// What it is: `a directory`, `a FIFO`, ...
        kind: &'static str,
    },
    /// A line is not a valid record, or the file holds none or too many.
    #[error("{file}:{line}:{column}: {problem}; expected {expected}")]
    Invalid {
        /// The path, as given.
        file: String,
        /// The line, from 1.
        line: usize,
        /// The column, from 1.
        column: usize,
        /// What was wrong.
        problem: String,
        /// What was expected instead.
        expected: String,
    },
}

/// Every call of `log` as a record line, in log order, each sent with `deadline` (`None`:
/// null, no deadline).
pub fn lines(log: &CallLog, deadline: Option<Duration>) -> String {
    let mut text = String::with_capacity(log.calls.len() * 160);
    for call in &log.calls {
        // Plain data into a String: serialising cannot fail.
        text.push_str(&serde_json::to_string(&line::Line::of(call, deadline)).unwrap_or_default());
        text.push('\n');
    }
    text
}
