//! The cluster's latency model from Rust: per-backend overrides, replays from the seed, ranges
//! checked at start, faults on top, and the same latency over tcp.

use jostle_harness::cluster::{BackendLatency, Cluster};
use jostle_harness::fault::Fault;
use jostle_harness::net::Transport;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use std::time::Duration;
use tokio::time::Instant;

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// How long each of `calls` calls to backend `index` takes, one after the other.
async fn timed(cluster: &Cluster, index: usize, calls: u32) -> Vec<Duration> {
    let mut client = OrderServiceClient::new(cluster.channel(index).unwrap());
    let mut took = Vec::new();
    for call in 0..calls {
        let started = Instant::now();
        client.create_order(create_order_request(u64::from(call))).await.unwrap();
        took.push(started.elapsed());
    }
    took
}

async fn slow_third(seed: u64, transport: Transport) -> Cluster {
    Cluster::builder()
        .backends(3)
        .seed(seed)
        .transport(transport)
        .latency(BackendLatency::new(ms(10), ms(2)))
        .backend_latency(2, BackendLatency::new(ms(30), ms(6)))
        .start()
        .await
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn each_call_waits_its_backends_latency_in_virtual_time() {
    let cluster = slow_third(7, Transport::InMemory).await;
    for (index, range) in [(0, ms(8)..=ms(12)), (1, ms(8)..=ms(12)), (2, ms(24)..=ms(36))] {
        let took = timed(&cluster, index, 50).await;
        assert!(
            took.iter().all(|took| range.contains(took)),
            "every call to backend-{index} must take {range:?}, got {took:?} (seed 7)"
        );
        assert!(
            took.iter().any(|t| t != &took[0]),
            "jitter must vary backend-{index}'s latency from call to call (seed 7): {took:?}"
        );
    }
    assert_eq!(cluster.backend(2).unwrap().latency(), Some(BackendLatency::new(ms(30), ms(6))));
    assert!(cluster.fault_log().windows().is_empty(), "latency must open no fault window");
}

#[tokio::test(start_paused = true)]
async fn latency_draws_replay_from_the_seed() {
    let first = timed(&slow_third(7, Transport::InMemory).await, 2, 40).await;
    let again = timed(&slow_third(7, Transport::InMemory).await, 2, 40).await;
    let other = timed(&slow_third(8, Transport::InMemory).await, 2, 40).await;
    assert_eq!(first, again, "the same seed must draw the same latencies, call by call");
    assert_ne!(first, other, "another seed must draw other latencies");
}

#[tokio::test(start_paused = true)]
async fn a_delay_fault_adds_to_the_latency() {
    let cluster = Cluster::builder()
        .backends(1)
        .latency(BackendLatency::fixed(ms(30)))
        .start()
        .await
        .unwrap();
    cluster.inject(Fault::delay(ms(5)).on(0)).unwrap();
    assert_eq!(timed(&cluster, 0, 3).await, [ms(35); 3], "30 ms latency, then a 5 ms delay");
}

#[tokio::test(start_paused = true)]
async fn a_backend_without_latency_answers_at_once() {
    let cluster = Cluster::builder()
        .backends(2)
        .backend_latency(1, BackendLatency::fixed(ms(30)))
        .start()
        .await
        .unwrap();
    assert_eq!(timed(&cluster, 0, 3).await, [Duration::ZERO; 3], "backend-0 has no latency");
    assert_eq!(timed(&cluster, 1, 3).await, [ms(30); 3], "backend-1 has its own");
    assert_eq!(cluster.backend(0).unwrap().latency(), None);
}

#[tokio::test(start_paused = true)]
async fn latency_applies_over_tcp_too() {
    // Both ends in this process: tcp behaves under the paused clock (FINDINGS.md), and a
    // call cannot end before its latency has passed.
    let cluster = slow_third(7, Transport::Tcp).await;
    let took = timed(&cluster, 2, 5).await;
    assert!(
        took.iter().all(|took| *took >= ms(24)),
        "over tcp every call to backend-2 must wait its latency, at least 24 ms: {took:?}"
    );
}

#[rstest::rstest]
#[case::jitter_above_base(
    Cluster::builder().latency(BackendLatency::new(ms(2), ms(3))),
    "latency jitter"
)]
#[case::sub_millisecond_base(
    Cluster::builder().backend_latency(0, BackendLatency::fixed(Duration::from_micros(1_500))),
    "latency base"
)]
#[case::backend_out_of_range(
    Cluster::builder().backends(3).backend_latency(3, BackendLatency::fixed(ms(1))),
    "a backend index in 0..3"
)]
#[tokio::test(start_paused = true)]
async fn a_latency_out_of_range_is_refused_when_the_cluster_starts(
    #[case] builder: jostle_harness::cluster::ClusterBuilder,
    #[case] named: &str,
) {
    let error = builder.start().await.expect_err("an invalid latency must not start").to_string();
    assert!(error.contains(named), "the error must name {named:?}: {error}");
}
