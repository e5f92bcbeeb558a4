//! [`Places`]: where a file wrote the keys a `jostle run` override can clash with (`policy`,
//! `transport`, each fault's `kind`), so that the override's error names the flag and the place.

use super::error::Source;
use super::raw::RawScenario;

/// A key's place in its file: `FILE:LINE:COLUMN`, as every located error prints it.
pub(super) type Place = String;

/// The places of the keys an override can clash with; none for a scenario built in Rust.
#[derive(Debug, Clone, Default)]
pub(super) struct Places {
    /// `[balancer] policy`.
    pub(super) policy: Option<Place>,
    /// `[cluster] transport`, or the `[cluster]` table when the file leaves it out.
    pub(super) transport: Option<Place>,
    /// Each `[[fault]]`'s `kind`, in the scenario's injection order.
    pub(super) kinds: Vec<Place>,
}

impl Places {
    /// The places of `raw`, read from `source`.
    pub(super) fn of(raw: &RawScenario, source: &Source<'_>) -> Self {
        let cluster = &raw.cluster;
        let transport = cluster.get_ref().transport.as_ref().map_or(cluster.span(), |t| t.span());
        Self {
            policy: Some(source.place(raw.balancer.get_ref().policy.span().start)),
            transport: Some(source.place(transport.start)),
            kinds: raw.fault.iter().map(|f| source.place(f.get_ref().kind.span().start)).collect(),
        }
    }
}

/// Where a key was written is not part of the story: two scenarios that say the same are equal.
impl PartialEq for Places {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
