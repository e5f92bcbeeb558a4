//! tonic's own balancer through the battery, over TCP on the wall clock (it takes endpoints,
//! not connectors): the test states exactly which checks it fails.
//!
//! The battery's scenarios play in real time here, side by side (`Suite::run_blocking` runs
//! them on a thread each over TCP): about as long as the longest one, mostly spent waiting.

use jostle_harness::channel::{Target, boxed};
use jostle_harness::conformance::{Battery, Suite};
use jostle_harness::net::Transport;
use tonic::transport::{Channel, Endpoint};

fn tonic_balance_list(target: &Target) -> jostle_harness::channel::BoxChannel {
    boxed(Channel::balance_list(target.addresses.iter().cloned().map(Endpoint::from)))
}

#[test]
fn tonic_balance_list_fails_fallback_and_recovery_and_ignores_discovery() {
    let report = Suite::new("tonic balance_list", tonic_balance_list)
        .transport(Transport::Tcp)
        .run_blocking();
    println!("{report}");
    // tonic's p2c draws from a generator the suite cannot seed, and as it ignores discovery it
    // gives add-remove's new backend about a third of the calls, against a recovery bound of a
    // quarter (half the fair share of the two announced): on some 300 calls over TCP it falls
    // under that now and then (seen once in CI: 22.4 %). Chance, not tonic's flaw: not asserted.
    let chance = [(Battery::AddRemove, "recovery")];
    report.assert_failures_but_for_chance(
        &[
            // The dead endpoint is never taken out (grpc-rust #2839, #643): about a quarter of the
            // calls keep failing while a backend is down.
            (Battery::OneDown, "fallback"),
            (Battery::Restart, "fallback"),
            (Battery::Flapping, "failure-rate"),
            (Battery::HungBackend, "failure-rate"),
            // A fixed list: discovery's removal never reaches it.
            (Battery::AddRemove, "convergence"),
        ],
        &chance,
    );
}
