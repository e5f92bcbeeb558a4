//! The README's `mine`, built exactly as README.md and docs/EXPLORE.md show (jostle's defaults,
//! gRPC's backoff), explored with its own backoff declared: no false alarm. The tolerances
//! follow the balancer's backoff, not explore's.
//!
//! Rerun: `cargo test --test balancers readme_mine` (the 1,000: add `-- --ignored`).

use jostle::balance::{BalanceConfig, BalancedChannel, policy::LeastOutstanding};
use jostle_harness::channel::{BoxChannel, Target, boxed};
use jostle_harness::explore::{Explorer, INVARIANTS, Space};

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

/// gRPC's backoff reaches 4.9 s within a 5 s run: a grace taken over the whole run would excuse
/// nearly every failure and leave `settled` no window at all (0 of 1,000 schedules judged it).
/// Taken over the span in which the schedule's faults can grow the backoff, `settled` is
/// judged in most schedules (more than half; 588 with the space's DNS lag added to the grace),
/// so the 1,000 above prove something.
#[test]
fn the_readmes_balancer_is_held_to_settled_in_most_schedules_despite_grpcs_backoff() {
    let explorer =
        Explorer::new(Space::default()).against("mine", mine).config(&BalanceConfig::default());
    let judged = (0..1000)
        .filter(|&seed| {
            explorer.file(&explorer.schedule(seed), &INVARIANTS, &[]).contains("settled = ")
        })
        .count();
    assert!(
        judged > 500,
        "explore must judge a slow-backoff balancer in most schedules, not excuse it: `settled` \
         asked in {judged} of 1,000 (seeds 0..1000)\nrerun: cargo test --test balancers readme_mine"
    );
}

#[test]
fn explore_refuses_your_balancer_without_its_ejection() {
    let refused = Explorer::new(Space::default())
        .against("mine", mine)
        .backoff(BalanceConfig::default().backoff)
        .seeds(0..1)
        .run_blocking();
    let error = refused.expect_err("no ejection declared: no tolerance to judge by").to_string();
    assert!(
        error.contains("invalid ejection") && error.contains("Explorer::ejection"),
        "the refusal names what is missing and how to give it: {error}"
    );
}
