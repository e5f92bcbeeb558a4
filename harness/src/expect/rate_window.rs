//! The windows the failure rates count in: one both share, `failure_rate_from` and
//! `failure_rate_until` (since the cluster started; the whole run when not given), and the
//! lower bound's own, `min_failure_rate_from` and `min_failure_rate_until`, for a
//! `min_failure_rate` that counts in another window than `max_failure_rate`.
//!
//! ```
//! use jostle_harness::expect::{FailureRate, MinFailureRate};
//! use std::time::Duration;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 1\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\nmax_failure_rate = 0.1\nfailure_rate_from = \"1s\"\n\
//!     min_failure_rate = 0.5\nmin_failure_rate_from = \"2s\"\nmin_failure_rate_until = \"3s\"\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let (max, min) = (story.expect().get::<FailureRate>().unwrap(), story.expect().get::<MinFailureRate>().unwrap());
//! assert_eq!((max.from, max.until), (Duration::from_secs(1), None));
//! assert_eq!((min.from, min.until), (Duration::from_secs(2), Some(Duration::from_secs(3))));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::lines::ExpectLines;
use super::table::Table;
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
use crate::scenario::window::{Written, window};
use std::time::Duration;
use toml::Spanned;

/// The keys of the window both rates count in.
pub(super) const SHARED: [&str; 2] = ["failure_rate_from", "failure_rate_until"];

/// The keys of the lower bound's own window.
pub(super) const OWN_MIN: [&str; 2] = ["min_failure_rate_from", "min_failure_rate_until"];

/// A window: where it starts, where it ends (`None`: at the end of the run).
type Window = (Duration, Option<Duration>);

/// A window's keys as a file writes them: `from`, `until`, each if given.
type Keys = (Option<Spanned<Dur>>, Option<Spanned<Dur>>);

/// The shared window: zero to the end of the run when not given.
///
/// # Errors
///
/// A window no rate counts in (neither rate, or only a lower bound with its own window), a
/// backwards one, one that starts when the load is over: located.
pub(super) fn shared(table: &Table<'_>) -> Result<Window, ScenarioError> {
    let (from, until) = read(table, SHARED)?;
    let own = OWN_MIN.iter().any(|key| table.span(key).is_some());
    let min = table.span("min_failure_rate").is_some() && !own;
    let rated = table.span("max_failure_rate").is_some() || min;
    if let (Some(written), false) = (from.as_ref().or(until.as_ref()), rated) {
        let [from_key, until_key] = SHARED;
        let name = if from.is_some() { from_key } else { until_key };
        if own {
            return Err(table.error(
                written.span(),
                format!(
                    "`{name}` counts for no rate: `min_failure_rate` counts in its own window \
                     (`min_failure_rate_from`, `min_failure_rate_until`)"
                ),
                "`max_failure_rate` beside it, or no shared window",
            ));
        }
        return Err(table.error(
            written.span(),
            format!("`{name}` without `max_failure_rate` or `min_failure_rate`"),
            "`max_failure_rate` or `min_failure_rate` beside it",
        ));
    }
    checked(&from, &until, SHARED, table)
}

/// The lower bound's window: its own when either of its keys is given (zero to the end of the
/// run for a key not given), else the shared one.
///
/// # Errors
///
/// Its own keys without `min_failure_rate`, a backwards window, one that starts when the load
/// is over: located.
pub(super) fn min(table: &Table<'_>) -> Result<Window, ScenarioError> {
    let (from, until) = read(table, OWN_MIN)?;
    let Some(written) = from.as_ref().or(until.as_ref()) else { return shared(table) };
    if table.span("min_failure_rate").is_none() {
        let name = if from.is_some() { OWN_MIN[0] } else { OWN_MIN[1] };
        return Err(table.error(
            written.span(),
            format!("`{name}` without `min_failure_rate`"),
            "`min_failure_rate` beside it",
        ));
    }
    checked(&from, &until, OWN_MIN, table)
}

/// Whether the lower bound's own keys are given without it: an error [`min`] gives.
pub(super) fn own_without_min(table: &Table<'_>) -> Result<(), ScenarioError> {
    match table.span("min_failure_rate") {
        Some(_) => Ok(()),
        None => min(table).map(|_| ()),
    }
}

fn read(table: &Table<'_>, [from, until]: [&str; 2]) -> Result<Keys, ScenarioError> {
    Ok((table.get::<Dur>(from)?, table.get::<Dur>(until)?))
}

fn checked(
    from: &Option<Spanned<Dur>>,
    until: &Option<Spanned<Dur>>,
    keys: [&'static str; 2],
    table: &Table<'_>,
) -> Result<Window, ScenarioError> {
    let written = Written { after: None, from: from.as_ref(), until: until.as_ref(), keys };
    window(&written, table.source(), table.load_end)
}

/// The lines of `window` under `keys`; `from` written even when zero when `always_from`.
fn lines(toml: &ExpectLines, keys: [&str; 2], (from, until): Window, always_from: bool) -> String {
    let mut text = String::new();
    if always_from || !from.is_zero() {
        text.push_str(&format!("{} = {}\n", keys[0], toml.duration(keys[0], from)));
    }
    if let Some(until) = until {
        text.push_str(&format!("{} = {}\n", keys[1], toml.duration(keys[1], until)));
    }
    text
}

/// Writes the upper bound's window: the shared one (the rates are written in report order,
/// the upper bound first). Refused when a lower bound wrote the shared window first with
/// other values.
pub(super) fn write_max(toml: &mut ExpectLines, window: Window) {
    let shared = lines(toml, SHARED, window, false);
    if !toml.shared(&SHARED, shared) {
        toml.refuse(
            "its window differs from the one `min_failure_rate` wrote first",
            "`max_failure_rate` written before `min_failure_rate` (report order)",
        );
    }
}

/// Writes the lower bound's window: the shared one when no upper bound wrote it or it wrote
/// the same; else its own keys (`min_failure_rate_from` always, so that the window reads as
/// its own even when it is the whole run).
pub(super) fn write_min(toml: &mut ExpectLines, window: Window) {
    let shared = lines(toml, SHARED, window, false);
    if !toml.shared(&SHARED, shared) {
        let own = lines(toml, OWN_MIN, window, true);
        toml.push_str(&own);
    }
}
