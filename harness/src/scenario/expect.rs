//! `[expect]`: what a run must show, as [`Expectations`].

use super::error::{ScenarioError, Source};
use super::fault::backend_index;
use super::raw::RawExpect;
use std::time::Duration;
use toml::Spanned;

/// The checks a scenario asks for, with their thresholds. All off by default.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Expectations {
    /// At most this fraction of calls fail (0 to 1).
    pub max_failure_rate: Option<f64>,
    /// Backends that must serve at least a share of the calls.
    pub shares: Vec<ShareExpectation>,
    /// The balancer routes around a failed backend.
    pub fallback: Option<FallbackExpectation>,
    /// No call outlives its deadline by more than this.
    pub max_latency_over_deadline: Option<Duration>,
    /// At most this many connections opened, over all backends, in the whole run.
    pub max_connections: Option<u64>,
    /// Tasks, connections and file descriptors are back to baseline after the run.
    pub no_leaks: bool,
}

/// One backend's share of the calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShareExpectation {
    /// The backend's index.
    pub backend: usize,
    /// Its least share of the calls started from `after` on (0 to 1).
    pub at_least: f64,
    /// Since the cluster started; zero when not given.
    pub after: Duration,
}

/// How fast the balancer routes around a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FallbackExpectation {
    /// At most this many calls fail in all.
    pub max_failures: u64,
    /// No call fails that starts this long after a fault began. Default 500 ms.
    pub grace: Duration,
}

/// Checks `[expect]` against a cluster of `backends`.
pub(super) fn expectations(
    raw: &RawExpect,
    backends: usize,
    source: &Source<'_>,
) -> Result<Expectations, ScenarioError> {
    let mut expect = Expectations { no_leaks: raw.no_leaks, ..Expectations::default() };
    if let Some(rate) = &raw.max_failure_rate {
        expect.max_failure_rate = Some(fraction(rate, "max_failure_rate", source)?);
    }
    for share in &raw.shares {
        let share = share.get_ref();
        expect.shares.push(ShareExpectation {
            backend: backend_index(&share.backend, backends, source)?,
            at_least: fraction(&share.at_least, "at_least", source)?,
            after: share.after.as_ref().map_or(Duration::ZERO, |after| after.get_ref().0),
        });
    }
    if let Some(fallback) = &raw.fallback {
        let fallback = fallback.get_ref();
        let failures = &fallback.max_failures;
        expect.fallback = Some(FallbackExpectation {
            max_failures: u64::try_from(*failures.get_ref()).map_err(|_| {
                source.error(
                    failures.span(),
                    format!("`max_failures` is {}", failures.get_ref()),
                    "a number of calls, 0 or more",
                )
            })?,
            grace: fallback
                .grace
                .as_ref()
                .map_or(Duration::from_millis(500), |grace| grace.get_ref().0),
        });
    }
    if let Some(connections) = &raw.max_connections {
        expect.max_connections = Some(
            u64::try_from(*connections.get_ref()).ok().filter(|n| *n >= 1).ok_or_else(|| {
                source.error(
                    connections.span(),
                    format!("`max_connections` is {}", connections.get_ref()),
                    "a number of connections, at least 1",
                )
            })?,
        );
    }
    expect.max_latency_over_deadline =
        raw.max_latency_over_deadline.as_ref().map(|over| over.get_ref().0);
    Ok(expect)
}

fn fraction(value: &Spanned<f64>, field: &str, source: &Source<'_>) -> Result<f64, ScenarioError> {
    let fraction = *value.get_ref();
    if !(0.0..=1.0).contains(&fraction) {
        return Err(source.error(
            value.span(),
            format!("`{field}` is {fraction}"),
            "a fraction in 0..=1 (0.2 for 20 %)",
        ));
    }
    Ok(fraction)
}
