//! `[discovery]`: which backends the client is told about at the start, and the changes after,
//! as a [`Discovery`].

use super::error::{ScenarioError, Source};
use super::raw::{RawChange, RawDiscovery};
use super::values::backend_indices;
use super::via::{self, Via};
use std::time::Duration;
use toml::Spanned;

/// What the client under test is told about the backends, and when.
///
/// Every backend runs from the start; discovery decides only which ones the client knows of.
/// Without a `[discovery]` section the client is told about every backend at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// The backends announced at the start, by index.
    pub initial: Vec<usize>,
    /// Later changes, in time order.
    pub changes: Vec<DiscoveryChange>,
    /// How the client hears of them: the discovery stream (default) or DNS.
    pub via: Via,
}

/// One change of the announced set. A file's `set = [...]` is read as the backends it adds
/// to the set announced just before, and those it leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryChange {
    /// Since the cluster started.
    pub at: Duration,
    /// Backends announced.
    pub add: Vec<usize>,
    /// Backends withdrawn.
    pub remove: Vec<usize>,
}

impl Discovery {
    /// Every one of `backends` at the start, no change.
    pub fn all(backends: usize) -> Self {
        Self { initial: (0..backends).collect(), changes: Vec::new(), via: Via::Stream }
    }

    /// Whether `backend` was announced at `at`, or withdrawn less than `grace` before it.
    pub fn announced_within(&self, backend: usize, at: Duration, grace: Duration) -> bool {
        self.at(at).contains(&backend) || self.withdrawn_within(backend, at, grace)
    }

    /// Whether `backend` was withdrawn at a time in (`at` - `grace`, `at`].
    fn withdrawn_within(&self, backend: usize, at: Duration, grace: Duration) -> bool {
        self.changes.iter().any(|change| {
            change.remove.contains(&backend) && change.at <= at && at < change.at + grace
        })
    }

    /// When `backend` was last announced by a change at or before `at` (`None`: only at the
    /// start, or never).
    pub fn announced_last(&self, backend: usize, at: Duration) -> Option<Duration> {
        self.changes
            .iter()
            .filter(|change| change.at <= at && change.add.contains(&backend))
            .map(|change| change.at)
            .next_back()
    }

    /// The backends announced without a gap from `from` to `to` (both included), in index
    /// order: announced at `from` and withdrawn by no change after it up to `to`. A withdrawal
    /// closes the client's connection to the backend, so one announced again within the span
    /// is new to the client from its return, not known since `from`.
    pub fn announced_throughout(&self, from: Duration, to: Duration) -> Vec<usize> {
        let mut steady = self.at(from);
        for change in self.changes.iter().filter(|change| from < change.at && change.at <= to) {
            steady.retain(|index| !change.remove.contains(index));
        }
        steady
    }

    /// The backends announced once every change has happened, in index order.
    pub fn last(&self) -> Vec<usize> {
        announced_after(&self.initial, &self.changes)
    }

    /// The backends announced at `at` since the cluster started (a change at `at` has
    /// happened), in index order.
    pub fn at(&self, at: Duration) -> Vec<usize> {
        let happened = self.changes.partition_point(|change| change.at <= at);
        announced_after(&self.initial, &self.changes[..happened])
    }
}

/// `initial` with `changes` applied, in index order.
fn announced_after(initial: &[usize], changes: &[DiscoveryChange]) -> Vec<usize> {
    let mut announced = initial.to_vec();
    for change in changes {
        announced.retain(|index| !change.remove.contains(index));
        for &index in &change.add {
            if !announced.contains(&index) {
                announced.push(index);
            }
        }
    }
    announced.sort_unstable();
    announced
}

