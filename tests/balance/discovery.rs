use super::{client, config, served};
use jostle::balance::BalancedChannel;
use jostle::balance::policy::RoundRobin;
use jostle::discover;
use jostle_harness::cluster::Cluster;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;

#[tokio::test(start_paused = true)]
async fn added_endpoints_get_traffic_and_removed_ones_get_none_and_are_disconnected() {
    let cluster = Cluster::builder().backends(3).start().await.unwrap();
    let addresses = cluster.addresses();
    let (changes, endpoints) = discover::channel();
    let channel = BalancedChannel::builder()
        .balancer(RoundRobin::new())
        .config(config())
        .build(endpoints, cluster.connector());
    changes.insert(addresses[0].clone());
    changes.insert(addresses[1].clone());
    channel
        .wait_until(|e| e.iter().filter(|e| e.ready).count() == 2)
        .bounded("the two announced endpoints to be ready")
        .await;
    let mut client = client(&channel);
    for call in 0..100 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    assert_eq!(served(&cluster), [50, 50, 0]);

    changes.insert(addresses[2].clone());
    channel
        .wait_until(|e| e.iter().filter(|e| e.ready).count() == 3)
        .bounded("the added endpoint to be ready")
        .await;
    for call in 0..90 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    let counts = served(&cluster);
    assert_eq!(counts[2], 30, "the added backend takes its third: {counts:?}");

    changes.remove(addresses[0].clone());
    channel.wait_until(|e| e.len() == 2).bounded("the removed endpoint to leave the set").await;
    let removed = cluster.backend(0).unwrap();
    let stats = removed
        .wait_until(|s| s.connections_open == 0)
        .bounded("the removed endpoint's connection to close")
        .await;
    assert_eq!(stats.connections_open, 0, "a removed endpoint's connection closes");
    let before = served(&cluster)[0];
    for call in 0..100 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    assert_eq!(served(&cluster)[0], before, "a removed endpoint gets no call");
}

#[tokio::test(start_paused = true)]
async fn every_failed_connection_attempt_calls_the_hook_that_re_resolves_dns() {
    use jostle::balance::Backoff;
    use jostle_harness::cluster::StopMode;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    let cluster = Cluster::builder().backends(2).start().await.unwrap();
    let failures = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&failures);

    // No jitter, so that the attempts fall at instants the backoff alone decides.
    let backoff = Backoff { jitter: 0.0, ..config().backoff };
    let channel = BalancedChannel::builder()
        .config(jostle::balance::BalanceConfig { backoff, ..config() })
        .on_connect_failure(move |_, _| {
            counted.fetch_add(1, Ordering::SeqCst);
        })
        .build(discover::fixed(cluster.addresses()), cluster.connector());
    channel.wait_until(|e| e.iter().all(|e| e.ready)).bounded("both endpoints to be ready").await;
    assert_eq!(failures.load(Ordering::SeqCst), 0, "no failure, no re-resolution");
    cluster.backend(0).unwrap().stop(StopMode::Abrupt).await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    // The broken connection is retried at once (0 s), then after 100, 160, 256, 409.6,
    // 655.36 ms and the 1 s cap (100 ms x 1.6^(n-1)): attempts at 0, 0.1, 0.26, 0.516, 0.926,
    // 1.581 and 2.581 s fail within the 3 s; the next (3.581 s) comes after them.
    assert_eq!(
        failures.load(Ordering::SeqCst),
        7,
        "each of the 7 reconnect attempts in 3 s to the stopped backend must ask to re-resolve"
    );
}
