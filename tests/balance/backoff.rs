//! Reconnect timestamps under the paused clock with jitter 0, against gRPC's
//! connection-backoff.md and grpc-go's `addrConn.resetTransport` (`backoff.Backoff(0)` is the
//! initial backoff): a never-connected endpoint tries at 0, then 1 s, 1.6 s, 2.56 s, 4.096 s
//! apart; a working connection that breaks reconnects at once, and its first failure waits the
//! initial 1 s, then 1.6 s, 2.56 s.

use super::client;
use jostle::balance::policy::RoundRobin;
use jostle::balance::{Backoff, BalanceConfig, BalancedChannel};
use jostle::discover;
use jostle_harness::cluster::Cluster;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use tower::Service;

/// gRPC's backoff (the default) without its jitter.
fn no_jitter() -> BalanceConfig {
    BalanceConfig { backoff: Backoff { jitter: 0.0, ..Backoff::default() }, ..Default::default() }
}

/// Every connection attempt's time, since `origin`.
type Attempts = Arc<Mutex<Vec<Instant>>>;

/// A channel over backend 0 of `cluster` whose connector logs each attempt's time.
fn logged(cluster: &Cluster, config: BalanceConfig) -> (BalancedChannel, Attempts) {
    let attempts = Attempts::default();
    let log = Arc::clone(&attempts);
    let inner = cluster.connector();
    let connector = tower::service_fn(move |uri: http::Uri| {
        log.lock().unwrap().push(Instant::now());
        let mut inner = inner.clone();
        async move { inner.call(uri).await }
    });
    let channel = BalancedChannel::builder()
        .balancer(RoundRobin::new())
        .config(config)
        .build(discover::fixed(cluster.addresses()), connector);
    (channel, attempts)
}

/// The `count` attempts after the first `skip`, in milliseconds after `origin`, once there
/// are that many (the paused clock runs ahead to each).
async fn attempts_after(
    attempts: &Attempts,
    skip: usize,
    origin: Instant,
    count: usize,
) -> Vec<u128> {
    let since = || -> Vec<u128> {
        let log = attempts.lock().unwrap();
        log.iter().skip(skip).map(|at| (*at - origin).as_millis()).collect()
    };
    async {
        while since().len() < count {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    .within(Duration::from_secs(60), format!("{count} connection attempts"))
    .await;
    since().into_iter().take(count).collect()
}

#[tokio::test(start_paused = true)]
async fn a_never_connected_endpoint_retries_after_1_then_1_6_then_2_56_seconds() {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    cluster.stop(0).await.unwrap();
    let origin = Instant::now();
    let (_channel, attempts) = logged(&cluster, no_jitter());
    let times = attempts_after(&attempts, 0, origin, 5).await;
    assert_eq!(
        times,
        [0, 1_000, 2_600, 5_160, 9_256],
        "gRPC's backoff: attempt at once, then wait 1 s, 1.6 s, 2.56 s, 4.096 s after each failure"
    );
}

#[tokio::test(start_paused = true)]
async fn a_broken_working_connection_reconnects_at_once_then_waits_1_then_1_6_seconds() {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    let (channel, attempts) = logged(&cluster, no_jitter());
    channel
        .wait_until(|endpoints| endpoints.first().is_some_and(|e| e.ready))
        .bounded("backend-0 to be ready")
        .await;
    client(&channel).create_order(create_order_request(0)).await.expect("a working connection");
    let (broken, connected) = (Instant::now(), attempts.lock().unwrap().len());
    cluster.stop(0).await.unwrap();
    let times = attempts_after(&attempts, connected, broken, 4).await;
    assert_eq!(
        times,
        [0, 1_000, 2_600, 5_160],
        "gRPC: a READY connection that breaks reconnects at once and its first failure waits the \
         initial backoff (grpc-go backoff.Backoff(0) = 1 s), then 1.6 s, 2.56 s"
    );
    let snapshot = &channel.endpoints()[0];
    assert!(!snapshot.ready, "backend-0 is down");
    assert_eq!(snapshot.failures, 4, "four failed reconnects, counted from 1: {snapshot:?}");
}
