//! `settled`: once faults and discovery are quiet, and `after` more, the balancer is back to
//! normal: no call to a withdrawn backend, each announced one between `at_least` and `at_most`
//! of its fair share, `[expect] settled` (judged by [`check::settled`] from the calls,
//! [`check::settled_of`] from the counters); one of the invariants `jostle explore` judges by.
//!
//! ```
//! use jostle_harness::expect::SettledExpectation;
//! use std::time::Duration;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 3\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\nsettled = { after = \"2s\", at_least = 0.5, at_most = 2.0 }\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let settled = story.expect().get::<SettledExpectation>().unwrap();
//! assert_eq!(settled.after, Duration::from_secs(2));
//! assert!(story.expect().checks().ends_with(&["settled"]));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::counters::Counters;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use super::table::Table;
use crate::check;
use crate::cluster::MAX_BACKENDS;
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
use crate::scenario::values::fraction;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;

/// Back to normal once every fault has ended and discovery has stopped changing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SettledExpectation {
    /// How long after the end of the last fault window and the last discovery change the
    /// check starts judging.
    pub after: Duration,
    /// Each announced backend's least share of the OK calls from then on, as a fraction of its
    /// fair share (0 to 1).
    pub at_least: f64,
    /// Each announced backend's largest share, as a multiple of its fair share (1 to 10,000).
    pub at_most: f64,
}

/// `settled`'s defaults: after 1 s, from half to twice the fair share.
const SETTLED: SettledExpectation =
    SettledExpectation { after: Duration::from_secs(1), at_least: 0.5, at_most: 2.0 };

/// `[expect.settled]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `after`, `at_least`, `at_most` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
struct RawSettled {
    after: Option<Spanned<Dur>>,
    at_least: Option<Spanned<f64>>,
    at_most: Option<Spanned<f64>>,
}

/// Reads `settled`.
pub(super) const READER: Reader =
    Reader { name: "settled", keys: &["settled"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let Some(settled) = table.get::<RawSettled>("settled")? else { return Ok(None) };
    let settled = settled.get_ref();
    let at_most = match &settled.at_most {
        None => SETTLED.at_most,
        Some(at_most) => {
            let value = *at_most.get_ref();
            if !(1.0..=MAX_BACKENDS as f64).contains(&value) {
                return Err(table.error(
                    at_most.span(),
                    format!("`at_most` is {value}"),
                    format!(
                        "a multiple of the fair share in 1..={MAX_BACKENDS} (2 for twice its fair share; the number of backends for no upper bound)"
                    ),
                ));
            }
            value
        }
    };
    Ok(Some(Arc::new(SettledExpectation {
        after: settled.after.as_ref().map_or(SETTLED.after, |after| after.get_ref().0),
        at_least: match &settled.at_least {
            Some(at_least) => fraction(at_least, "at_least", table.source())?,
            None => SETTLED.at_least,
        },
        at_most,
    })))
}

impl Rule for SettledExpectation {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        // Quiet once the last fault window has closed (never, while one holds to the end) and
        // the last discovery change is made.
        let faults_end =
            calls.windows.iter().try_fold(Duration::ZERO, |end, w| Some(end.max(w.end?)));
        let discovery = calls.scenario.discovery();
        let changed = discovery.changes.last().map_or(Duration::ZERO, |c| c.at);
        let from = faults_end.map(|end| end.max(changed) + self.after);
        let names = calls.names;
        let announced: Vec<&str> =
            discovery.last().into_iter().map(|i| names[i].as_str()).collect();
        let (at_least, at_most) = (self.at_least, self.at_most);
        let judged = check::settled(calls.log, from, &announced, at_least, at_most, calls.context);
        vec![Judged::Check(judged)]
    }

    /// Over what the backends served from the quiet point on (never settled while a fault
    /// holds until serving stopped).
    fn judge_counters(&self, counters: &dyn Counters) -> Vec<Judged> {
        let faults_end = match counters.faults_end() {
            Ok(end) => end,
            Err(why) => return vec![Judged::Untold(why)],
        };
        let changed = counters.last_change().unwrap_or_default();
        let quiet = faults_end.map(|end| end.max(changed));
        let served =
            match quiet.map(|quiet| counters.served_in(quiet + self.after, None)).transpose() {
                Ok(served) => served,
                Err(why) => return vec![Judged::Untold(why)],
            };
        let announced = counters.announced_at(quiet.unwrap_or(changed));
        let announced: Vec<&str> = announced.iter().map(String::as_str).collect();
        let (at_least, at_most, context) = (self.at_least, self.at_most, counters.context());
        vec![Judged::Check(check::settled_of(
            served.as_ref(),
            &announced,
            at_least,
            at_most,
            context,
        ))]
    }

    fn write(&self, toml: &mut ExpectLines) {
        toml.push_str(&format!(
            "settled = {{ after = {}, at_least = {:?}, at_most = {:?} }}\n",
            toml.duration("after", self.after),
            self.at_least,
            self.at_most
        ));
    }
}
