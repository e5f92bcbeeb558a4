//! The README's `mine`, built exactly as README.md and docs/EXPLORE.md show (jostle's defaults,
//! gRPC's backoff), explored with its own backoff declared: no false alarm. The tolerances
//! follow the balancer's backoff, not explore's.
//!
//! Rerun: `cargo test --test balancers readme_mine` (the 1,000: add `-- --ignored`).

use jostle::balance::{BalanceConfig, BalancedChannel, policy::LeastOutstanding};
use jostle_harness::channel::{BoxChannel, Target, boxed};
use jostle_harness::explore::{Explorer, Space};

/// The README's `mine`.
fn mine(target: &Target) -> BoxChannel {
    // The run's seed for the backoff jitter: another seed, another run; the same, a replay.
    let mut builder =
        BalancedChannel::builder().balancer(LeastOutstanding::new()).seed(target.seed);
    if let Some(refresh) = target.refresh() {
        // A story that discovers through DNS: resolve again after a failed connection.
        builder = builder.refresh_dns_on_failure(refresh);
    }
    boxed(builder.build(target.changes(), target.connector.clone()))
}

fn explore(seeds: std::ops::Range<u64>) {
    let found = Explorer::new(Space::default())
        .against("mine", mine)
        .config(&BalanceConfig::default())
        .seeds(seeds.clone())
        .run_blocking()
        .unwrap();
    assert_eq!(found.schedules, seeds.end - seeds.start, "every schedule ran");
    assert!(
        found.findings.is_empty(),
        "a correct balancer judged by its own backoff breaks no invariant (seeds {seeds:?}): \
         {:#?}\nrerun: cargo test --test balancers readme_mine",
        found.findings.iter().map(|f| (&f.invariant, f.seed, &f.explanation)).collect::<Vec<_>>()
    );
}

#[test]
fn the_readmes_balancer_breaks_no_invariant_over_forty_schedules() {
    explore(0..40);
}

#[test]
#[ignore = "1,000 schedules: minutes; run before a release"]
fn the_readmes_balancer_breaks_no_invariant_over_a_thousand_schedules() {
    explore(0..1000);
}

#[test]
fn explore_refuses_your_balancer_without_its_backoff() {
    let refused = Explorer::new(Space::default()).against("mine", mine).seeds(0..1).run_blocking();
    let error = refused.expect_err("no backoff declared: no tolerance to judge by").to_string();
    assert!(
        error.contains("invalid backoff") && error.contains("Explorer::config"),
        "the refusal names what is missing and how to give it: {error}"
    );
}
