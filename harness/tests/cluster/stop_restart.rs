use jostle_harness::cluster::{BackendState, Cluster, StopMode};
use jostle_harness::fault::Fault;
use jostle_harness::net::Transport;
use jostle_harness::proto::GetOrderRequest;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use rstest::rstest;
use std::time::Duration;
use tonic::Code;
use tower::ServiceExt;

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn abrupt_stop_fails_the_in_flight_call_refuses_connects_and_restart_serves_again(
    #[case] transport: Transport,
) {
    let cluster = Cluster::builder().backends(2).transport(transport).start().await.unwrap();
    let backend = cluster.backend(0).unwrap().clone();
    let mut client = OrderServiceClient::new(cluster.channel(0).unwrap());
    client.create_order(create_order_request(0)).await.expect("a running backend serves");

    let hang = cluster.inject(Fault::Hang.on(0)).unwrap();
    let mut held = client.clone();
    let in_flight = tokio::spawn(async move { held.create_order(create_order_request(1)).await });
    backend
        .wait_until(|stats| stats.in_flight() == 1)
        .bounded("the slow call to be in flight")
        .await;
    backend.stop(StopMode::Abrupt).await.unwrap();
    cluster.heal(hang);

    let failed = in_flight.await.unwrap().expect_err("an abrupt stop must fail the in-flight call");
    assert_eq!(failed.code(), Code::Unknown, "a reset connection fails the call: {failed:?}");
    assert_eq!(backend.state(), BackendState::Stopped);
    assert_eq!(backend.stats().connections_open, 0, "an abrupt stop closes every connection");
    assert_eq!(backend.stats().finished("CreateOrder", Code::Cancelled), 1);

    let refused = cluster.connector().oneshot(backend.address().clone()).await.unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused, "a stopped backend refuses");
    let status = client.create_order(create_order_request(2)).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "calls to a stopped backend are unavailable");

    backend.start().await.unwrap();
    let response = client.create_order(create_order_request(3)).await.expect("restarted serves");
    assert_eq!(response.get_ref().served_by, "backend-0");
    assert_eq!(backend.stats().connections_accepted, 2, "the client reconnected once");
    let lost = client.get_order(GetOrderRequest { id: "backend-0-1".into() }).await.unwrap();
    assert_eq!(
        lost.get_ref().order.as_ref().unwrap().customer_id,
        create_order_request(3).customer_id,
        "a restarted backend starts with an empty store: its first order is the new one"
    );
}

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn graceful_stop_finishes_the_in_flight_call_and_refuses_new_connects(
    #[case] transport: Transport,
) {
    // Under the real clock for TCP; the delay is virtual only in memory.
    if transport == Transport::InMemory {
        tokio::time::pause();
    }
    let cluster = Cluster::builder().backends(1).transport(transport).start().await.unwrap();
    let backend = cluster.backend(0).unwrap().clone();
    cluster.inject(Fault::delay(Duration::from_millis(500)).on(0)).unwrap();
    let mut client = OrderServiceClient::new(cluster.channel(0).unwrap());
    let in_flight = tokio::spawn(async move { client.create_order(create_order_request(0)).await });
    backend
        .wait_until(|stats| stats.in_flight() == 1)
        .bounded("the slow call to be in flight")
        .await;

    let stopping = tokio::spawn({
        let backend = backend.clone();
        async move { backend.stop(StopMode::Graceful).await }
    });
    backend.wait_for_state(BackendState::Draining).bounded("the backend to start draining").await;
    let refused = cluster.connector().oneshot(backend.address().clone()).await.unwrap_err();
    assert_eq!(
        refused.kind(),
        std::io::ErrorKind::ConnectionRefused,
        "a draining backend refuses new connections"
    );

    let response =
        in_flight.await.unwrap().expect("a graceful stop lets the in-flight call finish");
    assert_eq!(response.get_ref().served_by, "backend-0");
    stopping.await.unwrap().unwrap();
    assert_eq!(backend.state(), BackendState::Stopped);
    assert_eq!(backend.stats().ok("CreateOrder"), 1);
    assert_eq!(backend.stats().connections_open, 0);
}

#[tokio::test]
async fn stopping_twice_or_restarting_a_running_backend_is_an_error_not_a_panic() {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    let backend = cluster.backend(0).unwrap();
    let running = backend.start().await.unwrap_err();
    assert_eq!(running.to_string(), "backend-0 is already running");
    backend.stop(StopMode::Abrupt).await.unwrap();
    let stopped = backend.stop(StopMode::Graceful).await.unwrap_err();
    assert_eq!(stopped.to_string(), "backend-0 is not running");
    let unknown = cluster.backend(3).unwrap_err();
    assert_eq!(unknown.to_string(), "unknown backend 3: the cluster has backends 0..1");
}
