//! A rule built in Rust is written as a file that reads back as the same rule and judges a run
//! the same, or it is refused: never written as another rule (a replay judged otherwise than
//! the run that wrote it). Every check with drawn values, and what no file can hold.

use super::{calls, read};
use crate::check::Context;
use crate::check::stats::DistributionSpec;
use crate::expect::*;
use crate::record::StatsSnapshot;
use crate::scenario::{Expectations, Scenario, ScenarioError};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;
use std::time::Duration;

/// The story's load (`super::STORY`) ends at 2 s: a window starts before it.
const LOAD_END_MS: u64 = 2_000;

/// Every verdict `expect` gives over [`calls`], played in `story`, as text.
pub(super) fn verdicts(story: &Scenario, expect: &Expectations) -> Vec<String> {
    let (log, context) = (calls(), Context::default());
    let names: Vec<String> = (0..3).map(|index| format!("backend-{index}")).collect();
    let counted = vec![StatsSnapshot::default(); 3];
    let calls = Calls {
        scenario: story,
        windows: &[],
        log: &log,
        names: &names,
        before: &counted,
        after: &counted,
        context: &context,
        origin: Origin::InProcess,
    };
    expect.judge(&calls).into_iter().map(|(name, judged)| format!("{name}: {judged:?}")).collect()
}

/// `rules` written, read back and judged: the file must read as the same rules and judge the
/// calls the same.
pub(super) fn reads_back_as_itself(rules: Vec<Arc<dyn Rule>>, rerun: &str) {
    let built = Expectations::of(rules);
    let text = built.toml().unwrap_or_else(|error| panic!("{error}; rerun: {rerun}"));
    let story = read(&text);
    assert_eq!(
        *story.expect(),
        built,
        "written as\n{text}\nthe rules read back as others; {rerun}"
    );
    assert_eq!(
        verdicts(&story, story.expect()),
        verdicts(&story, &built),
        "written as\n{text}\nthe file judges the run otherwise than the rules; {rerun}"
    );
}

/// Draws a rule's values from a seed; notes whether it drew one no file can hold.
struct Draw {
    rng: ChaCha8Rng,
    unwritable: bool,
}

impl Draw {
    /// Whole milliseconds in `low..high`; one draw in 40 adds a part of a millisecond.
    fn duration(&mut self, low: u64, high: u64) -> Duration {
        let whole = Duration::from_millis(self.rng.random_range(low..high));
        if self.rng.random_ratio(1, 40) {
            self.unwritable = true;
            return whole + Duration::from_nanos(self.rng.random_range(1..1_000_000));
        }
        whole
    }

    /// A fraction in 0..=1: an end, a short decimal or any.
    fn fraction(&mut self) -> f64 {
        match self.rng.random_range(0..4) {
            0 => f64::from(self.rng.random_range(0..=1_u8)),
            1 => f64::from(self.rng.random_range(0..=100_u8)) / 100.0,
            _ => self.rng.random_range(0.0..=1.0),
        }
    }

    /// A window starting before the load ends: `(from, until)`.
    fn window(&mut self) -> (Duration, Option<Duration>) {
        let from = self.duration(0, LOAD_END_MS - 1);
        let until = self.rng.random_bool(0.5).then(|| {
            let length = self.duration(1, 3_000);
            from + length.max(Duration::from_millis(1))
        });
        (from, until)
    }

    /// A count, now and then larger than a TOML integer holds.
    fn count(&mut self, low: u64) -> u64 {
        if self.rng.random_ratio(1, 40) {
            self.unwritable = true;
            return self.rng.random_range(i64::MAX as u64 + 1..=u64::MAX);
        }
        self.rng.random_range(low..1_000_000)
    }

    fn backend(&mut self) -> usize {
        self.rng.random_range(0..3)
    }

    fn some<T>(&mut self, value: impl FnOnce(&mut Self) -> T) -> Option<T> {
        self.rng.random_bool(0.5).then(|| value(self))
    }
}

