//! `[cluster] latency` and `latencies`: how long backends take to answer, checked into
//! [`BackendLatency`]s; and `[expect] latency`, percentile bounds, into
//! [`LatencyExpectation`](super::LatencyExpectation)s.

use super::error::{ScenarioError, Source};
use super::expectations::{LatencyExpectation, LatencyOf};
use super::raw::{RawBackendLatency, RawCluster, RawLatency, RawLatencyBound};
use super::suggest::did_you_mean;
use super::values::{backend_index, positive};
use crate::cluster::BackendLatency;
use std::time::Duration;
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

/// Checks `[expect] latency` against a cluster of `backends`.
pub(super) fn bounds(
    written: &[Spanned<RawLatencyBound>],
    backends: usize,
    source: &Source<'_>,
) -> Result<Vec<LatencyExpectation>, ScenarioError> {
    written
        .iter()
        .map(|bound| {
            let RawLatencyBound { percentile, under, backend, after, of } = bound.get_ref();
            let of = calls_of(of.as_ref(), source)?;
            if let (LatencyOf::All, Some(backend)) = (of, backend) {
                return Err(source.error(
                    backend.span(),
                    "`backend` with `of = \"all\"`: a call that timed out or failed before a backend answered names no backend",
                    "no `backend` (all calls, over every backend), or `of = \"ok\"`",
                ));
            }
            Ok(LatencyExpectation {
                percentile: self::percentile(percentile, source)?,
                under: positive(under, "under", source)?,
                backend: backend
                    .as_ref()
                    .map(|b| backend_index(b, backends, source))
                    .transpose()?,
                after: after.as_ref().map_or(Duration::ZERO, |after| after.get_ref().0),
                of,
            })
        })
        .collect()
}

/// `of`: `ok` (the default) or `all`.
fn calls_of(
    value: Option<&Spanned<String>>,
    source: &Source<'_>,
) -> Result<LatencyOf, ScenarioError> {
    let Some(value) = value else { return Ok(LatencyOf::Ok) };
    let names = LatencyOf::NAMES;
    names.iter().position(|name| name == value.get_ref()).map(|at| LatencyOf::ALL[at]).ok_or_else(
        || {
            source
                .error(
                    value.span(),
                    format!("unknown `of` `{}`", value.get_ref()),
                    "`ok` (the OK calls) or `all` (every call, a timed-out one at its deadline)",
                )
                .suggesting(did_you_mean(value.get_ref(), names))
        },
    )
}

/// A percentile above 0 and at most 100.
fn percentile(value: &Spanned<f64>, source: &Source<'_>) -> Result<f64, ScenarioError> {
    let percentile = *value.get_ref();
    if !(percentile > 0.0 && percentile <= 100.0) {
        return Err(source.error(
            value.span(),
            format!("`percentile` is {percentile}"),
            "a percentile above 0 and at most 100 (99, 99.9; 100 is the slowest call)",
        ));
    }
    Ok(percentile)
}
