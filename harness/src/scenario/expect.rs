//! `[expect]`: what a run must show, as [`Expectations`].

use super::error::{ScenarioError, Source};
use super::expected::Expected;
use super::raw::RawExpect;
use super::suggest::{did_you_mean, quoted};
use super::values::{backend_index, fraction, positive};
use crate::check::stats::DistributionSpec;
use std::time::Duration;
use toml::Spanned;

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
    /// The failure rate counts the calls started from this time on (since the cluster
    /// started); zero by default.
    pub failure_rate_from: Duration,
    /// How the calls split over the backends.
    pub distribution: Option<Distribution>,
    /// Backends that must serve at least a share of the calls.
    pub shares: Vec<ShareExpectation>,
    /// Backends that may serve at most a share of the calls (a slow one, under a load-aware
    /// balancer).
    pub max_shares: Vec<MaxShareExpectation>,
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

/// A percentile of the OK calls' latency under a bound: `[expect] latency`.
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

/// One backend's largest share of the calls: `[expect] max_shares`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaxShareExpectation {
    /// The backend's index.
    pub backend: usize,
    /// Its largest share of the calls started from `after` on (0 to 1).
    pub at_most: f64,
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

/// Every check a scenario can run, by the name reports give it.
pub const CHECKS: [&str; 17] = [
    "accounting",
    "distribution",
    "failure-rate",
    "codes",
    "share",
    "max-share",
    "fallback",
    "fail-fast",
    "recovery",
    "convergence",
    "only-announced",
    "timeout",
    "latency",
    "connections",
    "avoidable-failures",
    "settled",
    "leak-free",
];

impl Expectations {
    /// The checks a run of these expectations makes, by name, in report order (`accounting`
    /// always).
    pub fn checks(&self) -> Vec<&'static str> {
        let asked = [
            true,
            self.distribution.is_some(),
            self.max_failure_rate.is_some(),
            self.codes.is_some(),
            !self.shares.is_empty(),
            !self.max_shares.is_empty(),
            self.fallback.is_some(),
            self.fail_fast.is_some(),
            self.recovery.is_some(),
            self.convergence.is_some(),
            self.only_announced.is_some(),
            self.max_latency_over_deadline.is_some(),
            !self.latency.is_empty(),
            self.max_connections.is_some() || self.connections_per_1000_calls.is_some(),
            self.avoidable_failures.is_some(),
            self.settled.is_some(),
            self.no_leaks,
        ];
        CHECKS.into_iter().zip(asked).filter_map(|(name, asked)| asked.then_some(name)).collect()
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

/// After the last discovery change and `settle`, calls reach only the announced backends, and
/// each of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvergenceExpectation {
    /// How long the balancer gets to follow the change; default 500 ms.
    pub settle: Duration,
}

