//! `only-announced`: only announced backends serve; a withdrawn one for `grace` after its
//! withdrawal, `[expect] only_announced = { grace = "…" }` (judged by
//! [`check::only_announced`] from the calls, [`check::only_announced_of`] from the counters).
//!
//! ```
//! use jostle_harness::expect::OnlyAnnounced;
//! use std::time::Duration;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 1\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\nonly_announced = {}\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let only = story.expect().get::<OnlyAnnounced>();
//! assert_eq!(only, Some(&OnlyAnnounced(Duration::from_millis(500))), "the default grace");
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::counters::Counters;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use super::table::Table;
use crate::check;
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;

/// How long a withdrawn backend may still serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnlyAnnounced(pub Duration);

/// `[expect.only_announced]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `grace` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
struct RawOnlyAnnounced {
    grace: Option<Spanned<Dur>>,
}

/// Reads `only_announced`.
pub(super) const READER: Reader =
    Reader { name: "only-announced", keys: &["only_announced"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let Some(only) = table.get::<RawOnlyAnnounced>("only_announced")? else { return Ok(None) };
    let grace = only.get_ref().grace.as_ref();
    Ok(Some(Arc::new(OnlyAnnounced(grace.map_or(Duration::from_millis(500), |g| g.get_ref().0)))))
}

impl Rule for OnlyAnnounced {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let grace = self.0;
        let index: HashMap<&str, usize> =
            calls.names.iter().enumerate().map(|(i, name)| (name.as_str(), i)).collect();
        let discovery = calls.scenario.discovery();
        // A call that waited (wait-for-ready) may go to a backend announced while it waited.
        let announced = |backend: &str, start: Duration, end: Duration| {
            index.get(backend).is_some_and(|&i| {
                discovery.announced_within(i, start, grace)
                    || discovery.announced_last(i, end).is_some_and(|at| at > start)
            })
        };
        vec![Judged::Check(check::only_announced(calls.log, announced, grace, calls.context))]
    }

    fn judge_counters(&self, counters: &dyn Counters) -> Vec<Judged> {
        vec![match counters.strays(self.0) {
            Ok((strays, periods)) => Judged::Check(
                check::only_announced_of(&strays, self.0, counters.context())
                    .measure("periods", periods as f64),
            ),
            Err(why) => Judged::Untold(why),
        }]
    }

    fn write(&self, toml: &mut ExpectLines) {
        toml.push_str(&format!(
            "only_announced = {{ grace = {} }}\n",
            toml.duration("grace", self.0)
        ));
    }
}
