//! The README's example, kept compiling and passing: a user-written balancer in a few lines.

use jostle::balance::{Balancer, Candidate};
use jostle_harness::conformance::{Battery, Suite};
use rstest::rstest;

/// The endpoint with the fewest calls in flight; ties taken in turn.
#[derive(Debug, Default)]
pub(crate) struct Fewest {
    next: usize,
}

impl Balancer for Fewest {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        let start = self.next % ready.len().max(1);
        self.next = self.next.wrapping_add(1);
        (0..ready.len())
            .map(|k| (start + k) % ready.len())
            .min_by_key(|&i| ready[i].in_flight)
            .unwrap_or(0)
    }
}

/// The same, with the tie-breaking bug a first attempt often has: the first on a tie.
#[derive(Debug, Default)]
struct FewestFirstOnTie;

impl Balancer for FewestFirstOnTie {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        (0..ready.len()).min_by_key(|&i| ready[i].in_flight).unwrap_or(0)
    }
}

#[rstest]
#[case::fewest(Suite::for_balancer("fewest", Fewest::default))]
#[case::round_robin(Suite::for_balancer("round_robin", jostle::balance::policy::RoundRobin::new).exact_cycle())]
fn my_balancers_conform(#[case] suite: Suite) {
    let report = suite.run_blocking();
    println!("{report}");
    report.assert_passes();
}

#[test]
fn the_suite_catches_a_tie_breaking_bug() {
    let report = Suite::for_balancer("fewest, first on a tie", || FewestFirstOnTie).run_blocking();
    // At low load every endpoint has 0 in flight: the first takes everything.
    report.assert_failures(&[
        (Battery::Healthy, "distribution"),
        (Battery::Restart, "recovery"),
        (Battery::AddRemove, "convergence"),
    ]);
}