/// Checks `[discovery]` against a cluster of `backends`.
pub(super) fn discovery(
    raw: &RawDiscovery,
    backends: usize,
    source: &Source<'_>,
) -> Result<Discovery, ScenarioError> {
    let initial = match &raw.initial {
        Some(initial) => backend_indices(initial.get_ref(), backends, source)?,
        None => (0..backends).collect(),
    };
    let via = via::via(raw, source)?;
    let mut changes = Vec::with_capacity(raw.change.len());
    let mut previous = Duration::ZERO;
    for entry in &raw.change {
        let (span, change) = (entry.span(), entry.get_ref());
        let at = change.at.get_ref().0;
        if at < previous {
            return Err(source.error(
                change.at.span(),
                format!("this change at {at:?} comes before the one above it ({previous:?})"),
                "changes in time order",
            ));
        }
        previous = at;
        let (add, remove) = match &change.set {
            Some(set) => {
                let before = announced_after(&initial, &changes);
                replaced(change, set, &before, backends, source)?
            }
            None => (
                indices(change.add.as_ref(), backends, source)?,
                indices(change.remove.as_ref(), backends, source)?,
            ),
        };
        if add.is_empty() && remove.is_empty() {
            return Err(source.error(
                span,
                "a change that adds and removes nothing",
                "`add` or `remove` (or both), or `set`: lists of backend indices",
            ));
        }
        if let Some(both) = add.iter().find(|index| remove.contains(index)) {
            return Err(source.error(
                span,
                format!("backend {both} is both added and removed"),
                "each backend in `add` or in `remove`",
            ));
        }
        let before = announced_after(&initial, &changes);
        if let Some(absent) = remove.iter().find(|index| !before.contains(index)) {
            let place = change.remove.as_ref().map_or(span, Spanned::span);
            return Err(source.error(
                place,
                format!("backend {absent} is removed at {at:?}, when it is not announced"),
                format!("backends announced then: {before:?}"),
            ));
        }
        changes.push(DiscoveryChange { at, add, remove });
    }
    Ok(Discovery { initial, changes, via })
}

/// The backend indices of an optional list, each within the cluster.
fn indices(
    list: Option<&Spanned<Vec<Spanned<i64>>>>,
    backends: usize,
    source: &Source<'_>,
) -> Result<Vec<usize>, ScenarioError> {
    list.map_or(Ok(Vec::new()), |list| backend_indices(list.get_ref(), backends, source))
}

/// A change's `set` as the backends it adds to `before` (in `set`'s order) and those of
/// `before` it withdraws; `set` beside `add` or `remove` is an error at the latter.
fn replaced(
    change: &RawChange,
    set: &Spanned<Vec<Spanned<i64>>>,
    before: &[usize],
    backends: usize,
    source: &Source<'_>,
) -> Result<(Vec<usize>, Vec<usize>), ScenarioError> {
    let beside = [("add", change.add.as_ref()), ("remove", change.remove.as_ref())];
    if let Some((field, list)) = beside.into_iter().find_map(|(f, l)| Some((f, l?))) {
        return Err(source.error(
            list.span(),
            format!("`{field}` beside `set`"),
            "either `set` (the whole announced set from then on) or `add`/`remove`, not both",
        ));
    }
    let set = backend_indices(set.get_ref(), backends, source)?;
    let add: Vec<usize> = set.iter().copied().filter(|index| !before.contains(index)).collect();
    let remove: Vec<usize> = before.iter().copied().filter(|index| !set.contains(index)).collect();
    if add.is_empty() && remove.is_empty() {
        return Err(source.error(
            change.set.as_ref().map_or(0..0, Spanned::span),
            "this `set` is the set already announced",
            format!("a set other than the one announced before it, {before:?}"),
        ));
    }
    Ok((add, remove))
}

/// The discovery changes that would come after a load bounded by a duration has ended
/// (`warm_up` plus `duration` from the cluster's start): they would never happen, so they are
/// errors, each at its `at`. A load bounded by a number of calls has no end known ahead.
pub(super) fn after_the_load(
    raw: &RawDiscovery,
    load: &crate::load::LoadSpec,
    warm_up: Duration,
    source: &Source<'_>,
) -> Vec<ScenarioError> {
    let Some(end) = super::load::end(load, warm_up) else { return Vec::new() };
    raw.change
        .iter()
        .map(|change| &change.get_ref().at)
        .filter(|at| at.get_ref().0 >= end)
        .map(|at| {
            source.error(
                at.span(),
                format!(
                    "this discovery change comes at {}, when the load is over (it ends at {}: \
                     warm-up and duration)",
                    humantime::format_duration(at.get_ref().0),
                    humantime::format_duration(end)
                ),
                format!("a time before {}", humantime::format_duration(end)),
            )
        })
        .collect()
}
