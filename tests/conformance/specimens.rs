//! The article's dialers through the battery (tonic's own balancer is in balance_list.rs): the
//! tests state exactly which checks they fail, so the suite visibly catches real flaws.

use hyper_util::rt::TokioIo;
use jostle_harness::channel::{Target, boxed};
use jostle_harness::conformance::{Battery, Suite, SuiteReport};
use jostle_harness::dial::{FallbackDialer, RoundRobinDialer};
use jostle_harness::net::{ClientStream, Connector};
use tonic::transport::Endpoint;

/// The battery for a tonic `Channel` whose connector is the dialer `dial` makes.
fn dialed<D>(name: &str, dial: fn(Vec<http::Uri>, Connector) -> D) -> SuiteReport
where
    D: tower::Service<http::Uri, Response = TokioIo<ClientStream>, Error = std::io::Error>,
    D: Send + 'static,
    D::Future: Send,
{
    Suite::new(name, move |target: &Target| {
        let dialer = dial(target.addresses.clone(), target.connector.clone());
        boxed(Endpoint::from_static("http://orders.jostle").connect_with_connector_lazy(dialer))
    })
    .exact_cycle()
    .run_blocking()
}

#[test]
fn the_round_robin_dialer_balances_connections_not_calls() {
    let report = dialed("round-robin dialer", RoundRobinDialer::new);
    println!("{report}");
    report.assert_failures(&[
        // One connection carries every call: no rotation at all.
        (Battery::Healthy, "distribution"),
        // After the crash it redials the next address and never comes back.
        (Battery::Restart, "recovery"),
        // It never hears of discovery: the removed backend keeps its connection and its calls
        // while the added one gets none.
        (Battery::AddRemove, "recovery"),
        (Battery::AddRemove, "convergence"),
    ]);
    // It passes hung-backend only by luck: its first dial goes to backend-1 (the counter is
    // bumped before use) and the hung backend is backend-2, which it never dials.
}

#[test]
fn the_fallback_dialer_piles_everything_onto_the_first_backend() {
    let report = dialed("fallback dialer", FallbackDialer::new);
    println!("{report}");
    report.assert_failures(&[
        (Battery::Healthy, "distribution"),
        (Battery::Restart, "recovery"),
        (Battery::AddRemove, "recovery"),
        (Battery::AddRemove, "convergence"),
    ]);
}
