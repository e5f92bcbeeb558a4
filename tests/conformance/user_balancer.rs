//! A user-written balancer with the tie-breaking bug a first attempt often has, caught by the
//! battery (the README's correct one is tests/conformance/readme.rs).

use jostle::balance::{Balancer, Candidate};
use jostle_harness::conformance::{Battery, Suite};

/// The endpoint with the fewest calls in flight, with the tie-breaking bug a first attempt
/// often has: the first on a tie.
#[derive(Debug, Default)]
struct FewestFirstOnTie;

impl Balancer for FewestFirstOnTie {
    fn pick(&mut self, ready: &[Candidate<'_>]) -> usize {
        (0..ready.len()).min_by_key(|&i| ready[i].in_flight).unwrap_or(0)
    }
}

#[test]
fn the_suite_catches_a_tie_breaking_bug() {
    let report = Suite::for_balancer("fewest, first on a tie", || FewestFirstOnTie).run_blocking();
    // At low load every endpoint has 0 in flight: the first takes everything.
    report.assert_failures(&[
        (Battery::Healthy, "distribution"),
        (Battery::Restart, "recovery"),
        (Battery::AddRemove, "recovery"),
        (Battery::AddRemove, "convergence"),
    ]);
}
