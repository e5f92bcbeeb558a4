//! Every jostle policy keeps every invariant: no finding on any schedule. CI runs 40 seeds per
//! policy; the ignored test runs 10,000 (`cargo test --release --test balancers explore:: -- --ignored`).

use jostle::balance::policy::NAMES;
use jostle_harness::explore::{Explorer, Space};
use rstest::rstest;

fn assert_no_finding(policy: &str, seeds: std::ops::Range<u64>, rerun: &str) {
    let found = Explorer::new(Space::default())
        .balancer(policy)
        .unwrap()
        .seeds(seeds.clone())
        .run_blocking()
        .unwrap();
    assert_eq!(found.schedules, seeds.end - seeds.start);
    assert!(
        found.findings.is_empty(),
        "a correct balancer breaks no invariant: {policy} broke {:?} over seeds {seeds:?} \
         (rerun: {rerun}); first: {:#?}",
        found.violated,
        found.findings.first().map(|f| &f.file)
    );
}

#[rstest]
fn no_jostle_policy_breaks_an_invariant_over_forty_schedules(
    #[values(
        "round_robin",
        "random",
        "least_outstanding",
        "p2c",
        "pick_first",
        "weighted_round_robin"
    )]
    policy: &str,
) {
    assert!(NAMES.contains(&policy));
    assert_no_finding(policy, 0..40, "cargo test --test balancers no_jostle_policy");
}

#[test]
#[ignore = "10,000 schedules per policy: about 20 minutes in release"]
fn no_jostle_policy_breaks_an_invariant_over_ten_thousand_schedules() {
    for policy in NAMES {
        assert_no_finding(
            policy,
            0..10_000,
            "cargo test --release --test balancers explore:: -- --ignored ten_thousand",
        );
    }
}