/// Every check of the registry, each with values drawn from `draw`, in report order.
fn every_rule(draw: &mut Draw) -> Vec<Arc<dyn Rule>> {
    let (max_window, min_window) = (draw.window(), draw.window());
    let shares = [[0.5, 0.25, 0.25], [0.2, 0.3, 0.5], [0.6, 0.2, 0.2]][draw.backend()];
    let distribution = match draw.rng.random_bool(0.3) {
        true => Distribution::ExactCycle,
        false => Distribution::Shares {
            shares: shares.to_vec(),
            spec: DistributionSpec {
                false_failure: draw.rng.random_range(0.001..0.1),
                min_skew: draw.rng.random_range(0.1..0.5),
                power: draw.rng.random_range(0.5..0.99),
            },
        },
    };
    let share = |draw: &mut Draw| {
        let (after, until) = draw.window();
        ShareExpectation { backend: draw.backend(), at_least: draw.fraction(), after, until }
    };
    let max_share = |draw: &mut Draw| {
        let (after, until) = draw.window();
        MaxShareExpectation { backend: draw.backend(), at_most: draw.fraction(), after, until }
    };
    let nothing = |draw: &mut Draw| {
        let (from, until) = draw.window();
        ServedNothingExpectation { backend: draw.backend(), from, until }
    };
    let latency = |draw: &mut Draw| {
        let of = if draw.rng.random_bool(0.5) { LatencyOf::All } else { LatencyOf::Ok };
        LatencyExpectation {
            percentile: draw.rng.random_range(0.001..=100.0),
            under: draw.duration(1, 5_000),
            backend: (of == LatencyOf::Ok).then(|| draw.backend()).filter(|_| draw.rng.random()),
            after: draw.duration(0, LOAD_END_MS - 1),
            of,
        }
    };
    let recovery_at_most = draw.some(|draw| draw.rng.random_range(1.0..=1_000.0));
    let recovery_window =
        if recovery_at_most.is_some() { draw.duration(1, 1_000) } else { FLOOD_WINDOW };
    let connections = match draw.rng.random_bool(0.5) {
        true => Connections::Total(draw.count(1)),
        false => Connections::Per1000Calls(draw.rng.random_range(0.001..=1_000.0)),
    };
    let mut codes: Vec<tonic::Code> =
        (1..=16).map(tonic::Code::from_i32).filter(|_| draw.rng.random_ratio(1, 3)).collect();
    if codes.is_empty() {
        codes.push(tonic::Code::Unavailable);
    }
    vec![
        Arc::new(Accounting),
        Arc::new(distribution),
        Arc::new(FailureRate { max: draw.fraction(), from: max_window.0, until: max_window.1 }),
        Arc::new(MinFailureRate { min: draw.fraction(), from: min_window.0, until: min_window.1 }),
        Arc::new(Codes(codes)),
        Arc::new(Shares(vec![share(draw), share(draw)])),
        Arc::new(MaxShares(vec![max_share(draw)])),
        Arc::new(ServedNothing(vec![nothing(draw), nothing(draw)])),
        Arc::new(FallbackExpectation {
            max_failures: draw.count(0),
            grace: draw.duration(0, 5_000),
        }),
        Arc::new(FailFast(draw.duration(1, 5_000))),
        Arc::new(RecoveryExpectation {
            backend: draw.backend(),
            within: draw.duration(1, 5_000),
            at_least: draw.fraction(),
            at_most: recovery_at_most,
            window: recovery_window,
        }),
        Arc::new(ConvergenceExpectation {
            settle: draw.duration(0, 5_000),
            backends: draw.some(|draw| if draw.rng.random() { vec![1, 0] } else { vec![1] }),
        }),
        Arc::new(OnlyAnnounced(draw.duration(0, 5_000))),
        Arc::new(Timeout(draw.duration(0, 5_000))),
        Arc::new(Latency(vec![latency(draw), latency(draw)])),
        Arc::new(connections),
        Arc::new(AvoidableFailures(draw.duration(0, 5_000))),
        Arc::new(SettledExpectation {
            after: draw.duration(0, 5_000),
            at_least: draw.fraction(),
            at_most: draw.rng.random_range(1.0..=10_000.0),
        }),
        Arc::new(NoLeaks),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_rule_built_in_rust_reads_back_as_itself_or_is_refused(seed in any::<u64>()) {
        let mut draw = Draw { rng: ChaCha8Rng::seed_from_u64(seed), unwritable: false };
        let rules = every_rule(&mut draw);
        let rerun = format!(
            "seed {seed}; rerun: cargo test -p jostle-harness --lib expect::tests::written"
        );
        if draw.unwritable {
            let error = Expectations::of(rules).toml().expect_err(&rerun);
            prop_assert!(
                matches!(error, ScenarioError::Unwritable { .. }),
                "a value no file holds must be refused, not rounded: {error}; {rerun}"
            );
        } else {
            reads_back_as_itself(rules, &rerun);
        }
    }
}

#[test]
fn a_rule_no_file_can_hold_is_refused_naming_the_check_and_the_value() {
    let ms = Duration::from_millis;
    for (rule, message) in [
        (
            Arc::new(Timeout(Duration::from_micros(2_500))) as Arc<dyn Rule>,
            "cannot write `timeout` to a scenario file: `max_latency_over_deadline` is 2.5ms, not a whole number of milliseconds",
        ),
        (
            Arc::new(ServedNothing(vec![ServedNothingExpectation {
                backend: 1,
                from: ms(1),
                until: Some(Duration::from_nanos(1_000_001)),
            }])),
            "cannot write `served-nothing` to a scenario file: `until` is 1.000001ms",
        ),
        (
            Arc::new(Latency(Vec::new())),
            "cannot write `latency` to a scenario file: `latency` lists no bound",
        ),
        (
            Arc::new(Shares(Vec::new())),
            "cannot write `share` to a scenario file: `shares` lists no bound",
        ),
        (
            Arc::new(MaxShares(Vec::new())),
            "cannot write `max-share` to a scenario file: `max_shares` lists no bound",
        ),
        (
            Arc::new(ServedNothing(Vec::new())),
            "cannot write `served-nothing` to a scenario file: `served_nothing` lists no bound",
        ),
        (
            Arc::new(Codes(Vec::new())),
            "cannot write `codes` to a scenario file: `codes` lists no bound",
        ),
        (
            Arc::new(RecoveryExpectation {
                backend: 0,
                within: ms(1),
                at_least: 0.5,
                at_most: None,
                window: ms(100),
            }),
            "cannot write `recovery` to a scenario file: a `window` (100ms) without `at_most`",
        ),
        (
            Arc::new(ConvergenceExpectation { settle: ms(1), backends: Some(Vec::new()) }),
            "cannot write `convergence` to a scenario file: `backends` lists no backend",
        ),
        (
            Arc::new(Latency(vec![LatencyExpectation {
                percentile: 99.0,
                under: ms(5),
                backend: Some(1),
                after: Duration::ZERO,
                of: LatencyOf::All,
            }])),
            "cannot write `latency` to a scenario file: a bound of all calls names backend 1",
        ),
        (
            Arc::new(Connections::Total(u64::MAX)),
            "cannot write `connections` to a scenario file: `max_connections` is 18446744073709551615",
        ),
    ] {
        let error = Expectations::of(vec![rule]).toml().expect_err(message).to_string();
        assert!(
            error.starts_with(message),
            "the writer must refuse what a file cannot hold: {error}"
        );
    }
}
