//! The tonic adapters a factory uses: they take a [`Target`], refuse the in-memory transport
//! with an error, and `balance_channel_for` follows the target's discovery. Real TCP.

use jostle::discover;
use jostle_harness::channel::Target;
use jostle_harness::cluster::Cluster;
use jostle_harness::net::{Connector, Transport};
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use jostle_harness::tonic_balance::{balance_channel_for, balance_list_for};
use jostle_harness::wait::Within;
use std::time::{Duration, Instant};
use tonic::transport::Channel;

const RERUN: &str = "cargo test --test balancers tonic_adapters";

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current().metrics().num_alive_tasks()
}

/// Calls served by each backend so far.
fn served(cluster: &Cluster) -> Vec<u64> {
    cluster.stats().iter().map(|stats| stats.total_started()).collect()
}

async fn calls(client: &mut OrderServiceClient<Channel>, count: u64) {
    for call in 0..count {
        client
            .create_order(create_order_request(call))
            .bounded(format!("call {call} through balance_channel_for"))
            .await
            .unwrap_or_else(|status| panic!("call {call} failed: {status}\nrerun: {RERUN}"));
    }
}

#[tokio::test]
async fn tonic_adapters_refuse_an_in_memory_target_with_an_error() {
    let cluster = Cluster::builder().backends(2).start().await.unwrap();
    let target = || {
        Target::new(cluster.addresses(), cluster.connector(), discover::fixed(cluster.addresses()))
    };
    for error in
        [balance_list_for(&target()).unwrap_err(), balance_channel_for(&target(), 16).unwrap_err()]
    {
        assert_eq!(
            error.to_string(),
            "invalid transport: tcp (tonic's balancer takes endpoints, not connectors), got in-memory",
            "tonic's balancer cannot dial in-memory addresses: the adapter must refuse them"
        );
    }
}

#[tokio::test]
async fn balance_channel_for_follows_the_targets_discovery_and_its_task_ends_with_the_channel() {
    let cluster = Cluster::builder().backends(2).transport(Transport::Tcp).start().await.unwrap();
    let [first, second] = [0, 1].map(|id| cluster.backend(id).unwrap().address().clone());
    let baseline = alive_tasks();
    let (announce, changes) = discover::channel();
    announce.insert(first.clone());
    let target = Target::new(cluster.addresses(), Connector::tcp(), changes);
    let mut client = OrderServiceClient::new(balance_channel_for(&target, 16).unwrap());

    calls(&mut client, 50).await;
    assert_eq!(
        served(&cluster),
        [50, 0],
        "only the announced backend may get calls\nrerun: {RERUN}"
    );

    announce.insert(second);
    let mut sent = 0;
    while served(&cluster)[1] == 0 {
        assert!(sent < 1_000, "an added backend must get calls: 0 of {sent}\nrerun: {RERUN}");
        calls(&mut client, 1).await;
        sent += 1;
    }

    // tonic takes a change in when it is next polled for a call: call until the removed
    // backend's connection is closed.
    announce.remove(first);
    let removed = cluster.backend(0).unwrap();
    let mut sent = 0;
    loop {
        calls(&mut client, 1).await;
        sent += 1;
        let closed = removed.wait_until(|stats| stats.connections_open == 0);
        if tokio::time::timeout(Duration::from_millis(100), closed).await.is_ok() {
            break;
        }
        assert!(sent < 100, "a removed backend's connection must close\nrerun: {RERUN}");
    }
    let before = served(&cluster);
    calls(&mut client, 50).await;
    assert_eq!(
        served(&cluster)[0],
        before[0],
        "a removed backend must get no more calls\nrerun: {RERUN}"
    );

    // The discovery sender is still held: only the channel's drop can end the forwarding task.
    drop(client);
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive_tasks() > baseline {
        assert!(
            Instant::now() < deadline,
            "the forwarding task must end with the channel: {} tasks alive, {baseline} before\nrerun: {RERUN}",
            alive_tasks()
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    drop(announce);
}
