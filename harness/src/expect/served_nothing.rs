//! `served-nothing`: a backend serves no OK call among the calls started in a window (a bad
//! pod left alone, a withdrawn one gone quiet), `[[expect.served_nothing]]` (judged by
//! [`check::served_nothing`]).
//!
//! ```
//! use jostle_harness::expect::ServedNothing;
//! use std::time::Duration;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 3\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nrate = 100\nduration = \"30s\"\n[[expect.served_nothing]]\nbackend = 2\nfrom = \"7s\"\nuntil = \"27s\"\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let nothing = story.expect().get::<ServedNothing>().unwrap().0[0];
//! assert_eq!((nothing.backend, nothing.until), (2, Some(Duration::from_secs(27))));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use super::table::{Table, backend_window, past_the_run, write_window};
use crate::check;
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
use crate::scenario::window::{KEYS, Written};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;

/// A backend that serves no OK call among the calls started in a window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServedNothingExpectation {
    /// The backend's index.
    pub backend: usize,
    /// The window's start, since the cluster started; zero when not given.
    pub from: Duration,
    /// The window's end (calls started before it count); the end of the run when `None`.
    pub until: Option<Duration>,
}

/// Every `[[expect.served_nothing]]`, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct ServedNothing(pub Vec<ServedNothingExpectation>);

/// One of `[[expect.served_nothing]]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `backend`, `from`, `until` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
struct RawServedNothing {
    backend: Spanned<i64>,
    from: Option<Spanned<Dur>>,
    until: Option<Spanned<Dur>>,
}

/// Reads `served_nothing`.
pub(super) const READER: Reader =
    Reader { name: "served-nothing", keys: &["served_nothing"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let windows = table.each("served_nothing", |nothing: &RawServedNothing| {
        let written = Written {
            after: None,
            from: nothing.from.as_ref(),
            until: nothing.until.as_ref(),
            keys: KEYS,
        };
        let (backend, from, until) = backend_window(table, &nothing.backend, &written)?;
        Ok(ServedNothingExpectation { backend, from, until })
    })?;
    Ok(windows.map(|windows| Arc::new(ServedNothing(windows)) as Arc<dyn Rule>))
}

impl Rule for ServedNothing {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let judge = |nothing: &ServedNothingExpectation| {
            let name = &calls.names[nothing.backend];
            let judged =
                check::served_nothing(calls.log, name, nothing.from, nothing.until, calls.context);
            Judged::Check(past_the_run(judged, calls.log, nothing.from))
        };
        self.0.iter().map(judge).collect()
    }

    fn write(&self, toml: &mut ExpectLines) {
        if self.0.is_empty() {
            toml.refuse_empty("served_nothing");
        }
        let windows: Vec<String> =
            self.0.iter().map(|n| write_window(toml, n.backend, None, n.from, n.until)).collect();
        toml.push_str(&format!("served_nothing = [{}]\n", windows.join(", ")));
    }
}
