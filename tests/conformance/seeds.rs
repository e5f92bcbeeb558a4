//! The suite's seed reaches the balancer under test: each seed a run of its own.
//!
//! Rerun: `cargo test --test balancers seeds`.

use jostle::balance::policy::RoundRobin;
use jostle_harness::conformance::{Battery, Suite};
use std::collections::BTreeSet;

/// A suite report's JSON runs, without the lines naming the seed: what the seed changed.
fn unseeded(report: &jostle_harness::conformance::SuiteReport) -> String {
    let runs: Vec<String> = report.runs.iter().map(|run| run.report.to_json()).collect();
    runs.join("\n").lines().filter(|line| !line.contains("seed")).collect::<Vec<_>>().join("\n")
}

#[test]
fn fifty_suite_seeds_give_a_correct_round_robin_fifty_distinct_runs() {
    let mut runs = BTreeSet::new();
    for seed in 0..50 {
        let report = Suite::for_balancer("round_robin", RoundRobin::new)
            .seed(seed)
            .scenarios([Battery::Restart, Battery::Flapping])
            .run_blocking();
        report.assert_passes();
        runs.insert(unseeded(&report));
    }
    assert_eq!(
        runs.len(),
        50,
        "each suite seed must reach the balancer's backoff jitter and give a run of its own: \
         50 seeds (0..50), restart and flapping; rerun: cargo test --test balancers seeds"
    );
}
