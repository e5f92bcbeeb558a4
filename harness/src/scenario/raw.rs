//! The scenario file as written: the serde model, every table closed to unknown fields, every
//! value that a later check may reject kept with its place in the file.
//!
//! Names (policies, fault kinds, transports, codes) are read as strings and checked afterwards,
//! so that an unknown one gets the same located message, with a suggestion, as any other error.

use super::duration::Dur;
use super::target::RawTarget;
use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a scenario: tables such as [cluster], [load] and [expect] (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub(super) name: Spanned<String>,
    #[serde(default)]
    pub(super) seed: u64,
    pub(super) cluster: Spanned<RawCluster>,
    pub(super) balancer: Spanned<RawBalancer>,
    pub(super) load: Spanned<RawLoad>,
    #[serde(default)]
    pub(super) discovery: Option<Spanned<RawDiscovery>>,
    #[serde(default)]
    pub(super) fault: Vec<Spanned<RawFault>>,
    #[serde(default)]
    pub(super) expect: Option<Spanned<RawExpect>>,
}

/// `[cluster]`.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `backends`, `transport`, `latency`, `latencies` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCluster {
    pub(super) backends: Spanned<i64>,
    pub(super) transport: Option<Spanned<String>>,
    pub(super) latency: Option<Spanned<RawLatency>>,
    #[serde(default)]
    pub(super) latencies: Vec<Spanned<RawBackendLatency>>,
}

/// `[cluster] latency`: every backend's.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with `base` and optionally `jitter`, such as { base = \"8ms\", jitter = \"2ms\" }"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLatency {
    pub(super) base: Spanned<Dur>,
    pub(super) jitter: Option<Spanned<Dur>>,
}

/// One of `[cluster] latencies`: a backend's own.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `backend`, `base`, `jitter` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
pub(super) struct RawBackendLatency {
    pub(super) backend: Spanned<i64>,
    pub(super) base: Spanned<Dur>,
    pub(super) jitter: Option<Spanned<Dur>>,
}

/// `[balancer]`.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `policy`, `wait_for_ready`, `backoff` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBalancer {
    pub(super) policy: Spanned<String>,
    pub(super) profile: Option<Spanned<String>>,
    pub(super) wait_for_ready: Option<Spanned<bool>>,
    pub(super) backoff: Option<Spanned<RawBackoff>>,
    pub(super) timeouts_to_eject: Option<Spanned<i64>>,
}

/// `[balancer.backoff]`.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `initial`, `max`, `multiplier`, `jitter` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBackoff {
    pub(super) initial: Option<Spanned<Dur>>,
    pub(super) max: Option<Spanned<Dur>>,
    pub(super) multiplier: Option<Spanned<f64>>,
    pub(super) jitter: Option<Spanned<f64>>,
}

/// `[load]`.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `rate`, `concurrency`, `duration`, `calls`, `deadline`, `mix`, `warm_up`, `clients` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLoad {
    pub(super) rate: Option<Spanned<f64>>,
    pub(super) concurrency: Option<Spanned<i64>>,
    pub(super) duration: Option<Spanned<Dur>>,
    pub(super) calls: Option<Spanned<i64>>,
    pub(super) deadline: Option<Spanned<Dur>>,
    pub(super) mix: Option<Spanned<RawMix>>,
    pub(super) warm_up: Option<Spanned<Dur>>,
    pub(super) clients: Option<Spanned<i64>>,
}

/// `[discovery]`: which backends the client is told about, and when that changes.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `initial`, `via`, `ttl`, `min_ttl`, `change` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDiscovery {
    pub(super) initial: Option<Spanned<Vec<Spanned<i64>>>>,
    /// `stream` or `dns` (scenario/via.rs).
    pub(super) via: Option<Spanned<String>>,
    /// The scripted resolver's TTL, with `via = "dns"`.
    pub(super) ttl: Option<Spanned<Dur>>,
    /// The client's floor between resolutions, with `via = "dns"`.
    pub(super) min_ttl: Option<Spanned<Dur>>,
    #[serde(default)]
    pub(super) change: Vec<Spanned<RawChange>>,
}

