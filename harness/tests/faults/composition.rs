//! The composition order of faults standing on one backend (docs/FAULTS.md): at a connect,
//! refuse before anything else; on a call, hang first, then a `before_delay` status, then the
//! delays, then a status. Each pair that matters, under the paused clock.

use super::{client, cluster};
use jostle_harness::fault::{Fault, Trigger};
use jostle_harness::net::Transport;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use rstest::rstest;
use std::time::Duration;
use tokio::time::Instant;
use tonic::Code;

const DELAY: Duration = Duration::from_millis(400);

/// 200 calls one after another on backend 0; each call's outcome and how long it took.
async fn calls(cluster: &jostle_harness::cluster::Cluster) -> Vec<(Option<Code>, Duration)> {
    let mut client = client(cluster, 0);
    let mut outcomes = Vec::new();
    for index in 0..200 {
        let started = Instant::now();
        let outcome = client.create_order(create_order_request(index)).await;
        outcomes.push((outcome.err().map(|status| status.code()), started.elapsed()));
    }
    outcomes
}

fn status(before_delay: bool) -> Fault {
    Fault::Status { code: Code::Unavailable, trigger: Trigger::Probability(0.05), before_delay }
}

#[tokio::test(start_paused = true)]
async fn a_status_before_the_delay_fails_fast_beside_slow_successes() {
    let cluster = cluster(1, Transport::InMemory).await;
    cluster.inject(Fault::delay(DELAY).on(0)).unwrap();
    cluster.inject(status(true).on(0)).unwrap();
    let outcomes = calls(&cluster).await;
    let failed: Vec<_> = outcomes.iter().filter(|(code, _)| code.is_some()).collect();
    assert!(!failed.is_empty(), "5 % of 200 calls fail (seed 11): {outcomes:?}");
    for (code, took) in &outcomes {
        match code {
            Some(code) => {
                assert_eq!(*code, Code::Unavailable);
                assert!(took < &DELAY, "a before_delay failure ends before the delay: {took:?}");
            }
            None => assert!(took >= &DELAY, "an OK call waits the delay: {took:?}"),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_status_after_the_delay_by_default_fails_slowly() {
    let cluster = cluster(1, Transport::InMemory).await;
    cluster.inject(Fault::delay(DELAY).on(0)).unwrap();
    cluster.inject(status(false).on(0)).unwrap();
    let outcomes = calls(&cluster).await;
    assert!(outcomes.iter().any(|(code, _)| code.is_some()), "some calls fail: {outcomes:?}");
    assert!(
        outcomes.iter().all(|(_, took)| took >= &DELAY),
        "by default a status is answered after the delays: every call waits them"
    );
}

#[tokio::test(start_paused = true)]
async fn a_hang_holds_a_call_before_any_other_fault_which_applies_once_it_is_healed() {
    let cluster = cluster(1, Transport::InMemory).await;
    let hang = cluster.inject(Fault::Hang.on(0)).unwrap();
    cluster.inject(Fault::delay(DELAY).on(0)).unwrap();
    cluster.inject(Fault::status(Code::Unavailable, 1.0).on(0)).unwrap();
    let mut client = client(&cluster, 0);
    let call = tokio::spawn(async move { client.create_order(create_order_request(0)).await });
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(!call.is_finished(), "a hang holds the call whatever else stands");
    cluster.heal(hang);
    let healed = Instant::now();
    let status = call.bounded("the call once the hang is healed").await.unwrap().unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "the status applies after the hang: {status:?}");
    assert_eq!(healed.elapsed(), DELAY, "and after the delay drawn when the call arrived");
}

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn a_drain_on_a_refusing_backend_finishes_calls_in_flight_and_refuses_the_reconnect(
    #[case] transport: Transport,
) {
    let cluster = cluster(1, transport).await;
    let backend = cluster.backend(0).unwrap().clone();
    let mut connected = client(&cluster, 0);
    connected.create_order(create_order_request(0)).await.unwrap();
    let delay = cluster.inject(Fault::delay(Duration::from_millis(300)).on(0)).unwrap();
    let in_flight = tokio::spawn({
        let mut connected = connected.clone();
        async move { connected.create_order(create_order_request(1)).await }
    });
    backend.wait_until(|stats| stats.total_started() == 2).bounded("the call in flight").await;
    cluster.heal(delay);
    cluster.inject(Fault::Refuse.on(0)).unwrap();
    cluster.inject(Fault::Drain.on(0)).unwrap();
    let finished = in_flight.bounded("the call in flight").await.unwrap();
    assert!(finished.is_ok(), "a drain lets the call in flight finish: {finished:?}");
    backend.wait_until(|stats| stats.connections_open == 0).bounded("the drained close").await;
    let status = connected.create_order(create_order_request(2)).await.unwrap_err();
    assert_eq!(
        status.code(),
        Code::Unavailable,
        "refuse wins at the reconnect a drain causes: {status:?}"
    );
}
