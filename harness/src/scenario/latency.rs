//! `[cluster] latency` and `latencies`: how long backends take to answer, checked into
//! [`BackendLatency`]s; and `[expect] latency`, percentile bounds, into
//! [`LatencyExpectation`](super::LatencyExpectation)s.

use super::error::{ScenarioError, Source};
use super::raw::{RawBackendLatency, RawCluster, RawLatency};
use super::values::backend_index;
use crate::cluster::BackendLatency;
use toml::Spanned;

/// The cluster's latency model: the latency of every backend, and the backends whose own
/// latency replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Latencies {
    /// Every backend's latency unless overridden: `[cluster] latency`.
    pub all: Option<BackendLatency>,
    /// Backends with a latency of their own, by index, in file order: `[cluster] latencies`.
    pub backends: Vec<(usize, BackendLatency)>,
}

impl Latencies {
    /// The latency of backend `index`.
    pub fn of(&self, index: usize) -> Option<BackendLatency> {
        self.backends.iter().find(|(backend, _)| *backend == index).map(|(_, l)| *l).or(self.all)
    }

    /// Whether no backend has a latency.
    pub fn is_none(&self) -> bool {
        self.all.is_none() && self.backends.is_empty()
    }
}

/// Checks `[cluster] latency` and `latencies` against a cluster of `backends`.
pub(super) fn latencies(
    cluster: &RawCluster,
    backends: usize,
    source: &Source<'_>,
) -> Result<Latencies, ScenarioError> {
    let mut latencies = Latencies::default();
    if let Some(all) = &cluster.latency {
        let RawLatency { base, jitter } = all.get_ref();
        latencies.all = Some(latency(base, jitter.as_ref(), source)?);
    }
    for entry in &cluster.latencies {
        let RawBackendLatency { backend, base, jitter } = entry.get_ref();
        let index = backend_index(backend, backends, source)?;
        if latencies.backends.iter().any(|(given, _)| *given == index) {
            return Err(source.error(
                backend.span(),
                format!("backend {index} is given a latency twice"),
                "each backend once in `latencies`",
            ));
        }
        latencies.backends.push((index, latency(base, jitter.as_ref(), source)?));
    }
    Ok(latencies)
}

/// A base and a jitter (0 when left out) at most the base.
fn latency(
    base: &Spanned<super::duration::Dur>,
    jitter: Option<&Spanned<super::duration::Dur>>,
    source: &Source<'_>,
) -> Result<BackendLatency, ScenarioError> {
    let base_value = base.get_ref().0;
    let Some(jitter) = jitter else { return Ok(BackendLatency::fixed(base_value)) };
    let jitter_value = jitter.get_ref().0;
    if jitter_value > base_value {
        return Err(source.error(
            jitter.span(),
            format!(
                "`jitter` is {}, more than `base` ({})",
                humantime::format_duration(jitter_value),
                humantime::format_duration(base_value)
            ),
            "a jitter at most the base (a call never takes less than no time)",
        ));
    }
    Ok(BackendLatency::new(base_value, jitter_value))
}