/// One `[[discovery.change]]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `at`, `add`, `remove`, `set` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
pub(super) struct RawChange {
    pub(super) at: Spanned<Dur>,
    pub(super) add: Option<Spanned<Vec<Spanned<i64>>>>,
    pub(super) remove: Option<Spanned<Vec<Spanned<i64>>>>,
    /// The whole announced set from then on, instead of `add` and `remove`.
    pub(super) set: Option<Spanned<Vec<Spanned<i64>>>>,
}

/// `[load.mix]`: weights, 0 when left out.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `create`, `get`, `watch` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
pub(super) struct RawMix {
    pub(super) create: Option<Spanned<i64>>,
    pub(super) get: Option<Spanned<i64>>,
    pub(super) watch: Option<Spanned<i64>>,
}

/// One `[[fault]]`: when, where, what, for how long, and the kind's parameters, flat.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `at`, `target`, `kind`, `lasting`, `down_for`, `period`, `delay`, `min`, `max`, `base`, `jitter`, `phase`, `code`, `probability`, `next_calls`, `max_rpcs`, `max_age`, `after_messages`, `grace`, `before_delay` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFault {
    pub(super) at: Option<Spanned<Dur>>,
    pub(super) target: Spanned<RawTarget>,
    pub(super) kind: Spanned<String>,
    #[serde(rename = "for")]
    pub(super) lasting: Option<Spanned<Dur>>,
    pub(super) down_for: Option<Spanned<Dur>>,
    pub(super) period: Option<Spanned<Dur>>,
    pub(super) delay: Option<Spanned<Dur>>,
    pub(super) min: Option<Spanned<Dur>>,
    pub(super) max: Option<Spanned<Dur>>,
    pub(super) base: Option<Spanned<Dur>>,
    pub(super) jitter: Option<Spanned<Dur>>,
    pub(super) phase: Option<Spanned<String>>,
    pub(super) code: Option<Spanned<String>>,
    pub(super) probability: Option<Spanned<f64>>,
    pub(super) next_calls: Option<Spanned<i64>>,
    pub(super) max_rpcs: Option<Spanned<i64>>,
    pub(super) max_age: Option<Spanned<Dur>>,
    pub(super) after_messages: Option<Spanned<i64>>,
    pub(super) grace: Option<Spanned<Dur>>,
    pub(super) before_delay: Option<Spanned<bool>>,
}

impl RawFault {
    /// The kind's parameters that are set, with their places, in the file's field order.
    pub(super) fn parameters(&self) -> Vec<(&'static str, Range<usize>)> {
        fn span<T>(value: Option<&Spanned<T>>) -> Option<Range<usize>> {
            value.map(Spanned::span)
        }
        [
            ("down_for", span(self.down_for.as_ref())),
            ("period", span(self.period.as_ref())),
            ("delay", span(self.delay.as_ref())),
            ("min", span(self.min.as_ref())),
            ("max", span(self.max.as_ref())),
            ("base", span(self.base.as_ref())),
            ("jitter", span(self.jitter.as_ref())),
            ("phase", span(self.phase.as_ref())),
            ("code", span(self.code.as_ref())),
            ("probability", span(self.probability.as_ref())),
            ("next_calls", span(self.next_calls.as_ref())),
            ("max_rpcs", span(self.max_rpcs.as_ref())),
            ("max_age", span(self.max_age.as_ref())),
            ("after_messages", span(self.after_messages.as_ref())),
            ("grace", span(self.grace.as_ref())),
            ("before_delay", span(self.before_delay.as_ref())),
        ]
        .into_iter()
        .filter_map(|(name, span)| Some((name, span?)))
        .collect()
    }
}

/// `[expect]`: read key by key by the checks' own readers (crate::expect), with the places
/// of its values, from the file's text; here only its shape, a table.
pub(super) type RawExpect = toml::Table;
