//! Wall time of the whole conformance battery against round robin (and, for scale, against
//! random, whose distribution check needs 45,040 calls), under the paused clock in memory.
//!
//! Run: `cargo bench -p jostle-harness --bench conformance` (release). The debug figure is the
//! test's own time: `cargo test --test balancers round_robin`.

#![allow(missing_docs, clippy::print_stdout)]

use jostle::balance::policy::{Random, RoundRobin};
use jostle_harness::conformance::Suite;
use std::time::Instant;

fn main() {
    for (name, suite) in [
        (
            "round_robin (exact cycle)",
            Suite::for_balancer("round_robin", RoundRobin::new).exact_cycle(),
        ),
        ("random (chi-square)", Suite::for_balancer("random", || Random::from_seed(7))),
    ] {
        let started = Instant::now();
        let report = suite.run_blocking();
        let took = started.elapsed();
        let failures = report.failures();
        println!(
            "{name:<28} {took:>10.2?} wall, {} scenarios, failures: {failures:?}",
            report.runs.len()
        );
    }
}
