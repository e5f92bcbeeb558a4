//! Claims of docs/FAULTS.md that no other test checks: delay draws replay from the seed, a hung
//! call is let go when its fault is healed, an injected status reads the request body first.

use super::client;
use jostle_harness::cluster::Cluster;
use jostle_harness::fault::{Delay, Fault, Phase};
use jostle_harness::sample::create_order_request;
use std::time::Duration;
use tokio::time::Instant;

const CALLS: u64 = 200;

/// The latency of `CALLS` calls one at a time through uniform and jittered delays on two
/// backends seeded with `seed`, under the paused clock (so each latency is the drawn delay).
async fn delays(seed: u64) -> Vec<Duration> {
    let cluster = Cluster::builder().backends(2).seed(seed).start().await.unwrap();
    let uniform = Delay::Uniform { min: Duration::from_millis(1), max: Duration::from_millis(500) };
    let jitter =
        Delay::Jitter { base: Duration::from_millis(100), jitter: Duration::from_millis(90) };
    for (backend, delay) in [(0, uniform), (1, jitter)] {
        let fault = Fault::Delay { delay, phase: Phase::BeforeHeaders };
        cluster.inject(fault.on(backend)).unwrap();
    }
    let mut clients = [client(&cluster, 0), client(&cluster, 1)];
    let mut latencies = Vec::new();
    for call in 0..CALLS {
        let started = Instant::now();
        let backend = usize::from(call % 2 == 1);
        clients[backend].create_order(create_order_request(call)).await.unwrap();
        latencies.push(started.elapsed());
    }
    latencies
}

#[tokio::test(start_paused = true)]
async fn uniform_and_jittered_delays_replay_from_the_seed_and_differ_with_another() {
    let first = delays(7).await;
    let again = delays(7).await;
    let other = delays(8).await;
    let distinct: std::collections::BTreeSet<Duration> = first.iter().copied().collect();
    assert!(distinct.len() as u64 > CALLS / 2, "the delays are drawn, not fixed: {distinct:?}");
    assert_eq!(
        first, again,
        "seed 7 must replay the same {CALLS} delays, call by call\nrerun: cargo test -p \
         jostle-harness --test harness replay"
    );
    assert_ne!(first, other, "seeds 7 and 8 must draw different delays");
}

#[tokio::test(start_paused = true)]
async fn a_hung_call_is_let_go_when_the_hang_is_healed() {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    let hang = cluster.inject(Fault::Hang.on(0)).unwrap();
    let mut held = client(&cluster, 0);
    let call = tokio::spawn(async move { held.create_order(create_order_request(0)).await });
    let backend = cluster.backend(0).unwrap();
    backend.wait_until(|stats| stats.in_flight() == 1).await;
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert!(!call.is_finished(), "a hung call stays hung for as long as the fault holds");
    let healed_at = Instant::now();
    cluster.heal(hang);
    let answer = call.await.unwrap();
    assert!(answer.is_ok(), "healing a hang must let the held call through: {answer:?}");
    assert_eq!(healed_at.elapsed(), Duration::ZERO, "it goes through at the heal, not later");
    assert_eq!(backend.stats().ok("CreateOrder"), 1, "the backend served it");
}

#[tokio::test(start_paused = true)]
async fn a_status_fault_reads_each_body_so_one_connection_outlives_thousands_of_answers() {
    // h2 gives a connection's flow-control budget back only for request bodies that were read:
    // answering ~8,200 calls without reading them ends the connection (ENHANCE_YOUR_CALM).
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    cluster.inject(Fault::status(tonic::Code::Unavailable, 1.0).on(0)).unwrap();
    let mut client = client(&cluster, 0);
    for call in 0..12_000 {
        let status = client.create_order(create_order_request(call)).await.unwrap_err();
        assert_eq!(
            status.code(),
            tonic::Code::Unavailable,
            "call {call} must get the injected status, not a dying connection: {status:?}"
        );
    }
    let stats = cluster.backend(0).unwrap().stats();
    assert_eq!(stats.connections_accepted, 1, "all 12,000 answers went over one connection");
}
