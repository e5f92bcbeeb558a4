//! [`Expectations`]: the checks a scenario asks for, with their thresholds, and [`CHECKS`],
//! every check by name beside the question whether `[expect]` asks for it: one list, in report
//! order.

use super::expected::Expected;
use crate::check::stats::DistributionSpec;
use std::time::Duration;

/// The checks a scenario asks for, with their thresholds. All off by default.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Expectations {
    /// Whether the story expects every check to hold, or shows a flaw that makes some fail.
    pub outcome: Expected,
    /// With [`Expected::Fail`]: the checks that must fail, by name, and only those (`[expect]
    /// fails`); empty otherwise.
    pub fails: Vec<&'static str>,
    /// At most this fraction of calls fail (0 to 1).
    pub max_failure_rate: Option<f64>,
    /// At least this fraction of calls fail (0 to 1; `[expect] min_failure_rate`, the
    /// `min-failure-rate` check).
    pub min_failure_rate: Option<f64>,
    /// The failure rates count the calls started from this time on (since the cluster
    /// started); zero by default.
    pub failure_rate_from: Duration,
    /// The failure rates count the calls started before this time (`None`: to the end of the
    /// run).
    pub failure_rate_until: Option<Duration>,
    /// How the calls split over the backends.
    pub distribution: Option<Distribution>,
    /// Backends that must serve at least a share of the calls.
    pub shares: Vec<ShareExpectation>,
    /// Backends that may serve at most a share of the calls (a slow one, under a load-aware
    /// balancer).
    pub max_shares: Vec<MaxShareExpectation>,
    /// Backends that serve no OK call in a window (`[[expect.served_nothing]]`).
    pub served_nothing: Vec<ServedNothingExpectation>,
    /// The balancer routes around a failed backend.
    pub fallback: Option<FallbackExpectation>,
    /// A backend back from its fault gets its share back.
    pub recovery: Option<RecoveryExpectation>,
    /// After the last discovery change, calls reach exactly the announced backends.
    pub convergence: Option<ConvergenceExpectation>,
    /// No call outlives its deadline by more than this.
    pub max_latency_over_deadline: Option<Duration>,
    /// At most this many connections opened, over all backends, in the whole run.
    pub max_connections: Option<u64>,
    /// Tasks, connections and file descriptors are back to baseline after the run.
    pub no_leaks: bool,
    /// Failed calls fail only with these codes (`[expect] codes`).
    pub codes: Option<Vec<tonic::Code>>,
    /// A call that fails while no announced backend is up fails within this (`[expect]
    /// fail_fast`).
    pub fail_fast: Option<Duration>,
    /// Only announced backends serve; a withdrawn one for this grace after its withdrawal
    /// (`[expect] only_announced`).
    pub only_announced: Option<Duration>,
    /// At most this many connections opened per 1,000 calls (`[expect]
    /// connections_per_1000_calls`; the `connections` check).
    pub connections_per_1000_calls: Option<f64>,
    /// Latency percentiles under bounds, overall or per backend.
    pub latency: Vec<LatencyExpectation>,
    /// A call fails only while it meets a fault or this grace after one, or when no backend is
    /// announced (`[expect] avoidable_failures`).
    pub avoidable_failures: Option<Duration>,
    /// Once faults and discovery are quiet, the balancer is back to normal (`[expect] settled`).
    pub settled: Option<SettledExpectation>,
}

/// Back to normal once every fault has ended and discovery has stopped changing: `[expect]
/// settled` (the `settled` check).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SettledExpectation {
    /// How long after the end of the last fault window and the last discovery change the
    /// check starts judging.
    pub after: Duration,
    /// Each announced backend's least share of the OK calls from then on, as a fraction of its
    /// fair share (0 to 1).
    pub at_least: f64,
    /// Each announced backend's largest share, as a multiple of its fair share (1 to 10,000).
    pub at_most: f64,
}

