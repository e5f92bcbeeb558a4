use super::{client, client_with_timeout, cluster};
use jostle_harness::fault::{Delay, Fault, Phase, Trigger};
use jostle_harness::net::Transport;
use jostle_harness::proto::WatchOrdersRequest;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use rstest::rstest;
use std::time::Duration;
use tokio::time::Instant;
use tonic::Code;

#[tokio::test(start_paused = true)]
async fn a_five_second_delay_against_a_one_second_deadline_ends_at_virtual_one_second() {
    let wall = std::time::Instant::now();
    let cluster = cluster(1, Transport::InMemory).await;
    cluster.inject(Fault::delay(Duration::from_secs(5)).on(0)).unwrap();
    let started = Instant::now();
    let status = client_with_timeout(&cluster, 0, Duration::from_secs(1))
        .create_order(create_order_request(0))
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::Cancelled,
        "tonic's own client timeout ends the call as Cancelled (Timeout expired): {status:?}"
    );
    assert_eq!(started.elapsed(), Duration::from_secs(1), "the call ends at its deadline");
    let stats = cluster
        .backend(0)
        .unwrap()
        .wait_until(|s| s.in_flight() == 0)
        .bounded("the backend to finish the call past its deadline")
        .await;
    assert_eq!(stats.finished("CreateOrder", Code::Cancelled), 1, "the backend saw the client go");
    // A bound that proves the clock was virtual: 5 s of delay never ran on the wall clock.
    assert!(wall.elapsed() < Duration::from_secs(1), "took {:?} of wall time", wall.elapsed());
}

