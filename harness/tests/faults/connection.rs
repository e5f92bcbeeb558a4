use super::{client, client_with_timeout, cluster};
use jostle_harness::fault::Fault;
use jostle_harness::net::Transport;
use jostle_harness::sample::create_order_request;
use rstest::rstest;
use std::time::Duration;
use tokio::time::Instant;
use tonic::Code;

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn refuse_fails_new_connections_as_refused_and_leaves_open_ones_serving(
    #[case] transport: Transport,
) {
    let cluster = cluster(1, transport).await;
    let mut connected = client(&cluster, 0);
    connected.create_order(create_order_request(0)).await.unwrap();

    let id = cluster.inject(Fault::Refuse.on(0)).unwrap();
    let status = client(&cluster, 0).create_order(create_order_request(1)).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "a refused connect is Unavailable: {status:?}");
    assert!(format!("{status:?}").contains("refused"), "the cause is a refusal: {status:?}");
    connected.create_order(create_order_request(2)).await.expect("open connections keep serving");
    let stats = cluster.backend(0).unwrap().stats();
    assert_eq!(stats.connections_accepted, 1, "a refused connect is never accepted");

    cluster.heal(id);
    client(&cluster, 0)
        .create_order(create_order_request(3))
        .await
        .expect("healed: connects again");
    assert_eq!(cluster.backend(0).unwrap().stats().connections_accepted, 2);
}

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn reset_accepts_then_resets_each_connection_and_no_call_reaches_the_service(
    #[case] transport: Transport,
) {
    let cluster = cluster(1, transport).await;
    let id = cluster.inject(Fault::Reset.on(0)).unwrap();
    let status = client(&cluster, 0).create_order(create_order_request(0)).await.unwrap_err();
    assert!(
        matches!(status.code(), Code::Unavailable | Code::Unknown),
        "a reset connection fails the call as a transport error: {status:?}"
    );
    let stats = cluster.backend(0).unwrap().stats();
    assert!(stats.connections_accepted >= 1, "the connection was accepted before the reset");
    assert_eq!(stats.connections_open, 0, "and closed at once");
    assert_eq!(stats.total_started(), 0, "no call reached the service");

    cluster.heal(id);
    client(&cluster, 0).create_order(create_order_request(1)).await.expect("healed: serves again");
}

#[tokio::test(start_paused = true)]
async fn blackhole_accepts_and_never_answers_so_the_call_ends_at_its_deadline() {
    let cluster = cluster(1, Transport::InMemory).await;
    let id = cluster.inject(Fault::Blackhole.on(0)).unwrap();
    let started = Instant::now();
    let mut hung = client_with_timeout(&cluster, 0, Duration::from_millis(200));
    let status = hung.create_order(create_order_request(0)).await.unwrap_err();
    assert_eq!(status.code(), Code::Cancelled, "tonic's timeout ends the call: {status:?}");
    assert_eq!(
        started.elapsed(),
        Duration::from_millis(200),
        "at the deadline, not before or after"
    );
    let stats = cluster.backend(0).unwrap().stats();
    assert_eq!(
        (stats.connections_accepted, stats.total_started()),
        (1, 0),
        "accepted, never spoken to"
    );

    cluster.heal(id);
    let stats = cluster.backend(0).unwrap().wait_until(|s| s.connections_open == 0).await;
    assert_eq!(stats.connections_open, 0, "healing lets the held connection go");
    client(&cluster, 0).create_order(create_order_request(1)).await.expect("healed: serves again");
}

#[tokio::test]
async fn blackhole_on_tcp_holds_the_connection_until_healed() {
    let cluster = cluster(1, Transport::Tcp).await;
    let id = cluster.inject(Fault::Blackhole.on(0)).unwrap();
    let mut hung = client_with_timeout(&cluster, 0, Duration::from_millis(200));
    let status = hung.create_order(create_order_request(0)).await.unwrap_err();
    assert_eq!(status.code(), Code::Cancelled, "only the client's timeout ends it: {status:?}");
    assert_eq!(cluster.backend(0).unwrap().stats().total_started(), 0);
    cluster.heal(id);
    client(&cluster, 0).create_order(create_order_request(1)).await.expect("healed: serves again");
}

