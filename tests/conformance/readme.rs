use jostle::balance::{Balancer, Candidate};
use jostle_harness::conformance::Suite;
use rstest::rstest;

/// The endpoint with the fewest calls in flight; ties taken in turn.
#[derive(Debug, Default)]
pub struct Fewest {
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

#[rstest]
#[case::fewest(Suite::for_balancer("fewest", Fewest::default))]
#[case::round_robin(Suite::for_balancer("round_robin", jostle::balance::policy::RoundRobin::new).exact_cycle())]
fn my_balancers_conform(#[case] suite: Suite) {
    suite.run_blocking().assert_passes();
}
