//! The article's two dialers and tonic's `balance_list`: each flaw found and shrunk.

use super::{assert_shrunk_and_replays, finding};
use jostle_harness::explore::{Explorer, Space};
use std::time::Duration;

#[test]
fn the_round_robin_dialer_is_found_never_spreading_its_calls_within_ten_schedules() {
    let rerun = "cargo test --test balancers round_robin_dialer";
    let found = Explorer::new(Space::default())
        .balancer("round_robin_dialer")
        .unwrap()
        .seeds(0..10)
        .run_blocking()
        .unwrap();
    let settled = finding(&found, "settled", rerun);
    assert!(
        settled.explanation.contains("served 0 of"),
        "one connection, one backend: another serves nothing ({rerun}): {}",
        settled.explanation
    );
    assert_shrunk_and_replays(settled, None, rerun);
}

#[test]
fn the_fallback_dialer_is_found_serving_a_withdrawn_backend_within_twenty_schedules() {
    let rerun = "cargo test --test balancers fallback_dialer";
    let found = Explorer::new(Space::default())
        .balancer("fallback_dialer")
        .unwrap()
        .seeds(0..20)
        .run_blocking()
        .unwrap();
    let settled = finding(&found, "settled", rerun);
    assert!(
        settled.explanation.contains("not announced") && settled.shrunk.changes >= 1,
        "the dialer's list is fixed: it keeps calling a backend discovery withdrew ({rerun}): {}",
        settled.explanation
    );
    assert_shrunk_and_replays(settled, None, rerun);
}

/// Over real TCP on the wall clock (tonic's balancer takes endpoints, not connectors): a
/// small space of one restart among three backends, 4 s schedules, three shrink runs.
#[test]
fn tonic_balance_list_is_found_failing_calls_to_a_dead_backend_within_four_schedules() {
    let rerun = "cargo test --test balancers tonic_balance_list";
    let space = Space {
        backends: 3..=3,
        faults: 1..=1,
        changes: 0..=0,
        kinds: vec!["restart"],
        rate: 100..=100,
        duration: Duration::from_secs(4),
        ..Space::default()
    };
    let found = Explorer::new(space)
        .balancer("tonic_balance_list")
        .unwrap()
        .seeds(0..4)
        .shrink_runs(3)
        .run_blocking()
        .unwrap();
    let avoidable = finding(&found, "avoidable-failures", rerun);
    assert!(
        avoidable.explanation.contains("met no fault"),
        "tonic keeps routing calls to a backend long dead while two are up ({rerun}): {}",
        avoidable.explanation
    );
    assert_shrunk_and_replays(avoidable, None, rerun);
}
