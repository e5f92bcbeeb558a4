//! `terminate`: a pod's process exiting on SIGTERM. Its port refuses at once and GOAWAY goes
//! out; calls in flight get the grace, calls longer than it are reset as TCP resets them; the
//! backend stays down until the fault ends, then comes back as after a restart. On both
//! transports: in memory under the paused clock, over TCP on the wall clock with no assertion
//! on durations.

use jostle_harness::cluster::{BackendState, Cluster};
use jostle_harness::fault::Fault;
use jostle_harness::net::Transport;
use jostle_harness::proto::CreateOrderRequest;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use rstest::rstest;
use std::time::Duration;
use tonic::{Code, Request};

const GRACE: Duration = Duration::from_secs(3);

/// A call that the backend serves after `behavior` (the interop header: `sleep-1`, `keep-open`).
fn asking(behavior: &str, index: u64) -> Request<CreateOrderRequest> {
    let mut request = Request::new(create_order_request(index));
    request.metadata_mut().insert("rpc-behavior", behavior.parse().unwrap());
    request
}

async fn cluster(transport: Transport) -> Cluster {
    Cluster::builder().backends(1).transport(transport).rpc_behavior(true).start().await.unwrap()
}

async fn terminated_with_calls_in_flight(transport: Transport) {
    let cluster = cluster(transport).await;
    let backend = cluster.backend(0).unwrap().clone();
    let client = OrderServiceClient::new(cluster.channel(0).unwrap());
    let short = tokio::spawn({
        let mut client = client.clone();
        async move { client.create_order(asking("sleep-1", 0)).await }
    });
    let long = tokio::spawn({
        let mut client = client.clone();
        async move { client.create_order(asking("keep-open", 1)).await }
    });
    backend.wait_until(|stats| stats.total_started() == 2).bounded("both calls in flight").await;

    cluster.inject(Fault::Terminate { grace: GRACE }.on(0)).unwrap();
    backend.wait_for_state(BackendState::Draining).bounded("the SIGTERM").await;
    let refused = OrderServiceClient::new(cluster.channel(0).unwrap())
        .create_order(create_order_request(2))
        .await
        .unwrap_err();
    assert_eq!(
        refused.code(),
        Code::Unavailable,
        "after the SIGTERM the port refuses new connections: {refused:?}"
    );

    let short = short.bounded("the short call").await.unwrap();
    assert!(short.is_ok(), "a call shorter than the grace completes OK: {short:?}");
    let long = long.bounded("the long call").await.unwrap().unwrap_err();
    assert_eq!(
        long.code(),
        Code::Unknown,
        "a call longer than the grace is reset as a TCP client sees it (transport error): {long:?}"
    );
    backend.wait_for_state(BackendState::Stopped).bounded("the end of the grace").await;
    let windows = cluster.fault_log().windows();
    assert_eq!(windows.len(), 1, "one terminate window: {windows:?}");
    assert_eq!((windows[0].kind, windows[0].end), ("terminate", None), "down for ever");
}

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
fn terminate_lets_calls_within_the_grace_finish_refuses_new_ones_and_resets_the_rest(
    #[case] transport: Transport,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(transport == Transport::InMemory)
        .build()
        .unwrap();
    runtime.block_on(terminated_with_calls_in_flight(transport));
}

#[tokio::test(start_paused = true)]
async fn terminate_keeps_the_backend_down_until_the_fault_ends_then_starts_it_again() {
    let cluster = cluster(Transport::InMemory).await;
    let backend = cluster.backend(0).unwrap().clone();
    let lasting = Duration::from_secs(5);
    cluster.inject(Fault::terminate().on(0).lasting(lasting)).unwrap();
    backend.wait_for_state(BackendState::Stopped).bounded("the terminate").await;
    backend.wait_for_state(BackendState::Running).bounded("the end of the fault").await;
    let windows = cluster.fault_log().windows();
    assert_eq!(windows.len(), 1, "one terminate window: {windows:?}");
    assert_eq!(windows[0].end.unwrap() - windows[0].start, lasting, "down until the fault's end");
    OrderServiceClient::new(cluster.channel(0).unwrap())
        .create_order(create_order_request(0))
        .await
        .expect("back on the same address, serving");
}
