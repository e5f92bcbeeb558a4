//! The production hooks of `BalancedChannel`: every endpoint event reaches `on_event` with its
//! address (and the error where there is one), `on_connect_failure` is told the address and the
//! error, and the backoff jitter comes from the operating system unless a seed is given.

use super::config;
use jostle::balance::{BalanceConfig, BalancedChannel, EndpointEvent};
use jostle::discover;
use jostle_harness::cluster::{Cluster, StopMode};
use jostle_harness::wait::Within;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A hook that keeps every event it is told.
fn recorder() -> (Arc<Mutex<Vec<EndpointEvent>>>, impl Fn(&EndpointEvent) + Send + Sync) {
    let told = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&told);
    (told, move |event: &EndpointEvent| kept.lock().unwrap().push(event.clone()))
}

/// The name of an event's kind.
fn kind(event: &EndpointEvent) -> &'static str {
    match event {
        EndpointEvent::Added { .. } => "added",
        EndpointEvent::Removed { .. } => "removed",
        EndpointEvent::Connected { .. } => "connected",
        EndpointEvent::Down { .. } => "down",
        EndpointEvent::Ejected { .. } => "ejected",
        EndpointEvent::Readmitted { .. } => "readmitted",
        _ => "other",
    }
}

#[tokio::test(start_paused = true)]
async fn the_events_hook_sees_each_event_kind_with_the_address_and_the_error() {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    let address = cluster.addresses().remove(0);
    let (told, hook) = recorder();
    let failures = Arc::new(Mutex::new(Vec::new()));
    let failed = Arc::clone(&failures);
    let (changes, endpoints) = discover::channel();
    let channel = BalancedChannel::builder()
        .config(config())
        .on_event(hook)
        .on_connect_failure(move |address, error| {
            failed.lock().unwrap().push((address.clone(), error.to_string()));
        })
        .build(endpoints, cluster.connector());

    changes.insert(address.clone());
    channel.wait_until(|e| e.iter().any(|e| e.ready)).bounded("the endpoint to be ready").await;
    let victim = cluster.backend(0).unwrap();
    victim.stop(StopMode::Abrupt).await.unwrap();
    // Its broken connection is retried at once and refused: at least one failed attempt.
    channel
        .wait_until(|e| e.iter().all(|e| !e.ready && e.failures >= 2))
        .bounded("a refused reconnection")
        .await;
    victim.start().await.unwrap();
    channel.wait_until(|e| e.iter().all(|e| e.ready)).bounded("the endpoint to be back").await;
    changes.remove(address.clone());
    channel.wait_until(<[_]>::is_empty).bounded("discovery to remove the endpoint").await;

    let told = told.lock().unwrap().clone();
    let kinds: Vec<&str> = told.iter().map(kind).collect();
    for wanted in ["added", "connected", "ejected", "down", "readmitted", "removed"] {
        assert!(kinds.contains(&wanted), "the hook must be told `{wanted}`: told {kinds:?}");
    }
    let order = |wanted| kinds.iter().position(|k| *k == wanted);
    assert!(
        order("added") < order("connected")
            && order("connected") < order("ejected")
            && order("ejected") < order("down")
            && order("down") < order("readmitted")
            && order("readmitted") < order("removed"),
        "events must come in the order they happened: {kinds:?}"
    );
    for event in &told {
        assert_eq!(event.address(), &address, "every event must name its endpoint: {event:?}");
        if matches!(event, EndpointEvent::Down { .. } | EndpointEvent::Ejected { .. }) {
            let error = event.error().unwrap_or_default();
            assert!(
                !error.is_empty(),
                "a down or ejected endpoint must come with its error: {event:?}"
            );
        }
    }
    let failures = failures.lock().unwrap().clone();
    assert!(!failures.is_empty(), "on_connect_failure must be called for a refused attempt");
    for (failed, error) in &failures {
        assert_eq!(failed, &address, "on_connect_failure must name the endpoint");
        assert!(!error.is_empty(), "on_connect_failure must give the error");
    }
}

/// The backoff waits of an endpoint whose backend is down, as its first three events tell them
/// (a refused connection, or one closed before it served).
async fn refused_waits(seed: Option<u64>) -> Vec<Duration> {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    cluster.backend(0).unwrap().stop(StopMode::Abrupt).await.unwrap();
    let (told, hook) = recorder();
    let channel = BalancedChannel::builder()
        .config(BalanceConfig { seed, ..config() })
        .on_event(hook)
        .build(discover::fixed(cluster.addresses()), cluster.connector());
    channel
        .wait_until(|e| !e.is_empty() && e.iter().all(|e| e.failures >= 3))
        .bounded("three refused attempts")
        .await;
    let waits: Vec<Duration> = told
        .lock()
        .unwrap()
        .iter()
        .filter_map(|event| match event {
            EndpointEvent::Down { retry_in, .. }
            | EndpointEvent::Ejected { retry_in: Some(retry_in), .. } => Some(*retry_in),
            _ => None,
        })
        .take(3)
        .collect();
    assert_eq!(waits.len(), 3, "three refused attempts, three waits");
    waits
}

#[tokio::test(start_paused = true)]
async fn jitter_differs_between_two_unseeded_channels_and_is_equal_with_one_seed() {
    let first = refused_waits(None).await;
    let second = refused_waits(None).await;
    assert_ne!(
        first, second,
        "two channels built without a seed must draw their jitter from the operating system, \
         not in lockstep"
    );
    let seeded = refused_waits(Some(7)).await;
    assert_eq!(seeded, refused_waits(Some(7)).await, "the same seed must replay the same jitter");
    assert_ne!(seeded, refused_waits(Some(8)).await, "another seed must draw other waits");
}

#[tokio::test(start_paused = true)]
async fn endpoint_settings_apply_to_every_endpoint_connection() {
    use jostle_harness::fault::Fault;
    use jostle_harness::proto::order_service_client::OrderServiceClient;
    use jostle_harness::sample::create_order_request;
    use tokio::time::Instant;

    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    cluster.inject(Fault::Hang.on(0)).unwrap();
    // A per-request timeout of tonic's Endpoint, far below the channel's 30 s default
    // deadline: a hung call ending at 1 s shows the settings reached the endpoint.
    let channel = BalancedChannel::builder()
        .config(config())
        .endpoint(|endpoint| endpoint.timeout(Duration::from_secs(1)))
        .build(discover::fixed(cluster.addresses()), cluster.connector());
    channel.wait_until(|e| e.iter().any(|e| e.ready)).bounded("the endpoint to be ready").await;
    let started = Instant::now();
    let status = OrderServiceClient::new(channel.clone())
        .create_order(create_order_request(0))
        .await
        .expect_err("a hung backend answers nothing");
    assert_eq!(status.code(), tonic::Code::DeadlineExceeded, "{status:?}");
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(1),
        "the endpoint's own timeout (from the settings) must end the call, not the 30 s default"
    );
}
