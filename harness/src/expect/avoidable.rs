//! `avoidable-failures`: a call fails only while it meets a fault or `grace` after one, or
//! when no backend is up (announced without a gap and not down for `grace`), `[expect] avoidable_failures = { grace = "…" }` (judged by
//! [`check::avoidable_failures`]); one of the invariants `jostle explore` judges by.
//!
//! ```
//! use jostle_harness::expect::AvoidableFailures;
//! use std::time::Duration;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 1\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\navoidable_failures = { grace = \"1500ms\" }\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let grace = story.expect().get::<AvoidableFailures>().unwrap().0;
//! assert_eq!(grace, Duration::from_millis(1500));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use super::table::Table;
use crate::check;
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;

/// The grace when the file gives none.
pub const AVOIDABLE_GRACE: Duration = Duration::from_secs(1);

/// How long after a fault a failure is still the fault's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvoidableFailures(pub Duration);

/// `[expect.avoidable_failures]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `grace` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
struct RawAvoidable {
    grace: Option<Spanned<Dur>>,
}

/// Reads `avoidable_failures`.
pub(super) const READER: Reader =
    Reader { name: "avoidable-failures", keys: &["avoidable_failures"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let Some(written) = table.get::<RawAvoidable>("avoidable_failures")? else { return Ok(None) };
    let grace = written.get_ref().grace.as_ref();
    Ok(Some(Arc::new(AvoidableFailures(grace.map_or(AVOIDABLE_GRACE, |g| g.get_ref().0)))))
}

impl Rule for AvoidableFailures {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let (discovery, names) = (calls.scenario.discovery(), calls.names);
        let announced = |from: Duration, to: Duration| {
            discovery
                .announced_throughout(from, to)
                .into_iter()
                .map(|i| names[i].as_str())
                .collect()
        };
        let log = calls.log;
        let judged =
            check::avoidable_failures(log, calls.windows, announced, self.0, calls.context);
        vec![Judged::Check(judged)]
    }

    fn write(&self, toml: &mut ExpectLines) {
        toml.push_str(&format!(
            "avoidable_failures = {{ grace = {} }}\n",
            toml.duration("grace", self.0)
        ));
    }
}
