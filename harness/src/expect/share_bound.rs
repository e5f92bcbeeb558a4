//! The one reader and judge of a bound on one backend's share of the calls started in a window:
//! `[expect] shares` (a least share, [`Shares`](super::Shares)) and `[expect] max_shares` (a
//! largest, [`MaxShares`](super::MaxShares)) differ only in the bound's direction, which
//! [`ShareBound`] names; reading the list, judging it over the calls or the counters, and
//! writing it back are here, once.
//!
//! ```
//! use jostle_harness::expect::{MaxShares, Shares};
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\n\
//!     shares = [{ backend = 1, at_least = 0.3 }]\nmax_shares = [{ backend = 0, at_most = 0.7 }]\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! assert_eq!(story.expect().get::<Shares>().unwrap().0[0].at_least, 0.3);
//! assert_eq!(story.expect().get::<MaxShares>().unwrap().0[0].at_most, 0.7);
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::counters::{Counters, served_verdict};
use super::judged::Judged;
use super::table::{Table, backend_window, past_the_run, write_window};
use crate::check::{CheckResult, Context, Served};
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
use crate::scenario::values::fraction;
use crate::scenario::window::{KEYS, Written};
use serde::de::DeserializeOwned;
use std::time::Duration;
use toml::Spanned;

/// One bound on a backend's share in a window, in one direction.
pub(super) trait ShareBound: Sized {
    /// The list's key in `[expect]` (`shares`).
    const LIST: &'static str;
    /// The bound's key in each entry (`at_least`).
    const LIMIT: &'static str;
    /// An entry as the file writes it.
    type Raw: DeserializeOwned;

    /// The entry's backend, limit, and window keys (`after`, `from`, `until`).
    fn raw(raw: &Self::Raw) -> RawBound<'_>;
    /// The bound read.
    fn new(backend: usize, limit: f64, after: Duration, until: Option<Duration>) -> Self;
    /// The backend, the limit and the window.
    fn parts(&self) -> (usize, f64, Duration, Option<Duration>);
    /// The check of the bound's direction: [`check::share_of`](crate::check::share_of) or
    /// [`check::max_share_of`](crate::check::max_share_of).
    fn check(served: &Served, backend: &str, limit: f64, context: &Context) -> CheckResult;
}

/// The keys of one entry.
pub(super) struct RawBound<'a> {
    pub(super) backend: &'a Spanned<i64>,
    pub(super) limit: &'a Spanned<f64>,
    pub(super) after: Option<&'a Spanned<Dur>>,
    pub(super) from: Option<&'a Spanned<Dur>>,
    pub(super) until: Option<&'a Spanned<Dur>>,
}

/// Reads the list of `B`, in file order; `None` when the file has none.
pub(super) fn read<B: ShareBound>(table: &Table<'_>) -> Result<Option<Vec<B>>, ScenarioError> {
    table.each(B::LIST, |raw: &B::Raw| {
        let RawBound { backend, limit, after, from, until } = B::raw(raw);
        let (backend, after, until) =
            backend_window(table, backend, &Written { after, from, until, keys: KEYS })?;
        let limit = fraction(limit, B::LIMIT, table.source())?;
        Ok(B::new(backend, limit, after, until))
    })
}

/// Each bound judged over the client's record of the calls started in its window.
pub(super) fn judge<B: ShareBound>(bounds: &[B], calls: &Calls<'_>) -> Vec<Judged> {
    let judge = |bound: &B| {
        let (backend, limit, after, until) = bound.parts();
        let served = Served::of_window(calls.log, after, until);
        let judged = B::check(&served, &calls.names[backend], limit, calls.context);
        Judged::Check(past_the_run(judged, calls.log, after))
    };
    bounds.iter().map(judge).collect()
}

/// Each bound judged over the backends' counters of its window.
pub(super) fn judge_counters<B: ShareBound>(bounds: &[B], counters: &dyn Counters) -> Vec<Judged> {
    let judge = |bound: &B| {
        let (backend, limit, after, until) = bound.parts();
        served_verdict(counters, (after, until), |served| {
            B::check(served, &counters.names()[backend], limit, counters.context())
        })
    };
    bounds.iter().map(judge).collect()
}

/// The list as a scenario file writes it, on one line.
pub(super) fn write<B: ShareBound>(bounds: &[B], toml: &mut super::lines::ExpectLines) {
    if bounds.is_empty() {
        toml.refuse_empty(B::LIST);
    }
    let written: Vec<String> = bounds
        .iter()
        .map(|bound| {
            let (backend, limit, after, until) = bound.parts();
            let limit = format!("{} = {limit:?}", B::LIMIT);
            write_window(toml, backend, Some(&limit), after, until)
        })
        .collect();
    toml.push_str(&format!("{} = [{}]\n", B::LIST, written.join(", ")));
}