/// A percentile of the calls' latency (the OK ones, or all) under a bound: `[expect] latency`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyExpectation {
    /// Which percentile: above 0, at most 100 (100 is the slowest call).
    pub percentile: f64,
    /// The percentile is below this.
    pub under: Duration,
    /// Of the calls this backend served (its index); of every OK call when `None`.
    pub backend: Option<usize>,
    /// Of the calls started from this time on (since the cluster started); zero when not given.
    pub after: Duration,
    /// Which calls: the OK ones (the default), or all of them, a timed-out call at its
    /// deadline.
    pub of: LatencyOf,
}

/// Which calls a latency bound measures: `[expect] latency` `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LatencyOf {
    /// The OK calls, at their measured latency: `"ok"`, the default.
    #[default]
    Ok,
    /// Every call: a timed-out one at the load's deadline, any other (OK or failed) at its
    /// measured latency: `"all"`, the latency a client's dashboard shows.
    All,
}

impl LatencyOf {
    /// The names a file may write, in the order of [`LatencyOf::ALL`].
    pub const NAMES: [&'static str; 2] = ["ok", "all"];

    /// Both, in the order of [`LatencyOf::NAMES`].
    pub const ALL: [LatencyOf; 2] = [LatencyOf::Ok, LatencyOf::All];
}

/// One backend's share of the calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShareExpectation {
    /// The backend's index.
    pub backend: usize,
    /// Its least share of the calls started from `after` on, and before `until` (0 to 1).
    pub at_least: f64,
    /// The window's start (`from`, or its older name `after`), since the cluster started;
    /// zero when not given.
    pub after: Duration,
    /// The window's end, since the cluster started (calls started before it count); the end
    /// of the run when `None`.
    pub until: Option<Duration>,
}

/// One backend's largest share of the calls: `[expect] max_shares`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaxShareExpectation {
    /// The backend's index.
    pub backend: usize,
    /// Its largest share of the calls started from `after` on, and before `until` (0 to 1).
    pub at_most: f64,
    /// The window's start (`from`, or its older name `after`), since the cluster started;
    /// zero when not given.
    pub after: Duration,
    /// The window's end (calls started before it count); the end of the run when `None`.
    pub until: Option<Duration>,
}

/// A backend that serves no OK call among the calls started in a window:
/// `[[expect.served_nothing]]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServedNothingExpectation {
    /// The backend's index.
    pub backend: usize,
    /// The window's start, since the cluster started; zero when not given.
    pub from: Duration,
    /// The window's end (calls started before it count); the end of the run when `None`.
    pub until: Option<Duration>,
}

/// How fast the balancer routes around a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FallbackExpectation {
    /// At most this many calls fail in all.
    pub max_failures: u64,
    /// No call fails that starts this long after a fault began. Default 500 ms.
    pub grace: Duration,
}

/// Whether an `[expect]` asks for a check.
type Asks = fn(&Expectations) -> bool;

/// Every check a scenario can run, by the name reports give it, beside whether an `[expect]`
/// asks for it: in report order (`accounting` always). The one list of check names.
const ASKED: [(&str, Asks); 19] = [
    ("accounting", |_| true),
    ("distribution", |e| e.distribution.is_some()),
    ("failure-rate", |e| e.max_failure_rate.is_some()),
    ("min-failure-rate", |e| e.min_failure_rate.is_some()),
    ("codes", |e| e.codes.is_some()),
    ("share", |e| !e.shares.is_empty()),
    ("max-share", |e| !e.max_shares.is_empty()),
    ("served-nothing", |e| !e.served_nothing.is_empty()),
    ("fallback", |e| e.fallback.is_some()),
    ("fail-fast", |e| e.fail_fast.is_some()),
    ("recovery", |e| e.recovery.is_some()),
    ("convergence", |e| e.convergence.is_some()),
    ("only-announced", |e| e.only_announced.is_some()),
    ("timeout", |e| e.max_latency_over_deadline.is_some()),
    ("latency", |e| !e.latency.is_empty()),
    ("connections", |e| e.max_connections.is_some() || e.connections_per_1000_calls.is_some()),
    ("avoidable-failures", |e| e.avoidable_failures.is_some()),
    ("settled", |e| e.settled.is_some()),
    ("leak-free", |e| e.no_leaks),
];

