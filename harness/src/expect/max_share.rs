//! `max-share`: backends that may serve at most a share of the calls (a slow one, under a
//! load-aware balancer), `[expect] max_shares` (judged by [`check::max_share`] from the calls,
//! [`check::max_share_of`] from the counters).
//!
//! ```
//! use jostle_harness::expect::MaxShares;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\ncalls = 10\n[expect]\nmax_shares = [{ backend = 0, at_most = 0.6, after = \"1s\" }]\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let bounds = &story.expect().get::<MaxShares>().unwrap().0;
//! assert_eq!((bounds[0].backend, bounds[0].at_most), (0, 0.6));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::counters::{Counters, served_verdict};
use super::judged::Judged;
use super::rule::{Reader, Rule};
use super::table::{Table, backend_from, write_from};
use crate::check;
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
use crate::scenario::values::fraction;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;

/// One backend's largest share of the calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaxShareExpectation {
    /// The backend's index.
    pub backend: usize,
    /// Its largest share of the calls started from `after` on (0 to 1).
    pub at_most: f64,
    /// Since the cluster started; zero when not given.
    pub after: Duration,
}

/// Every `[expect] max_shares` bound, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct MaxShares(pub Vec<MaxShareExpectation>);

/// One of `[expect] max_shares`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `backend`, `at_most`, `after` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
struct RawMaxShare {
    backend: Spanned<i64>,
    at_most: Spanned<f64>,
    after: Option<Spanned<Dur>>,
}

/// Reads `max_shares`.
pub(super) const READER: Reader =
    Reader { name: "max-share", keys: &["max_shares"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let bounds = table.each("max_shares", |bound: &RawMaxShare| {
        let (backend, after) = backend_from(table, &bound.backend, bound.after.as_ref())?;
        let at_most = fraction(&bound.at_most, "at_most", table.source())?;
        Ok(MaxShareExpectation { backend, at_most, after })
    })?;
    Ok(bounds.map(|bounds| Arc::new(MaxShares(bounds)) as Arc<dyn Rule>))
}

impl Rule for MaxShares {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let (log, context) = (calls.log, calls.context);
        let judge = |bound: &MaxShareExpectation| {
            check::max_share(log, &calls.names[bound.backend], bound.after, bound.at_most, context)
        };
        self.0.iter().map(judge).map(Judged::Check).collect()
    }

    fn judge_counters(&self, counters: &dyn Counters) -> Vec<Judged> {
        let judge = |bound: &MaxShareExpectation| {
            served_verdict(counters, bound.after, |served| {
                let name = &counters.names()[bound.backend];
                check::max_share_of(served, name, bound.at_most, counters.context())
            })
        };
        self.0.iter().map(judge).collect()
    }

    fn write(&self, toml: &mut String) {
        let bounds: Vec<String> = self
            .0
            .iter()
            .map(|bound| {
                write_from(bound.backend, &format!("at_most = {:?}", bound.at_most), bound.after)
            })
            .collect();
        toml.push_str(&format!("max_shares = [{}]\n", bounds.join(", ")));
    }
}
