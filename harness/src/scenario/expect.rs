//! `[expect]`: what a run must show, as [`Expectations`].

use super::error::{ScenarioError, Source};
use super::fault::{backend_index, quoted};
use super::raw::RawExpect;
use super::suggest::did_you_mean;
use std::fmt;
use std::time::Duration;
use toml::Spanned;

/// The checks a scenario asks for, with their thresholds. All off by default.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Expectations {
    /// Whether the story expects every check to hold, or shows a flaw that makes one fail.
    pub outcome: Outcome,
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

/// What a story expects of its own checks: `[expect] outcome`.
///
/// A story that shows a balancer's flaw expects [`Outcome::Fail`]: its run is as expected
/// only while the flaw is there (at least one check fails). Strict: if every check holds,
/// the flaw is gone and the run is not as expected, so the story must be updated.
///
/// ```
/// use jostle_harness::scenario::Outcome;
///
/// assert!(Outcome::Pass.is_met_by(true));
/// assert!(Outcome::Fail.is_met_by(false), "a failed check shows the flaw");
/// assert!(!Outcome::Fail.is_met_by(true), "every check held: the flaw is gone");
/// assert_eq!(Outcome::default().name(), "pass");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    /// Every check holds (the default).
    #[default]
    Pass,
    /// At least one check fails: the story demonstrates a flaw.
    Fail,
}

impl Outcome {
    /// Both outcomes, in the order error messages list them.
    pub const ALL: [Outcome; 2] = [Outcome::Pass, Outcome::Fail];

    /// `pass` or `fail`, as the file writes it and the report shows it.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
        }
    }

    /// Whether a run whose checks all held (`passed`) or not is what this outcome expects.
    pub fn is_met_by(self, passed: bool) -> bool {
        passed == (self == Outcome::Pass)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
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
    if let Some(outcome) = &raw.outcome {
        expect.outcome = self::outcome(outcome, source)?;
    }
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

fn outcome(written: &Spanned<String>, source: &Source<'_>) -> Result<Outcome, ScenarioError> {
    let names = Outcome::ALL.map(Outcome::name);
    Outcome::ALL.into_iter().find(|outcome| outcome.name() == written.get_ref()).ok_or_else(|| {
        source
            .error(
                written.span(),
                format!("unknown outcome `{}`", written.get_ref()),
                quoted(&names),
            )
            .suggesting(did_you_mean(written.get_ref(), names))
    })
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

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::Outcome;

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
            assert_eq!(story.expect().outcome, Outcome::Pass, "default outcome with {expect:?}");
        }
        let flaw = parse(&with_expect("[expect]\noutcome = \"fail\"\n"), "s.toml").unwrap();
        assert_eq!(flaw.expect().outcome, Outcome::Fail, "`outcome = \"fail\"` is read");
    }

    #[test]
    fn a_run_is_as_expected_when_its_verdict_matches_the_outcome() {
        assert!(Outcome::Pass.is_met_by(true), "pass expected, every check held");
        assert!(!Outcome::Pass.is_met_by(false), "pass expected, a check failed");
        assert!(Outcome::Fail.is_met_by(false), "fail expected, a check failed: the flaw is there");
        assert!(
            !Outcome::Fail.is_met_by(true),
            "fail expected, every check held: the flaw is gone"
        );
    }
}
