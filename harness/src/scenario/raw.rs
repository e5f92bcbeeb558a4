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

/// `[expect]`.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `outcome`, `fails`, `max_failure_rate`, `min_failure_rate`, `failure_rate_from`, `failure_rate_until`, `distribution`, `shares`, `max_shares`, `served_nothing`, `fallback`, `recovery`, `convergence`, `max_latency_over_deadline`, `max_connections`, `no_leaks`, `split`, `codes`, `fail_fast`, `only_announced`, `connections_per_1000_calls`, `latency`, `avoidable_failures`, `settled` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExpect {
    pub(super) outcome: Option<Spanned<String>>,
    pub(super) fails: Option<Spanned<Vec<Spanned<String>>>>,
    pub(super) max_failure_rate: Option<Spanned<f64>>,
    pub(super) min_failure_rate: Option<Spanned<f64>>,
    pub(super) failure_rate_from: Option<Spanned<Dur>>,
    pub(super) failure_rate_until: Option<Spanned<Dur>>,
    pub(super) distribution: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) shares: Vec<Spanned<RawShare>>,
    #[serde(default)]
    pub(super) max_shares: Vec<Spanned<RawMaxShare>>,
    #[serde(default)]
    pub(super) served_nothing: Vec<Spanned<RawServedNothing>>,
    pub(super) fallback: Option<Spanned<RawFallback>>,
    pub(super) recovery: Option<Spanned<RawRecovery>>,
    pub(super) convergence: Option<Spanned<RawConvergence>>,
    pub(super) max_latency_over_deadline: Option<Spanned<Dur>>,
    pub(super) max_connections: Option<Spanned<i64>>,
    #[serde(default)]
    pub(super) no_leaks: bool,
    // An incident's expectations (scenario/expect_incident.rs).
    pub(super) split: Option<Spanned<RawSplit>>,
    pub(super) codes: Option<Spanned<Vec<Spanned<String>>>>,
    pub(super) fail_fast: Option<Spanned<RawFailFast>>,
    pub(super) only_announced: Option<Spanned<RawOnlyAnnounced>>,
    pub(super) connections_per_1000_calls: Option<Spanned<f64>>,
    #[serde(default)]
    pub(super) latency: Vec<Spanned<RawLatencyBound>>,
    // What explore judges by (scenario/expect_explore.rs).
    pub(super) avoidable_failures: Option<Spanned<RawAvoidable>>,
    pub(super) settled: Option<Spanned<RawSettled>>,
}

/// `[expect.avoidable_failures]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `grace` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
pub(super) struct RawAvoidable {
    pub(super) grace: Option<Spanned<Dur>>,
}

/// `[expect.settled]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `after`, `at_least`, `at_most` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
pub(super) struct RawSettled {
    pub(super) after: Option<Spanned<Dur>>,
    pub(super) at_least: Option<Spanned<f64>>,
    pub(super) at_most: Option<Spanned<f64>>,
}

/// `[expect.split]`: the OK calls' shares, judged by the sized chi-square test.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `shares`, `false_failure`, `min_skew`, `power` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSplit {
    pub(super) shares: Spanned<Vec<Spanned<f64>>>,
    pub(super) false_failure: Option<Spanned<f64>>,
    pub(super) min_skew: Option<Spanned<f64>>,
    pub(super) power: Option<Spanned<f64>>,
}

/// `[expect.fail_fast]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `within` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
pub(super) struct RawFailFast {
    pub(super) within: Spanned<Dur>,
}

/// `[expect.only_announced]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `grace` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
pub(super) struct RawOnlyAnnounced {
    pub(super) grace: Option<Spanned<Dur>>,
}

/// One of `[expect] latency`.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `percentile`, `under`, `backend`, `after`, `of` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLatencyBound {
    pub(super) percentile: Spanned<f64>,
    pub(super) under: Spanned<Dur>,
    pub(super) backend: Option<Spanned<i64>>,
    pub(super) after: Option<Spanned<Dur>>,
    /// `ok` or `all` (scenario/latency.rs).
    pub(super) of: Option<Spanned<String>>,
}

/// One of `[expect] shares`.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `backend`, `at_least`, `from`, `until`, `after` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShare {
    pub(super) backend: Spanned<i64>,
    pub(super) at_least: Spanned<f64>,
    pub(super) from: Option<Spanned<Dur>>,
    pub(super) until: Option<Spanned<Dur>>,
    /// The older name of `from`.
    pub(super) after: Option<Spanned<Dur>>,
}

/// One of `[expect] max_shares`.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `backend`, `at_most`, `from`, `until`, `after` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMaxShare {
    pub(super) backend: Spanned<i64>,
    pub(super) at_most: Spanned<f64>,
    pub(super) from: Option<Spanned<Dur>>,
    pub(super) until: Option<Spanned<Dur>>,
    /// The older name of `from`.
    pub(super) after: Option<Spanned<Dur>>,
}

/// One of `[[expect.served_nothing]]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `backend`, `from`, `until` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
pub(super) struct RawServedNothing {
    pub(super) backend: Spanned<i64>,
    pub(super) from: Option<Spanned<Dur>>,
    pub(super) until: Option<Spanned<Dur>>,
}

/// `[expect.fallback]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `max_failures`, `grace` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
pub(super) struct RawFallback {
    pub(super) max_failures: Spanned<i64>,
    pub(super) grace: Option<Spanned<Dur>>,
}

/// `[expect.recovery]`.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `backend`, `within`, `at_least`, `at_most`, `window` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRecovery {
    pub(super) backend: Spanned<i64>,
    pub(super) within: Spanned<Dur>,
    pub(super) at_least: Spanned<f64>,
    pub(super) at_most: Option<Spanned<f64>>,
    pub(super) window: Option<Spanned<Dur>>,
}

/// `[expect.convergence]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `settle`, `backends` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
pub(super) struct RawConvergence {
    pub(super) settle: Option<Spanned<Dur>>,
    pub(super) backends: Option<Spanned<Vec<Spanned<i64>>>>,
}
