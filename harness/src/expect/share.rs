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
struct RawShare {
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
    let shares = table.each("shares", |share: &RawShare| {
        let (after, from, until) =
            (share.after.as_ref(), share.from.as_ref(), share.until.as_ref());
        let written = Written { after, from, until, keys: KEYS };
        let (backend, after, until) = backend_window(table, &share.backend, &written)?;
        let at_least = fraction(&share.at_least, "at_least", table.source())?;
        Ok(ShareExpectation { backend, at_least, after, until })
    })?;
    Ok(shares.map(|shares| Arc::new(Shares(shares)) as Arc<dyn Rule>))
}

impl Rule for Shares {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let judge = |share: &ShareExpectation| {
            let served = Served::of_window(calls.log, share.after, share.until);
            let name = &calls.names[share.backend];
            let judged = check::share_of(&served, name, share.at_least, calls.context);
            Judged::Check(past_the_run(judged, calls.log, share.after))
        };
        self.0.iter().map(judge).collect()
    }

    fn judge_counters(&self, counters: &dyn Counters) -> Vec<Judged> {
        let judge = |share: &ShareExpectation| {
            served_verdict(counters, (share.after, share.until), |served| {
                let name = &counters.names()[share.backend];
                check::share_of(served, name, share.at_least, counters.context())
            })
        };
        self.0.iter().map(judge).collect()
    }

    fn write(&self, toml: &mut String) {
        let bounds: Vec<String> = self
            .0
            .iter()
            .map(|share| {
                let at_least = format!("at_least = {:?}", share.at_least);
                write_window(share.backend, Some(&at_least), share.after, share.until)
            })
            .collect();
        toml.push_str(&format!("shares = [{}]\n", bounds.join(", ")));
    }
}
