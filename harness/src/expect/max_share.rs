//! `max-share`: backends that may serve at most a share of the calls started in a window (a
//! slow one, under a load-aware balancer), `[expect] max_shares` (judged by
//! [`check::max_share_of`] over the calls or over the counters).
//!
//! ```
//! use jostle_harness::expect::MaxShares;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\nmax_shares = [{ backend = 0, at_most = 0.6, after = \"1s\" }]\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let bounds = &story.expect().get::<MaxShares>().unwrap().0;
//! assert_eq!((bounds[0].backend, bounds[0].at_most, bounds[0].until), (0, 0.6, None));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::counters::{Counters, served_verdict};
use super::judged::Judged;
use super::rule::{Reader, Rule};
use super::table::{Table, backend_window, past_the_run, write_window};
use crate::check::{self, Served};
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
use crate::scenario::values::fraction;
use crate::scenario::window::{KEYS, Written};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;

/// One backend's largest share of the calls started in a window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaxShareExpectation {
    /// The backend's index.
    pub backend: usize,
    /// Its largest share of the calls started from `after` on, and before `until` (0 to 1).
    pub at_most: f64,
    /// The window's start (`from`, or its older name `after`), since the cluster started;
    /// zero when not given.
    pub after: Duration,
    /// The window's end (calls started before it count); the end of the run when `None`.
    pub until: Option<Duration>,
}

/// Every `[expect] max_shares` bound, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct MaxShares(pub Vec<MaxShareExpectation>);

/// One of `[expect] max_shares`.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `backend`, `at_most`, `from`, `until`, `after` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
struct RawMaxShare {
    backend: Spanned<i64>,
    at_most: Spanned<f64>,
    from: Option<Spanned<Dur>>,
    until: Option<Spanned<Dur>>,
    /// The older name of `from`.
    after: Option<Spanned<Dur>>,
}

/// Reads `max_shares`.
pub(super) const READER: Reader =
    Reader { name: "max-share", keys: &["max_shares"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let bounds = table.each("max_shares", |bound: &RawMaxShare| {
        let (after, from, until) =
            (bound.after.as_ref(), bound.from.as_ref(), bound.until.as_ref());
        let (backend, after, until) =
            backend_window(table, &bound.backend, &Written { after, from, until, keys: KEYS })?;
        let at_most = fraction(&bound.at_most, "at_most", table.source())?;
        Ok(MaxShareExpectation { backend, at_most, after, until })
    })?;
    Ok(bounds.map(|bounds| Arc::new(MaxShares(bounds)) as Arc<dyn Rule>))
}

impl Rule for MaxShares {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let (log, context) = (calls.log, calls.context);
        self.0
            .iter()
            .map(|bound| {
                let served = Served::of_window(log, bound.after, bound.until);
                let name = &calls.names[bound.backend];
                let judged = check::max_share_of(&served, name, bound.at_most, context);
                Judged::Check(past_the_run(judged, log, bound.after))
            })
            .collect()
    }

    fn judge_counters(&self, counters: &dyn Counters) -> Vec<Judged> {
        let context = counters.context();
        self.0
            .iter()
            .map(|bound| {
                let name = &counters.names()[bound.backend];
                served_verdict(counters, (bound.after, bound.until), |served| {
                    check::max_share_of(served, name, bound.at_most, context)
                })
            })
            .collect()
    }

    fn write(&self, toml: &mut String) {
        let bounds: Vec<String> = self
            .0
            .iter()
            .map(|b| {
                write_window(
                    b.backend,
                    Some(&format!("at_most = {:?}", b.at_most)),
                    b.after,
                    b.until,
                )
            })
            .collect();
        toml.push_str(&format!("max_shares = [{}]\n", bounds.join(", ")));
    }
}
