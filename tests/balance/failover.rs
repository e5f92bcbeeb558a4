use super::{TEST_BACKOFF, balanced, client, config, served};
use jostle::balance::policy::RoundRobin;
use jostle_harness::cluster::{BackendState, Cluster, StopMode};
use jostle_harness::fault::Fault;
use jostle_harness::proto::GetOrderRequest;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::time::Instant;
use tonic::Code;

#[tokio::test(start_paused = true)]
async fn one_call_at_a_time_round_robin_fails_at_most_three_of_a_thousand_after_a_crash() {
    let cluster = Cluster::builder().backends(3).start().await.unwrap();
    let channel = balanced(&cluster, RoundRobin::new(), config()).await;
    let mut client = client(&channel);
    for call in 0..30 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    cluster.backend(1).unwrap().stop(StopMode::Abrupt).await.unwrap();
    let mut failed = 0;
    for call in 0..1_000 {
        if client.create_order(create_order_request(call)).await.is_err() {
            failed += 1;
        }
    }
    assert!(
        failed <= 3,
        "round robin must drop a crashed backend at once: {failed} of 1000 failed"
    );
    let counts = served(&cluster);
    assert_eq!(counts[1], 10, "backend-1 served nothing after its crash: {counts:?}");
    assert_eq!(
        counts[0] + counts[2],
        20 + 1_000 - failed,
        "the others served the rest: {counts:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn with_64_in_flight_only_calls_started_before_the_crash_fail() {
    let cluster = Cluster::builder().backends(3).start().await.unwrap();
    // Calls take 10 ms, so that many are in flight on every connection at the crash.
    cluster
        .inject(Fault::delay(Duration::from_millis(10)).on(jostle_harness::fault::Backends::All))
        .unwrap();
    let channel = balanced(&cluster, RoundRobin::new(), config()).await;
    let crashed = Arc::new(AtomicBool::new(false));
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..64_u64 {
        let mut client = client(&channel);
        let crashed = Arc::clone(&crashed);
        workers.spawn(async move {
            let (mut failed_before, mut failed_after) = (0, 0);
            for call in 0..40 {
                let started_after_crash = crashed.load(Ordering::SeqCst);
                if client.create_order(create_order_request(worker * 100 + call)).await.is_err() {
                    if started_after_crash { failed_after += 1 } else { failed_before += 1 }
                }
            }
            (failed_before, failed_after)
        });
    }
    tokio::time::sleep(Duration::from_millis(105)).await;
    let victim = cluster.backend(1).unwrap();
    let in_flight = victim.stats().in_flight();
    crashed.store(true, Ordering::SeqCst);
    victim.stop(StopMode::Abrupt).await.unwrap();
    let (mut before, mut after) = (0, 0);
    while let Some(result) = workers.join_next().await {
        let (b, a) = result.unwrap();
        before += b;
        after += a;
    }
    assert_eq!(
        after, 0,
        "no call started after the crash may fail: none is sent to the dead backend"
    );
    assert!(in_flight > 0, "10 ms calls from 64 workers keep calls in flight on backend-1");
    assert_eq!(
        before, in_flight,
        "exactly the calls in flight on the dead connection fail, as many as backend-1 held"
    );
    assert_eq!(
        victim.stats().finished("CreateOrder", Code::Cancelled),
        in_flight,
        "the backend saw exactly the calls in flight at the crash end"
    );
}

#[tokio::test(start_paused = true)]
async fn a_restarted_backend_gets_its_share_back_within_twice_the_backoff_cap() {
    let cluster = Cluster::builder().backends(3).start().await.unwrap();
    let channel = balanced(&cluster, RoundRobin::new(), config()).await;
    let victim = cluster.backend(2).unwrap();
    victim.stop(StopMode::Abrupt).await.unwrap();
    channel
        .wait_until(|endpoints| !endpoints[2].ready)
        .bounded("the stopped backend-2 to leave the ready set")
        .await;
    // Down long enough for the backoff to reach its cap.
    tokio::time::sleep(Duration::from_secs(10)).await;
    victim.start().await.unwrap();
    assert_eq!(victim.state(), BackendState::Running);
    let back = Instant::now();
    channel
        .wait_until(|endpoints| endpoints[2].ready)
        .bounded("the restarted backend-2 to be ready")
        .await;
    let took = back.elapsed();
    assert!(
        took <= TEST_BACKOFF.max * 2,
        "back in the ready set within 2x the 1 s cap, took {took:?}"
    );

    let before = served(&cluster);
    let mut client = client(&channel);
    for call in 0..300 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    let after = served(&cluster);
    assert_eq!(after[2] - before[2], 100, "its full share again: {before:?} -> {after:?}");
}

#[tokio::test(start_paused = true)]
async fn an_endpoint_answering_unavailable_leaves_the_ready_set_and_returns_after_backoff() {
    let cluster = Cluster::builder().backends(3).start().await.unwrap();
    let channel = balanced(&cluster, RoundRobin::new(), config()).await;
    let id = cluster.inject(Fault::status(Code::Unavailable, 1.0).on(0)).unwrap();
    let mut client = client(&channel);
    let mut failed = 0;
    for call in 0..300 {
        if client.create_order(create_order_request(call)).await.is_err() {
            failed += 1;
        }
    }
    assert!(failed <= 2, "after its first UNAVAILABLE, backend-0 is left out: {failed} failed");
    cluster.heal(id);
    tokio::time::sleep(TEST_BACKOFF.max * 2).await;
    channel
        .wait_until(|endpoints| endpoints.iter().all(|e| e.ready))
        .bounded("the healed backend-0 to be ready again")
        .await;
    let before = served(&cluster)[0];
    for call in 0..30 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    assert_eq!(served(&cluster)[0] - before, 10, "healed, backend-0 has its share again");
}

/// Found by the soak (harness/benches/soak): calls answered with an application error never
/// reset the backoff, so each restart of a backend kept it out longer (up to the 120 s cap).
#[tokio::test(start_paused = true)]
async fn calls_answered_with_an_error_status_reset_the_backoff_between_restarts() {
    let cluster = Cluster::builder().backends(2).start().await.unwrap();
    let channel = balanced(&cluster, RoundRobin::new(), config()).await;
    let mut client = client(&channel);
    // More rounds than the backoff needs to reach its 1 s cap without a reset.
    for round in 0..8 {
        for _ in 0..10 {
            let absent = GetOrderRequest { id: "absent".into() };
            let status = client.get_order(absent).await.unwrap_err();
            assert_eq!(status.code(), Code::NotFound, "round {round}: {status}");
        }
        let failures = channel.endpoints()[0].failures;
        assert_eq!(failures, 0, "round {round}: a call answered NOT_FOUND ends the failures");
        let backend = cluster.backend(0).unwrap();
        let accepted = backend.stats().connections_accepted;
        cluster.restart(0).await.unwrap();
        let restarted = Instant::now();
        backend
            .wait_until(|stats| stats.connections_accepted > accepted)
            .bounded("the client to connect to the restarted backend-0")
            .await;
        channel
            .wait_until(|endpoints| endpoints[0].ready)
            .bounded("the restarted backend-0 to be ready again")
            .await;
        let took = restarted.elapsed();
        // At once, or after one refused attempt: the second backoff step at most.
        let limit = TEST_BACKOFF.base(2).mul_f64(1.0 + TEST_BACKOFF.jitter);
        assert!(took <= limit, "round {round}: back within {limit:?}, took {took:?}");
    }
}
