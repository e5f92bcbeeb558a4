//! `share`: backends that must serve at least a share of the calls started in a window,
//! `[expect] shares` (judged by [`check::share_of`] over the calls or over the counters).
//!
//! ```
//! use jostle_harness::expect::Shares;
//! use std::time::Duration;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\nshares = [{ backend = 1, at_least = 0.3, until = \"2s\" }]\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let shares = &story.expect().get::<Shares>().unwrap().0;
//! assert_eq!((shares[0].backend, shares[0].at_least), (1, 0.3));
//! assert_eq!(shares[0].until, Some(Duration::from_secs(2)));
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

/// One backend's least share of the calls started in a window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShareExpectation {
    /// The backend's index.
    pub backend: usize,
    /// Its least share of the calls started from `after` on, and before `until` (0 to 1).
    pub at_least: f64,
    /// The window's start (`from`, or its older name `after`), since the cluster started;
    /// zero when not given.
    pub after: Duration,
    /// The window's end, since the cluster started (calls started before it count); the end
    /// of the run when `None`.
    pub until: Option<Duration>,
}

/// Every `[expect] shares` bound, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Shares(pub Vec<ShareExpectation>);

/// One of `[expect] shares`.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `backend`, `at_least`, `from`, `until`, `after` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShare {
    backend: Spanned<i64>,
    at_least: Spanned<f64>,
    from: Option<Spanned<Dur>>,
    until: Option<Spanned<Dur>>,
    /// The older name of `from`.
    after: Option<Spanned<Dur>>,
}

/// Reads `shares`.
pub(super) const READER: Reader =
    Reader { name: "share", keys: &["shares"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let shares = share_bound::read(table)?;
    Ok(shares.map(|shares| Arc::new(Shares(shares)) as Arc<dyn Rule>))
}

impl ShareBound for ShareExpectation {
    const LIST: &'static str = "shares";
    const LIMIT: &'static str = "at_least";
    type Raw = RawShare;

    fn raw(raw: &RawShare) -> RawBound<'_> {
        RawBound {
            backend: &raw.backend,
            limit: &raw.at_least,
            after: raw.after.as_ref(),
            from: raw.from.as_ref(),
            until: raw.until.as_ref(),
        }
    }

    fn new(backend: usize, at_least: f64, after: Duration, until: Option<Duration>) -> Self {
        Self { backend, at_least, after, until }
    }

    fn parts(&self) -> (usize, f64, Duration, Option<Duration>) {
        (self.backend, self.at_least, self.after, self.until)
    }

    fn check(served: &Served, backend: &str, limit: f64, context: &Context) -> CheckResult {
        check::share_of(served, backend, limit, context)
    }
}

impl Rule for Shares {
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
