//! Reading a call records file: line by line, each line bounded, every value checked against
//! the scenario it is judged by, every error placed at FILE:LINE:COLUMN.

use super::line::{self, Line, METHODS};
use super::{MAX_LINE_BYTES, MAX_TIME_MS, RecordsError};
use crate::load::limits::{MAX_CALLS, MAX_CLIENTS, MAX_DURATION};
use crate::load::{CallLog, CallRecord};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::time::Duration;

/// What the records must fit: the scenario's clients, backends and deadline.
#[derive(Debug, Clone, Copy)]
pub struct Fit<'a> {
    /// How many clients the scenario runs: a record's `client` is below it.
    pub clients: usize,
    /// The scenario's backends' names: a record's `backend` is one of them, or null.
    pub backends: &'a [String],
    /// The deadline every call of the scenario carries: a record's `deadline_ms` is it, or
    /// null.
    pub deadline: Duration,
}

/// Reads the call records at `path`, each checked against `fit`; the log, in file order
/// (a record's number in the file is its call's index).
///
/// # Errors
///
/// [`RecordsError`]: the file cannot be read or is not a regular file, has no record, more
/// than [`MAX_CALLS`] of them, or a line that is not a valid record (longer than
/// [`MAX_LINE_BYTES`], not JSON, a field missing, unknown or out of range, an unknown status
/// name, an end before its start).
pub fn read(path: &Path, fit: &Fit<'_>) -> Result<CallLog, RecordsError> {
    let file = path.display().to_string();
    let opened = std::fs::File::open(path)
        .map_err(|source| RecordsError::Read { file: file.clone(), source })?;
    let metadata =
        opened.metadata().map_err(|source| RecordsError::Read { file: file.clone(), source })?;
    if !metadata.is_file() {
        let kind = crate::scenario::file_kind(&metadata);
        return Err(RecordsError::NotAFile { file, kind });
    }
    let mut reader = BufReader::new(opened);
    let mut calls = Vec::new();
    let mut buffer = Vec::new();
    for number in 1_usize.. {
        buffer.clear();
        let limit = (MAX_LINE_BYTES + 1) as u64;
        let read = (&mut reader)
            .take(limit)
            .read_until(b'\n', &mut buffer)
            .map_err(|source| RecordsError::Read { file: file.clone(), source })?;
        if read == 0 {
            break;
        }
        let invalid = |column: usize, problem: String, expected: &str| RecordsError::Invalid {
            file: file.clone(),
            line: number,
            column,
            problem,
            expected: expected.to_owned(),
        };
        if buffer.last() != Some(&b'\n') && buffer.len() > MAX_LINE_BYTES {
            return Err(invalid(
                MAX_LINE_BYTES + 1,
                format!("a line longer than {MAX_LINE_BYTES} bytes"),
                "one call a line, each at most that long",
            ));
        }
        let text = std::str::from_utf8(&buffer).map_err(|error| {
            invalid(error.valid_up_to() + 1, "a line that is not UTF-8".into(), "UTF-8 text")
        })?;
        let text = text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        if calls.len() as u64 >= MAX_CALLS {
            return Err(invalid(
                1,
                format!("more than {MAX_CALLS} records"),
                "at most as many calls as one run makes",
            ));
        }
        let record: Line = serde_json::from_str(text).map_err(|error| {
            invalid(error.column().max(1), without_place(&error), super::EXPECTED_LINE)
        })?;
        let at = |field: &str| column_of(text, field);
        let index = calls.len() as u64;
        calls.push(checked(record, index, fit, |field, problem, expected| {
            invalid(at(field), problem, expected)
        })?);
    }
    if calls.is_empty() {
        return Err(RecordsError::Invalid {
            file,
            line: 1,
            column: 1,
            problem: "no call record".into(),
            expected: "one call a line, as JSON (docs/calls.schema.json): a judge of zero calls proves nothing".into(),
        });
    }
    Ok(CallLog { calls, seed: 0 })
}

/// The record of `line`, the `index`-th of its file, once every value is checked.
fn checked(
    line: Line,
    index: u64,
    fit: &Fit<'_>,
    invalid: impl Fn(&str, String, &str) -> RecordsError,
) -> Result<CallRecord, RecordsError> {
    let client = usize::try_from(line.client).ok().filter(|&client| client < fit.clients);
    let Some(client) = client else {
        let clients = fit.clients.min(MAX_CLIENTS);
        return Err(invalid(
            "client",
            format!("client {}", line.client),
            &format!(
                "a client number from 0 to {} (the scenario's [load] clients)",
                clients.saturating_sub(1)
            ),
        ));
    };
    let Some(&method) = METHODS.iter().find(|method| method.name() == line.method) else {
        return Err(invalid(
            "method",
            format!("method {:?}", line.method),
            "CreateOrder, GetOrder or WatchOrders",
        ));
    };
    for (field, value) in [("start_ms", line.start_ms), ("end_ms", line.end_ms)] {
        if !(0.0..=MAX_TIME_MS).contains(&value) {
            return Err(invalid(
                field,
                format!("{field} {value}"),
                &format!("milliseconds since the scenario's origin, from 0 to {MAX_TIME_MS}"),
            ));
        }
    }
    let (start, end) = (line::duration(line.start_ms), line::duration(line.end_ms));
    if end < start {
        return Err(invalid(
            "end_ms",
            format!("end_ms {} before start_ms {}", line.end_ms, line.start_ms),
            "a call that ends at or after its start",
        ));
    }
    let Some(outcome) = line::outcome(&line.status) else {
        return Err(invalid(
            "status",
            format!("status {:?}", line.status),
            "a gRPC status code name in capitals: OK, CANCELLED, UNKNOWN, ..., UNAVAILABLE, DEADLINE_EXCEEDED (docs/calls.schema.json)",
        ));
    };
    if let Some(backend) = &line.backend
        && !fit.backends.contains(backend)
    {
        let names = match fit.backends {
            [] => "none".to_owned(),
            [one] => one.clone(),
            [first, .., last] => format!("{first} to {last}"),
        };
        return Err(invalid(
            "backend",
            format!("backend {backend:?}"),
            &format!("one of the scenario's backends ({names}), or null when none answered"),
        ));
    }
    if let Some(deadline) = line.deadline_ms {
        let max = line::millis(MAX_DURATION);
        if !(deadline > 0.0 && deadline <= max) || line::duration(deadline) != fit.deadline {
            return Err(invalid(
                "deadline_ms",
                format!("deadline_ms {deadline}"),
                &format!(
                    "the scenario's deadline, {} ms (the timeout check judges calls by it), or null",
                    line::millis(fit.deadline)
                ),
            ));
        }
    }
    Ok(CallRecord { index, method, start, end, outcome, backend: line.backend, client })
}

/// The column (from 1, in characters) where `field`'s key is in `text`, or 1.
fn column_of(text: &str, field: &str) -> usize {
    let key = format!("\"{field}\"");
    text.find(&key).map_or(1, |at| text[..at].chars().count() + 1)
}

/// serde_json's message without the place it appends (` at line 1 column 7`): the error
/// gives the place itself.
fn without_place(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}
