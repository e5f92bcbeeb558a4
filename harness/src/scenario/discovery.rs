//! `[discovery]`: which backends the client is told about at the start, and the changes after,
//! as a [`Discovery`].

use super::error::{ScenarioError, Source};
use super::raw::RawDiscovery;
use super::values::backend_indices;
use std::time::Duration;

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
}

/// One change of the announced set.
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
        Self { initial: (0..backends).collect(), changes: Vec::new() }
    }

    /// The backends announced at `at` (since the cluster started; a change counts from its
    /// time on), in index order.
    pub fn at(&self, at: Duration) -> Vec<usize> {
        self.until(|change| change.at <= at)
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

    /// The backends announced once every change has happened, in index order.
    pub fn last(&self) -> Vec<usize> {
        self.until(|_| true)
    }

    /// The announced set after the changes that `applies` says have happened, in index order.
    fn until(&self, applies: impl Fn(&DiscoveryChange) -> bool) -> Vec<usize> {
        let mut announced = self.initial.clone();
        for change in self.changes.iter().take_while(|change| applies(change)) {
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
        let add = backend_indices(&change.add, backends, source)?;
        let remove = backend_indices(&change.remove, backends, source)?;
        if add.is_empty() && remove.is_empty() {
            return Err(source.error(
                span,
                "a change that adds and removes nothing",
                "`add` or `remove` (or both): lists of backend indices",
            ));
        }
        if let Some(both) = add.iter().find(|index| remove.contains(index)) {
            return Err(source.error(
                span,
                format!("backend {both} is both added and removed"),
                "each backend in `add` or in `remove`",
            ));
        }
        changes.push(DiscoveryChange { at, add, remove });
    }
    Ok(Discovery { initial, changes })
}
