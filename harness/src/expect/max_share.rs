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
use super::counters::Counters;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use super::share_bound::{self, RawBound, ShareBound};
use super::table::Table;
use crate::check::{self, CheckResult, Context, Served};
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
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
pub(super) struct RawMaxShare {
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
    let bounds = share_bound::read(table)?;
    Ok(bounds.map(|bounds| Arc::new(MaxShares(bounds)) as Arc<dyn Rule>))
}

impl ShareBound for MaxShareExpectation {
    const LIST: &'static str = "max_shares";
    const LIMIT: &'static str = "at_most";
    type Raw = RawMaxShare;

    fn raw(raw: &RawMaxShare) -> RawBound<'_> {
        RawBound {
            backend: &raw.backend,
            limit: &raw.at_most,
            after: raw.after.as_ref(),
            from: raw.from.as_ref(),
            until: raw.until.as_ref(),
        }
    }

    fn new(backend: usize, at_most: f64, after: Duration, until: Option<Duration>) -> Self {
        Self { backend, at_most, after, until }
    }

    fn parts(&self) -> (usize, f64, Duration, Option<Duration>) {
        (self.backend, self.at_most, self.after, self.until)
    }

    fn check(served: &Served, backend: &str, limit: f64, context: &Context) -> CheckResult {
        check::max_share_of(served, backend, limit, context)
    }
}

impl Rule for MaxShares {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        share_bound::judge(&self.0, calls)
    }

    fn judge_counters(&self, counters: &dyn Counters) -> Vec<Judged> {
        share_bound::judge_counters(&self.0, counters)
    }

    fn write(&self, toml: &mut ExpectLines) {
        share_bound::write(&self.0, toml);
    }
}
