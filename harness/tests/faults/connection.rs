use super::{client, client_with_timeout, cluster};
use jostle_harness::fault::Fault;
use jostle_harness::net::Transport;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
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
    let stats = cluster
        .backend(0)
        .unwrap()
        .wait_until(|s| s.connections_open == 0)
        .bounded("healing the blackhole to close the held connection")
        .await;
    assert_eq!(stats.connections_open, 0, "healing lets the held connection go");
    client(&cluster, 0).create_order(create_order_request(1)).await.expect("healed: serves again");
}

#[tokio::test]
async fn blackhole_on_tcp_holds_the_connection_until_healed() {
    let cluster = cluster(1, Transport::Tcp).await;
    let backend = cluster.backend(0).unwrap();
    let id = cluster.inject(Fault::Blackhole.on(0)).unwrap();
    let mut hung = client_with_timeout(&cluster, 0, Duration::from_millis(200));
    let status = hung.create_order(create_order_request(0)).await.unwrap_err();
    assert_eq!(status.code(), Code::Cancelled, "only the client's timeout ends it: {status:?}");
    // The client gives up and goes: only the blackhole holds the connection now.
    drop(hung);
    let stats = backend.stats();
    assert_eq!(
        (stats.connections_accepted, stats.connections_open, stats.total_started()),
        (1, 1, 0),
        "a blackhole accepts the connection, never speaks on it and holds it open"
    );
    cluster.heal(id);
    let stats = backend
        .wait_until(|s| s.connections_open == 0)
        .within(Duration::from_secs(5), "healing the blackhole to let its connection go")
        .await;
    assert_eq!(stats.connections_accepted, 1, "healing lets the held connection go");
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

/// Real TCP with both ends in this process follows the paused clock (the shared findings): the
/// delay is measured on the virtual clock, never on the wall clock.
#[tokio::test(start_paused = true)]
async fn connect_delay_on_tcp_delays_the_handshake_by_the_delay_and_the_first_call_only() {
    let cluster = cluster(1, Transport::Tcp).await;
    cluster.inject(Fault::ConnectDelay(Duration::from_millis(250)).on(0)).unwrap();
    let mut client = client(&cluster, 0);
    let started = Instant::now();
    client.create_order(create_order_request(0)).await.expect("a slow handshake serves");
    assert_eq!(
        started.elapsed(),
        Duration::from_millis(250),
        "on TCP the first call waits out the 250 ms connect delay, virtual time"
    );
    let started = Instant::now();
    client.create_order(create_order_request(1)).await.unwrap();
    assert_eq!(started.elapsed(), Duration::ZERO, "the open connection is not delayed again");
    assert_eq!(cluster.backend(0).unwrap().stats().connections_accepted, 1, "one connection");
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
    // 30 calls one at a time, a connection closed (GOAWAY) after each 10th: calls 1-10, 11-20
    // and 21-30 each on a connection of their own, and the GOAWAY loses none of them.
    assert_eq!(
        (stats.connections_accepted, failed, stats.ok("CreateOrder")),
        (3, 0, 30),
        "(connections, failed, served): a new connection exactly every 10 calls, no call lost"
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
    let stats = cluster
        .backend(0)
        .unwrap()
        .wait_until(|s| s.connections_open == 0)
        .bounded("max_age to close the connection")
        .await;
    assert_eq!(stats.connections_accepted, 1);
    client.create_order(create_order_request(1)).await.expect("the client reconnects");
    assert_eq!(cluster.backend(0).unwrap().stats().connections_accepted, 2);
}

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn drain_sends_goaway_lets_the_call_in_flight_finish_and_keeps_accepting(
    #[case] transport: Transport,
) {
    let cluster = cluster(1, transport).await;
    let backend = cluster.backend(0).unwrap();
    let mut client = client(&cluster, 0);
    client.create_order(create_order_request(0)).await.unwrap();
    let slow = cluster.inject(Fault::delay(Duration::from_millis(100)).on(0)).unwrap();
    let mut in_flight = client.clone();
    let call = tokio::spawn(async move { in_flight.create_order(create_order_request(1)).await });
    backend.wait_until(|s| s.in_flight() == 1).bounded("the slow call to be in flight").await;

    cluster.inject(Fault::Drain.on(0)).unwrap();
    call.await
        .unwrap()
        .expect("a drain (GOAWAY) lets the call in flight finish; a reset would fail it");
    let stats = backend
        .wait_until(|s| s.connections_open == 0)
        .bounded("the drained connection to close")
        .await;
    assert_eq!(stats.connections_accepted, 1, "the drained connection closed after its call");
    assert_eq!(stats.ok("CreateOrder"), 2, "both calls served OK on the drained connection");
    cluster.heal(slow);
    client.create_order(create_order_request(2)).await.expect("a drained backend still serves");
    assert_eq!(backend.stats().connections_accepted, 2, "on a new connection");
    let windows = cluster.fault_log().windows();
    let drains: Vec<_> = windows.iter().filter(|w| w.kind == "drain").collect();
    assert_eq!(drains.len(), 1, "one drain window: {windows:?}");
    assert_eq!(drains[0].backend, "backend-0");
}
