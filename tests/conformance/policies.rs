use jostle::balance::policy::{
    LeastOutstanding, PickFirst, PowerOfTwoChoices, Random, RoundRobin, WeightedRoundRobin,
};
use jostle_harness::conformance::{Battery, Suite};
use rstest::rstest;

#[rstest]
#[case::round_robin(Suite::for_balancer("round_robin", RoundRobin::new).exact_cycle())]
#[case::random(Suite::for_balancer("random", || Random::from_seed(7)))]
#[case::least_outstanding(
    Suite::for_balancer("least_outstanding", LeastOutstanding::new).load_aware()
)]
#[case::p2c(Suite::for_balancer("p2c", || PowerOfTwoChoices::from_seed(7)).load_aware())]
#[case::weighted_round_robin(Suite::for_balancer("weighted_round_robin", WeightedRoundRobin::new))]
fn every_jostle_policy_passes_the_whole_battery(#[case] suite: Suite) {
    let report = suite.run_blocking();
    println!("{report}");
    report.assert_passes();
}

#[test]
fn pick_first_passes_all_but_what_pick_first_means_not_to_do() {
    let report =
        Suite::for_balancer("pick_first", PickFirst::new).any_distribution().run_blocking();
    println!("{report}");
    // By design it never sends to a backend while the first one is up: a restarted second
    // backend gets nothing back, and after the first is removed only the second is used.
    report.assert_failures(&[
        (Battery::Restart, "recovery"),
        (Battery::AddRemove, "recovery"),
        (Battery::AddRemove, "convergence"),
    ]);
}