#[tokio::test(start_paused = true)]
async fn blackhole_connect_never_completes_the_connect_until_the_client_gives_up() {
    let cluster = cluster(1, Transport::InMemory).await;
    let id = cluster.inject(Fault::BlackholeConnect.on(0)).unwrap();
    let started = Instant::now();
    let status = client_with_timeout(&cluster, 0, Duration::from_millis(300))
        .create_order(create_order_request(0))
        .await
        .unwrap_err();
    assert_eq!(started.elapsed(), Duration::from_millis(300), "the dial ends at its timeout");
    assert_eq!(
        status.code(),
        Code::Unknown,
        "tonic reports a connect timeout as Unknown: {status:?}"
    );
    assert!(
        format!("{status:?}").contains("TimedOut"),
        "the cause is the dial timing out: {status:?}"
    );
    assert_eq!(cluster.backend(0).unwrap().stats().connections_accepted, 0, "nothing was accepted");
    cluster.heal(id);
    client(&cluster, 0).create_order(create_order_request(1)).await.expect("healed: connects");
}

#[tokio::test(start_paused = true)]
async fn connect_delay_adds_its_latency_to_the_first_call_only() {
    let cluster = cluster(1, Transport::InMemory).await;
    cluster.inject(Fault::ConnectDelay(Duration::from_millis(250)).on(0)).unwrap();
    let mut client = client(&cluster, 0);
    let started = Instant::now();
    client.create_order(create_order_request(0)).await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_millis(250), "the connect took the delay");
    let started = Instant::now();
    client.create_order(create_order_request(1)).await.unwrap();
    assert_eq!(started.elapsed(), Duration::ZERO, "the open connection is not delayed again");
}

#[tokio::test]
async fn connect_delay_on_tcp_still_serves() {
    let cluster = cluster(1, Transport::Tcp).await;
    cluster.inject(Fault::ConnectDelay(Duration::from_millis(20)).on(0)).unwrap();
    client(&cluster, 0)
        .create_order(create_order_request(0))
        .await
        .expect("a slow handshake serves");
}

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn connection_age_by_rpcs_closes_each_connection_after_n_calls(#[case] transport: Transport) {
    let cluster = cluster(1, transport).await;
    cluster.inject(Fault::ConnectionAge { max_rpcs: Some(10), max_age: None }.on(0)).unwrap();
    let mut client = client(&cluster, 0);
    let mut failed = 0;
    for call in 0..30 {
        if client.create_order(create_order_request(call)).await.is_err() {
            failed += 1;
        }
    }
    let stats = cluster.backend(0).unwrap().stats();
    assert_eq!(stats.ok("CreateOrder") + failed, 30, "every call either served or failed");
    assert!(
        stats.connections_accepted >= 3,
        "a new connection at least every 10 calls, saw {} ({failed} calls failed on the way)",
        stats.connections_accepted
    );
}

#[tokio::test(start_paused = true)]
async fn connection_age_by_time_closes_the_connection_after_max_age() {
    let cluster = cluster(1, Transport::InMemory).await;
    cluster
        .inject(
            Fault::ConnectionAge { max_rpcs: None, max_age: Some(Duration::from_secs(1)) }.on(0),
        )
        .unwrap();
    let mut client = client(&cluster, 0);
    client.create_order(create_order_request(0)).await.unwrap();
    let stats = cluster.backend(0).unwrap().wait_until(|s| s.connections_open == 0).await;
    assert_eq!(stats.connections_accepted, 1);
    client.create_order(create_order_request(1)).await.expect("the client reconnects");
    assert_eq!(cluster.backend(0).unwrap().stats().connections_accepted, 2);
}

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn drain_sends_goaway_and_the_backend_keeps_accepting(#[case] transport: Transport) {
    let cluster = cluster(1, transport).await;
    let mut client = client(&cluster, 0);
    client.create_order(create_order_request(0)).await.unwrap();
    cluster.inject(Fault::Drain.on(0)).unwrap();
    let stats = cluster.backend(0).unwrap().wait_until(|s| s.connections_open == 0).await;
    assert_eq!(stats.connections_accepted, 1, "the drained connection closed");
    client.create_order(create_order_request(1)).await.expect("a drained backend still serves");
    assert_eq!(cluster.backend(0).unwrap().stats().connections_accepted, 2, "on a new connection");
    let windows = cluster.fault_log().windows();
    assert_eq!(windows.len(), 1);
    assert_eq!((windows[0].kind, windows[0].backend.as_str()), ("drain", "backend-0"));
}