/// Checks `[expect]` against a cluster of `backends`.
pub(super) fn expectations(
    raw: &RawExpect,
    backends: usize,
    source: &Source<'_>,
) -> Result<Expectations, ScenarioError> {
    let mut expect = Expectations { no_leaks: raw.no_leaks, ..Expectations::default() };
    if let Some(outcome) = &raw.outcome {
        expect.outcome = self::outcome(outcome, source)?;
    }
    if let Some(rate) = &raw.max_failure_rate {
        expect.max_failure_rate = Some(fraction(rate, "max_failure_rate", source)?);
    }
    if let Some(from) = &raw.failure_rate_from {
        if raw.max_failure_rate.is_none() {
            return Err(source.error(
                from.span(),
                "`failure_rate_from` without `max_failure_rate`",
                "`max_failure_rate` beside it",
            ));
        }
        expect.failure_rate_from = from.get_ref().0;
    }
    if let Some(written) = &raw.distribution {
        expect.distribution = Some(match written.get_ref().as_str() {
            "exact-cycle" => Distribution::ExactCycle,
            "even" => Distribution::even(backends),
            other => {
                return Err(source
                    .error(
                        written.span(),
                        format!("unknown distribution `{other}`"),
                        quoted(&Distribution::NAMES),
                    )
                    .suggesting(did_you_mean(other, Distribution::NAMES)));
            }
        });
    }
    for share in &raw.shares {
        let share = share.get_ref();
        expect.shares.push(ShareExpectation {
            backend: backend_index(&share.backend, backends, source)?,
            at_least: fraction(&share.at_least, "at_least", source)?,
            after: share.after.as_ref().map_or(Duration::ZERO, |after| after.get_ref().0),
        });
    }
    for share in &raw.max_shares {
        let share = share.get_ref();
        expect.max_shares.push(MaxShareExpectation {
            backend: backend_index(&share.backend, backends, source)?,
            at_most: fraction(&share.at_most, "at_most", source)?,
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
    if let Some(recovery) = &raw.recovery {
        let recovery = recovery.get_ref();
        expect.recovery = Some(RecoveryExpectation {
            backend: backend_index(&recovery.backend, backends, source)?,
            within: positive(&recovery.within, "within", source)?,
            at_least: fraction(&recovery.at_least, "at_least", source)?,
            at_most: super::expect_incident::flood_bound(recovery, source)?,
            window: match &recovery.window {
                Some(window) => positive(window, "window", source)?,
                None => super::expect_incident::FLOOD_WINDOW,
            },
        });
    }
    if let Some(convergence) = &raw.convergence {
        let settle = convergence.get_ref().settle.as_ref();
        expect.convergence = Some(ConvergenceExpectation {
            settle: settle.map_or(Duration::from_millis(500), |settle| settle.get_ref().0),
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
    super::expect_incident::expectations(raw, backends, &mut expect, source)?;
    super::expect_explore::expectations(raw, &mut expect, source)?;
    expect.latency = super::latency::bounds(&raw.latency, backends, source)?;
    expect.fails = fails(raw, &expect, source)?;
    Ok(expect)
}

/// `[expect] fails`: required with `outcome = "fail"`, refused without it; each name a check
/// the file asks for, once.
fn fails(
    raw: &RawExpect,
    expect: &Expectations,
    source: &Source<'_>,
) -> Result<Vec<&'static str>, ScenarioError> {
    let Some(written) = &raw.fails else {
        if let (Expected::Fail, Some(outcome)) = (expect.outcome, &raw.outcome) {
            return Err(source.error(
                outcome.span(),
                "a story of a flaw that does not name the checks it makes fail",
                format!("`fails = [...]` beside it, with some of {}", quoted(&expect.checks())),
            ));
        }
        return Ok(Vec::new());
    };
    if expect.outcome != Expected::Fail {
        return Err(source.error(
            written.span(),
            "`fails` in a story that expects every check to hold",
            "`outcome = \"fail\"` beside it, or no `fails`",
        ));
    }
    if written.get_ref().is_empty() {
        return Err(source.error(
            written.span(),
            "`fails` names no check",
            format!("at least one of {}", quoted(&expect.checks())),
        ));
    }
    let asked = expect.checks();
    let mut names: Vec<&'static str> = Vec::new();
    for name in written.get_ref() {
        let Some(check) = CHECKS.into_iter().find(|check| check == name.get_ref()) else {
            return Err(source
                .error(
                    name.span(),
                    format!("unknown check `{}`", name.get_ref()),
                    format!("one of {}", quoted(&CHECKS)),
                )
                .suggesting(did_you_mean(name.get_ref(), CHECKS)));
        };
        if !asked.contains(&check) {
            return Err(source.error(
                name.span(),
                format!("check `{check}` is not one this story runs"),
                format!("one of its checks: {}", quoted(&asked)),
            ));
        }
        if names.contains(&check) {
            return Err(source.error(
                name.span(),
                format!("check `{check}` is named twice"),
                "each check once",
            ));
        }
        names.push(check);
    }
    Ok(names)
}

fn outcome(written: &Spanned<String>, source: &Source<'_>) -> Result<Expected, ScenarioError> {
    let names = Expected::ALL.map(Expected::name);
    Expected::ALL.into_iter().find(|outcome| outcome.name() == written.get_ref()).ok_or_else(|| {
        source
            .error(
                written.span(),
                format!("unknown outcome `{}`", written.get_ref()),
                quoted(&names),
            )
            .suggesting(did_you_mean(written.get_ref(), names))
    })
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::Expected;

    fn with_expect(expect: &str) -> String {
        format!(
            "name = \"s\"\n[cluster]\nbackends = 1\n[balancer]\npolicy = \"round_robin\"\n\
             [load]\nconcurrency = 1\ncalls = 1\n{expect}"
        )
    }

    #[test]
    fn a_story_expects_to_pass_unless_it_says_otherwise() {
        for expect in ["", "[expect]\n", "[expect]\noutcome = \"pass\"\n"] {
            let story = parse(&with_expect(expect), "s.toml").unwrap();
            assert_eq!(story.expect().outcome, Expected::Pass, "default outcome with {expect:?}");
        }
        let flaw = "[expect]\noutcome = \"fail\"\nfails = [\"leak-free\"]\nno_leaks = true\n";
        let flaw = parse(&with_expect(flaw), "s.toml").unwrap();
        assert_eq!(flaw.expect().outcome, Expected::Fail, "`outcome = \"fail\"` is read");
    }

    #[test]
    fn a_story_of_a_flaw_must_name_the_checks_it_makes_fail() {
        let unnamed =
            parse(&with_expect("[expect]\noutcome = \"fail\"\nno_leaks = true\n"), "s.toml");
        let message = unnamed.unwrap_err().to_string();
        assert!(
            message.contains("does not name the checks it makes fail")
                && message.contains("`fails = [...]`"),
            "{message}"
        );
        let other = "[expect]\noutcome = \"fail\"\nfails = [\"share\"]\nno_leaks = true\n";
        let message = parse(&with_expect(other), "s.toml").unwrap_err().to_string();
        assert!(message.contains("check `share` is not one this story runs"), "{message}");
        let pass = "[expect]\nfails = [\"leak-free\"]\nno_leaks = true\n";
        let message = parse(&with_expect(pass), "s.toml").unwrap_err().to_string();
        assert!(message.contains("`fails` in a story that expects every check"), "{message}");
    }

    #[test]
    fn a_run_is_as_expected_when_exactly_the_named_checks_fail() {
        let pass = parse(&with_expect(""), "s.toml").unwrap();
        assert!(pass.expect().is_met_by(&[]), "pass expected, every check held");
        assert!(!pass.expect().is_met_by(&["accounting"]), "pass expected, a check failed");
        let flaw = "[expect]\noutcome = \"fail\"\nfails = [\"leak-free\"]\nno_leaks = true\n";
        let flaw = parse(&with_expect(flaw), "s.toml").unwrap();
        assert!(flaw.expect().is_met_by(&["leak-free"]), "the named flaw is there");
        assert!(!flaw.expect().is_met_by(&[]), "every check held: the flaw is gone");
        assert!(
            !flaw.expect().is_met_by(&["leak-free", "accounting"]),
            "another check failed too: not the story's flaw alone"
        );
    }
}
