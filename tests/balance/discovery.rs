use super::{client, config, served};
use jostle::balance::BalancedChannel;
use jostle::balance::policy::RoundRobin;
use jostle::discover;
use jostle_harness::cluster::Cluster;
use jostle_harness::sample::create_order_request;

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
    channel.wait_until(|e| e.iter().filter(|e| e.ready).count() == 2).await;
    let mut client = client(&channel);
    for call in 0..100 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    assert_eq!(served(&cluster), [50, 50, 0]);

    changes.insert(addresses[2].clone());
    channel.wait_until(|e| e.iter().filter(|e| e.ready).count() == 3).await;
    for call in 0..90 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    let counts = served(&cluster);
    assert_eq!(counts[2], 30, "the added backend takes its third: {counts:?}");

    changes.remove(addresses[0].clone());
    channel.wait_until(|e| e.len() == 2).await;
    let removed = cluster.backend(0).unwrap();
    let stats = removed.wait_until(|s| s.connections_open == 0).await;
    assert_eq!(stats.connections_open, 0, "a removed endpoint's connection closes");
    let before = served(&cluster)[0];
    for call in 0..100 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    assert_eq!(served(&cluster)[0], before, "a removed endpoint gets no call");
}
