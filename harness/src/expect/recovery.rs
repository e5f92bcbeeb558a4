//! `recovery`: a backend back from its fault (the end of its last fault window) or newly
//! announced (its last announcement), whichever is later, serves again within `within` of its
//! return, then at least `at_least` of its fair share; with `at_most`, it is never flooded
//! either (judged by [`check::recovery`] and [`check::flood::bound`]).
//!
//! ```
//! use jostle_harness::expect::RecoveryExpectation;
//! use std::time::Duration;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\nrecovery = { backend = 1, within = \"1s\", at_least = 0.5, at_most = 3.0 }\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let recovery = story.expect().get::<RecoveryExpectation>().unwrap();
//! assert_eq!((recovery.at_most, recovery.window), (Some(3.0), Duration::from_millis(250)));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use super::table::Table;
use crate::check::{self, CheckResult};
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
use crate::scenario::values::{backend_index, fraction, positive};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;

/// The window recovery's upper bound is judged in, unless `window` says otherwise.
pub const FLOOD_WINDOW: Duration = Duration::from_millis(250);

/// A backend back from its fault, or newly announced, serves again, and its share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecoveryExpectation {
    /// The backend's index.
    pub backend: usize,
    /// How soon after its return it must serve again.
    pub within: Duration,
    /// Its least share after that, as a fraction of its fair share (0 to 1).
    pub at_least: f64,
    /// Its largest share in any `window` from its return on, as a multiple of its fair share
    /// (`None`: no upper bound).
    pub at_most: Option<f64>,
    /// The window `at_most` is judged in (default 250 ms).
    pub window: Duration,
}

/// `[expect.recovery]`.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `backend`, `within`, `at_least`, `at_most`, `window` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
struct RawRecovery {
    backend: Spanned<i64>,
    within: Spanned<Dur>,
    at_least: Spanned<f64>,
    at_most: Option<Spanned<f64>>,
    window: Option<Spanned<Dur>>,
}

/// Reads `recovery`.
pub(super) const READER: Reader =
    Reader { name: "recovery", keys: &["recovery"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let Some(recovery) = table.get::<RawRecovery>("recovery")? else { return Ok(None) };
    let recovery = recovery.get_ref();
    let source = table.source();
    Ok(Some(Arc::new(RecoveryExpectation {
        backend: backend_index(&recovery.backend, table.backends, source)?,
        within: positive(&recovery.within, "within", source)?,
        at_least: fraction(&recovery.at_least, "at_least", source)?,
        at_most: flood_bound(recovery, table)?,
        window: match &recovery.window {
            Some(window) => positive(window, "window", source)?,
            None => FLOOD_WINDOW,
        },
    })))
}

/// `recovery`'s `at_most`: a multiple of the fair share, at least 1.
fn flood_bound(recovery: &RawRecovery, table: &Table<'_>) -> Result<Option<f64>, ScenarioError> {
    let Some(at_most) = &recovery.at_most else {
        if let Some(window) = &recovery.window {
            return Err(table.error(
                window.span(),
                "`window` without `at_most`",
                "`at_most` beside it (the multiple of the fair share a window may reach)",
            ));
        }
        return Ok(None);
    };
    let value = *at_most.get_ref();
    if !(1.0..=1000.0).contains(&value) {
        return Err(table.error(
            at_most.span(),
            format!("`at_most` is {value}"),
            "a multiple of the fair share in 1..=1000 (2 for twice its fair share)",
        ));
    }
    Ok(Some(value))
}

impl Rule for RecoveryExpectation {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let Calls { scenario, windows, log, names, context, .. } = *calls;
        let name = &names[self.backend];
        let fault_end = windows.iter().filter(|w| &w.backend == name).filter_map(|w| w.end).max();
        let announced = scenario.discovery().announced_last(self.backend, Duration::MAX);
        // Announced after every fault ended, and never before: added, not back.
        let added = announced.is_some_and(|at| fault_end.is_none_or(|end| at >= end))
            && !scenario.discovery().initial.contains(&self.backend);
        let Some(back_at) = fault_end.max(announced) else {
            return vec![Judged::Check(CheckResult::failed(
                READER.name,
                "a backend back from its fault serves again",
                context,
                &format!(
                    "{name} had no fault that ended and was not announced later: nothing to recover from"
                ),
            ))];
        };
        let back = if added { check::Back::Added(back_at) } else { check::Back::Returned(back_at) };
        let fair = scenario.discovery().last().len();
        let recovered = check::recovery(log, name, back, self.within, fair, self.at_least, context);
        vec![Judged::Check(match self.at_most {
            Some(at_most) => check::flood::bound(
                recovered,
                log,
                name,
                back,
                self.window,
                |at| scenario.discovery().at(at).len(),
                at_most,
            ),
            None => recovered,
        })]
    }

    fn write(&self, toml: &mut ExpectLines) {
        if self.at_most.is_none() && self.window != FLOOD_WINDOW {
            toml.refuse(
                format!("a `window` ({:?}) without `at_most`", self.window),
                format!("`at_most` beside it, or the default window ({FLOOD_WINDOW:?})"),
            );
        }
        let bound = self.at_most.map_or(String::new(), |at_most| {
            format!(", at_most = {at_most:?}, window = {}", toml.duration("window", self.window))
        });
        toml.push_str(&format!(
            "recovery = {{ backend = {}, within = {}, at_least = {:?}{bound} }}\n",
            self.backend,
            toml.duration("within", self.within),
            self.at_least
        ));
    }
}
