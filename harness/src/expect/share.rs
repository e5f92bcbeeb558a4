//! `share`: backends that must serve at least a share of the calls, `[expect] shares` (judged
//! by [`check::share`] from the calls, [`check::share_of`] from the counters).
//!
//! ```
//! use jostle_harness::expect::Shares;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\ncalls = 10\n[expect]\nshares = [{ backend = 1, at_least = 0.3 }]\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let shares = &story.expect().get::<Shares>().unwrap().0;
//! assert_eq!((shares[0].backend, shares[0].at_least), (1, 0.3));
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

/// One backend's least share of the calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShareExpectation {
    /// The backend's index.
    pub backend: usize,
    /// Its least share of the calls started from `after` on (0 to 1).
    pub at_least: f64,
    /// Since the cluster started; zero when not given.
    pub after: Duration,
}

/// Every `[expect] shares` bound, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Shares(pub Vec<ShareExpectation>);

/// One of `[expect] shares`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `backend`, `at_least`, `after` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
struct RawShare {
    backend: Spanned<i64>,
    at_least: Spanned<f64>,
    after: Option<Spanned<Dur>>,
}

/// Reads `shares`.
pub(super) const READER: Reader =
    Reader { name: "share", keys: &["shares"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let shares = table.each("shares", |share: &RawShare| {
        let (backend, after) = backend_from(table, &share.backend, share.after.as_ref())?;
        let at_least = fraction(&share.at_least, "at_least", table.source())?;
        Ok(ShareExpectation { backend, at_least, after })
    })?;
    Ok(shares.map(|shares| Arc::new(Shares(shares)) as Arc<dyn Rule>))
}

impl Rule for Shares {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let judge = |share: &ShareExpectation| {
            let name = &calls.names[share.backend];
            check::share(calls.log, name, share.after, share.at_least, calls.context)
        };
        self.0.iter().map(judge).map(Judged::Check).collect()
    }

    fn judge_counters(&self, counters: &dyn Counters) -> Vec<Judged> {
        let judge = |share: &ShareExpectation| {
            served_verdict(counters, share.after, |served| {
                let name = &counters.names()[share.backend];
                check::share_of(served, name, share.at_least, counters.context())
            })
        };
        self.0.iter().map(judge).collect()
    }

    fn write(&self, toml: &mut String) {
        let bounds = self.0.iter().map(|share| {
            let at_least = format!("at_least = {:?}", share.at_least);
            write_from(share.backend, &at_least, share.after)
        });
        toml.push_str(&format!("shares = [{}]\n", bounds.collect::<Vec<_>>().join(", ")));
    }
}
