//! The public types a test or a service moves across tasks are `Send` and `Sync`: cheap to
//! check, and a regression here breaks every multi-threaded user.

fn send_sync<T: Send + Sync>() {}

#[test]
fn public_handles_are_send_and_sync() {
    send_sync::<jostle_harness::cluster::Cluster>();
    send_sync::<jostle_harness::cluster::Backend>();
    send_sync::<jostle_harness::fault::FaultSet>();
    send_sync::<jostle_harness::fault::FaultLog>();
    send_sync::<jostle_harness::net::Connector>();
    send_sync::<jostle_harness::channel::BoxChannel>();
    send_sync::<jostle_harness::conformance::Suite>();
    send_sync::<jostle_harness::load::CallLog>();
    send_sync::<jostle::balance::BalancedChannel>();
    send_sync::<jostle_harness::service::Orders>();
    send_sync::<jostle_harness::dial::RoundRobinDialer<jostle::dial::TcpConnector>>();
    send_sync::<jostle_harness::dial::FallbackDialer<jostle::dial::TcpConnector>>();
    send_sync::<jostle::discover::ChangeSender>();
    #[cfg(feature = "serve")]
    send_sync::<jostle_harness::control::Controller>();
}