/// Every check a scenario can run, by the name reports give it, in report order.
pub const CHECKS: [&str; ASKED.len()] = {
    let mut names = [""; ASKED.len()];
    let mut index = 0;
    while index < ASKED.len() {
        names[index] = ASKED[index].0;
        index += 1;
    }
    names
};

impl Expectations {
    /// The checks a run of these expectations makes, by name, in report order (`accounting`
    /// always).
    pub fn checks(&self) -> Vec<&'static str> {
        ASKED.iter().filter(|(_, asked)| asked(self)).map(|(name, _)| *name).collect()
    }

    /// Whether a run whose failed checks are `failed` (by name) is what the story expects:
    /// for [`Expected::Pass`] none failed; for [`Expected::Fail`] exactly the checks named in
    /// `fails` failed (each of them, at least once, and no other).
    ///
    /// ```
    /// # let story = jostle_harness::scenario::load("../fixtures/article-restart.toml")?;
    /// let expect = story.expect();
    /// assert_eq!(expect.fails, ["share"]);
    /// assert!(expect.is_met_by(&["share"]), "the flaw the story shows");
    /// assert!(!expect.is_met_by(&[]), "every check held: the flaw is gone");
    /// assert!(!expect.is_met_by(&["share", "leak-free"]), "another check failed too");
    /// assert!(!expect.is_met_by(&["failure-rate"]), "another flaw than the story's");
    /// # Ok::<(), jostle_harness::scenario::ScenarioError>(())
    /// ```
    pub fn is_met_by(&self, failed: &[&str]) -> bool {
        match self.outcome {
            Expected::Pass => failed.is_empty(),
            Expected::Fail => {
                let mut failed: Vec<&str> = failed.to_vec();
                failed.sort_unstable();
                failed.dedup();
                let mut named = self.fails.clone();
                named.sort_unstable();
                !failed.is_empty() && failed == named
            }
        }
    }
}

/// How the calls split over the backends: `[expect] distribution`.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// One call at a time rotates through the backends in index order (round robin):
    /// `"exact-cycle"`.
    ExactCycle,
    /// The OK calls split in these shares, one per backend, summing to 1, judged by a
    /// chi-square test at the sample size `spec` derives. `"even"` is an even split with
    /// [`DistributionSpec::default`].
    Shares {
        /// One share per backend.
        shares: Vec<f64>,
        /// The false-failure rate, smallest skew and power of the test.
        spec: DistributionSpec,
    },
}

impl Distribution {
    /// The names a file may write.
    pub const NAMES: [&'static str; 2] = ["exact-cycle", "even"];

    /// An even split over `backends`, with the default statistical spec.
    pub fn even(backends: usize) -> Self {
        Distribution::Shares {
            shares: vec![1.0 / backends.max(1) as f64; backends],
            spec: DistributionSpec::default(),
        }
    }
}

/// A backend back from its fault (the end of its last fault window) or newly announced (its
/// last announcement), whichever is later, serves again within `within` of its return, then at
/// least `at_least` of its fair share; with `at_most`, it is never flooded either.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecoveryExpectation {
    /// The backend's index.
    pub backend: usize,
    /// How soon after its return it must serve again.
    pub within: Duration,
    /// Its least share after that, as a fraction of its fair share (0 to 1).
    pub at_least: f64,
    /// Its largest share in any `window` from its return on, as a multiple of its fair share
    /// (`None`: no upper bound).
    pub at_most: Option<f64>,
    /// The window `at_most` is judged in (default 250 ms).
    pub window: Duration,
}

/// After the last discovery change and `settle`, calls reach only the announced backends (or
/// the chosen ones among them), and each of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvergenceExpectation {
    /// How long the balancer gets to follow the change; default 500 ms.
    pub settle: Duration,
    /// The backends (indexes, each announced after the last change) the calls must reach,
    /// exactly; every announced backend when `None`. The others announced may get no call (a
    /// bad pod a good client avoids).
    pub backends: Option<Vec<usize>>,
}
