//! [`Table`]: a scenario's `[expect]` table as written, each value with its place in the file,
//! for the rules' readers: a bad value gets a FILE:LINE:COLUMN error.

use super::lines::ExpectLines;
use crate::check::CheckResult;
use crate::load::CallLog;
use crate::scenario::Discovery;
use crate::scenario::ScenarioError;
use crate::scenario::error::Source;
use crate::scenario::window::{Written, window};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IntoDeserializer};
use std::ops::Range;
use std::time::Duration;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// `[expect]` as written, with what its readers check it against.
#[derive(Debug, Clone, Copy)]
pub struct Table<'a> {
    pub(crate) source: &'a Source<'a>,
    pub(crate) entries: &'a DeTable<'a>,
    /// The cluster's number of backends.
    pub backends: usize,
    /// The scenario's discovery, when it was read without error.
    pub discovery: Option<&'a Discovery>,
    /// When the load is over (warm-up and duration, since the cluster started), when a
    /// duration bounds it and it was read without error: windows must start before it.
    pub load_end: Option<Duration>,
    /// Whether the balancer under test waits for a ready backend (jostle's `wait_for_ready`);
    /// `None` when it is not one of jostle's or it was not read.
    pub wait_for_ready: Option<bool>,
}

impl Table<'_> {
    /// The value of `key`, read as `T`; `None` when the table does not have it.
    ///
    /// # Errors
    ///
    /// The value is not a `T`, located.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<Spanned<T>>, ScenarioError> {
        let Some(value) = self.value(key) else { return Ok(None) };
        Spanned::<T>::deserialize(value.clone().into_deserializer())
            .map(Some)
            .map_err(|error| self.source.toml_error(&error))
    }

    /// Every entry of the array of tables `key`, each read by `read`; `None` when the table
    /// has no such key or an empty array.
    ///
    /// # Errors
    ///
    /// The value is not an array of `T`, or `read`'s error.
    pub(crate) fn each<T: DeserializeOwned, R>(
        &self,
        key: &str,
        read: impl Fn(&T) -> Result<R, ScenarioError>,
    ) -> Result<Option<Vec<R>>, ScenarioError> {
        let Some(written) = self.get::<Vec<Spanned<T>>>(key)? else { return Ok(None) };
        let read: Vec<R> = written
            .get_ref()
            .iter()
            .map(|entry| read(entry.get_ref()))
            .collect::<Result<_, _>>()?;
        Ok((!read.is_empty()).then_some(read))
    }

    /// Where `key`'s value is written, if it is.
    pub fn span(&self, key: &str) -> Option<Range<usize>> {
        self.value(key).map(Spanned::span)
    }

    fn value(&self, key: &str) -> Option<&Spanned<DeValue<'_>>> {
        self.entries.iter().find(|(name, _)| name.get_ref() == key).map(|(_, value)| value)
    }

    /// An error at the start of `span`.
    pub fn error(
        &self,
        span: Range<usize>,
        problem: impl Into<String>,
        expected: impl Into<String>,
    ) -> ScenarioError {
        self.source.error(span, problem, expected)
    }

    /// The source the values are read from (for the shared value checks).
    pub(crate) fn source(&self) -> &Source<'_> {
        self.source
    }
}

/// A bound's `backend` (an index within the cluster) and its window of scenario time: `from`
/// (or its older name `after`; zero when neither is given) and `until` (`None`: the end of the
/// run), read by [`window`](crate::scenario::window::window).
///
/// # Errors
///
/// The index is out of range, both `from` and `after`, an `until` not after the start, a start
/// when the load is over: located.
pub(crate) fn backend_window(
    table: &Table<'_>,
    backend: &Spanned<i64>,
    written: &Written<'_>,
) -> Result<(usize, Duration, Option<Duration>), ScenarioError> {
    let (from, until) = window(written, table.source(), table.load_end)?;
    let index = crate::scenario::values::backend_index(backend, table.backends, table.source())?;
    Ok((index, from, until))
}

/// `{ backend = B, BOUND, from = "…", until = "…" }` (no `from` when it is zero, no `until`
/// when the window runs to the end).
pub(crate) fn write_window(
    toml: &ExpectLines,
    backend: usize,
    bound: Option<&str>,
    from: Duration,
    until: Option<Duration>,
) -> String {
    let mut text = format!("{{ backend = {backend}");
    if let Some(bound) = bound {
        text.push_str(&format!(", {bound}"));
    }
    if !from.is_zero() {
        text.push_str(&format!(", from = {}", toml.duration("from", from)));
    }
    if let Some(until) = until {
        text.push_str(&format!(", until = {}", toml.duration("until", until)));
    }
    text + " }"
}

/// `judged`, failed over a window that starts at `from`, with the words that say the window
/// lies past the run when no call started from `from` on (the run ended first).
pub(crate) fn past_the_run(mut judged: CheckResult, log: &CallLog, from: Duration) -> CheckResult {
    if !judged.passed && !log.calls.iter().any(|call| call.start >= from) {
        let last = log.calls.iter().map(|call| call.start).max().unwrap_or_default();
        judged.explanation.push_str(&format!(
            "; the window starts at {} ms, past the run: its last call started at {} ms",
            from.as_millis(),
            last.as_millis()
        ));
    }
    judged
}
