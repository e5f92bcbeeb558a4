//! [`Table`]: a scenario's `[expect]` table as written, each value with its place in the file,
//! for the rules' readers: a bad value gets a FILE:LINE:COLUMN error.

use crate::scenario::Discovery;
use crate::scenario::ScenarioError;
use crate::scenario::error::Source;
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

/// A duration as a scenario file writes it: whole milliseconds (`"250ms"`).
pub(super) fn duration(value: Duration) -> String {
    format!("\"{}ms\"", value.as_millis())
}

/// A bound's `backend` (an index within the cluster) and `after` (zero when not given).
///
/// # Errors
///
/// The index is out of range, located.
pub(crate) fn backend_from(
    table: &Table<'_>,
    backend: &Spanned<i64>,
    after: Option<&Spanned<crate::scenario::duration::Dur>>,
) -> Result<(usize, Duration), ScenarioError> {
    let index = crate::scenario::values::backend_index(backend, table.backends, table.source())?;
    Ok((index, after.map_or(Duration::ZERO, |after| after.get_ref().0)))
}

/// `{ backend = B, BOUND, after = "…" }` (no `after` when it is zero).
pub(crate) fn write_from(backend: usize, bound: &str, after: Duration) -> String {
    if after.is_zero() {
        format!("{{ backend = {backend}, {bound} }}")
    } else {
        format!("{{ backend = {backend}, {bound}, after = {} }}", duration(after))
    }
}