#[tokio::test(start_paused = true)]
async fn uniform_and_jitter_delays_stay_in_their_ranges() {
    let cluster = cluster(2, Transport::InMemory).await;
    let uniform =
        Delay::Uniform { min: Duration::from_millis(100), max: Duration::from_millis(300) };
    let jitter =
        Delay::Jitter { base: Duration::from_millis(500), jitter: Duration::from_millis(50) };
    cluster.inject(Fault::Delay { delay: uniform, phase: Phase::BeforeHeaders }.on(0)).unwrap();
    cluster.inject(Fault::Delay { delay: jitter, phase: Phase::BeforeHeaders }.on(1)).unwrap();
    for (backend, low, high) in [(0, 100, 300), (1, 450, 550)] {
        let mut client = client(&cluster, backend);
        let mut seen = Vec::new();
        for call in 0..20 {
            let started = Instant::now();
            client.create_order(create_order_request(call)).await.unwrap();
            seen.push(started.elapsed());
        }
        let range = Duration::from_millis(low)..=Duration::from_millis(high);
        assert!(
            seen.iter().all(|d| range.contains(d)),
            "backend-{backend}: {seen:?} outside {range:?}"
        );
        assert!(seen.windows(2).any(|w| w[0] != w[1]), "draws vary: {seen:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_delay_before_the_message_sends_headers_at_once_and_the_first_message_late() {
    let cluster = cluster(1, Transport::InMemory).await;
    let mut client = client(&cluster, 0);
    client.create_order(create_order_request(0)).await.unwrap();
    let late = Delay::Fixed(Duration::from_millis(700));
    cluster.inject(Fault::Delay { delay: late, phase: Phase::BeforeMessage }.on(0)).unwrap();
    let started = Instant::now();
    let mut stream = client.watch_orders(WatchOrdersRequest::default()).await.unwrap().into_inner();
    assert_eq!(started.elapsed(), Duration::ZERO, "the response headers are not delayed");
    stream.message().await.unwrap().unwrap();
    assert_eq!(started.elapsed(), Duration::from_millis(700), "the first message is");
}

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn status_answers_every_call_with_the_code_until_healed(#[case] transport: Transport) {
    let cluster = cluster(1, transport).await;
    let id = cluster.inject(Fault::status(Code::ResourceExhausted, 1.0).on(0)).unwrap();
    let mut client = client(&cluster, 0);
    for call in 0..3 {
        let status = client.create_order(create_order_request(call)).await.unwrap_err();
        assert_eq!(status.code(), Code::ResourceExhausted);
        assert_eq!(status.metadata().get(jostle_harness::BACKEND_HEADER).unwrap(), "backend-0");
        let hostname = status.metadata().get(jostle_harness::HOSTNAME_HEADER);
        assert_eq!(hostname.unwrap(), "backend-0", "an injected answer names its backend too");
    }
    cluster.heal(id);
    client.create_order(create_order_request(3)).await.expect("healed without a restart");
    let stats = cluster.backend(0).unwrap().stats();
    assert_eq!(
        stats.finished("CreateOrder", Code::ResourceExhausted),
        3,
        "the backend recorded them"
    );
    assert_eq!(stats.ok("CreateOrder"), 1);
    assert_eq!(cluster.fault_log().hits().len(), 3, "each injected status is a hit in the log");
}

#[tokio::test]
async fn status_for_the_next_n_calls_fails_exactly_those() {
    let cluster = cluster(1, Transport::InMemory).await;
    let fault = Fault::Status {
        code: Code::Unavailable,
        trigger: Trigger::NextCalls(2),
        before_delay: false,
    };
    cluster.inject(fault.on(0)).unwrap();
    let mut client = client(&cluster, 0);
    let mut codes = Vec::new();
    for call in 0..4 {
        codes.push(client.create_order(create_order_request(call)).await.err().map(|s| s.code()));
    }
    assert_eq!(codes, [Some(Code::Unavailable), Some(Code::Unavailable), None, None]);
}

#[tokio::test(start_paused = true)]
async fn hang_never_answers_until_the_client_gives_up() {
    let cluster = cluster(1, Transport::InMemory).await;
    cluster.inject(Fault::Hang.on(0)).unwrap();
    let started = Instant::now();
    let status = client_with_timeout(&cluster, 0, Duration::from_secs(3))
        .create_order(create_order_request(0))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Cancelled, "{status:?}");
    assert_eq!(started.elapsed(), Duration::from_secs(3));
    let stats = cluster
        .backend(0)
        .unwrap()
        .wait_until(|s| s.in_flight() == 0)
        .bounded("the backend to finish the hung call")
        .await;
    assert_eq!(stats.finished("CreateOrder", Code::Cancelled), 1);
}

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn stream_break_resets_watch_orders_after_n_messages(#[case] transport: Transport) {
    if transport == Transport::InMemory {
        tokio::time::pause();
    }
    let cluster = cluster(1, transport).await;
    let mut client = client(&cluster, 0);
    for call in 0..5 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    cluster.inject(Fault::StreamBreak { after_messages: 2 }.on(0)).unwrap();
    let mut stream = client.watch_orders(WatchOrdersRequest::default()).await.unwrap().into_inner();
    let mut received = 0;
    let broken = loop {
        match stream.message().bounded(format!("message {} or the break", received + 1)).await {
            Ok(Some(_)) => received += 1,
            Ok(None) => panic!("the stream must break, not end, after {received} messages"),
            Err(status) => break status,
        }
    };
    assert_eq!(broken.code(), Code::Internal, "a reset stream is Internal: {broken:?}");
    // In memory under the paused clock both messages are on the wire before the reset; on
    // real time the reset may overtake the last one (see `BreakBody::settle`).
    match transport {
        Transport::InMemory => assert_eq!(received, 2, "exactly the messages before the break"),
        Transport::Tcp => assert!(received <= 2, "never more than the messages before the break"),
    }
    let stats = cluster
        .backend(0)
        .unwrap()
        .wait_until(|s| s.in_flight() == 0)
        .bounded("the backend to finish the broken stream")
        .await;
    assert_eq!(stats.ok("WatchOrders"), 0, "a broken stream is not OK at the backend: {stats:?}");
}
