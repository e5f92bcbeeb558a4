//! Load awareness: the policies that read [`Candidate::in_flight`] send a slow backend fewer
//! calls; weighted round robin follows the weights discovery gives, as they change.
//!
//! [`Candidate::in_flight`]: jostle::balance::Candidate::in_flight

use super::{balanced, client, config, served};
use jostle::balance::policy::{LeastOutstanding, PowerOfTwoChoices, WeightedRoundRobin};
use jostle::balance::{BalancedChannel, Balancer};
use jostle::discover::{self, Change};
use jostle_harness::cluster::Cluster;
use jostle_harness::fault::Fault;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use rstest::rstest;
use std::time::Duration;

/// Calls started, one every 10 ms, each in its own task, over 4 s.
const CALLS: u64 = 400;
const EVERY_MS: u64 = 10;
/// Backend-2's delay on every call.
const SLOW_MS: u64 = 200;

#[rstest]
#[case::least_outstanding(Box::new(LeastOutstanding::new()))]
#[case::p2c(Box::new(PowerOfTwoChoices::from_seed(7)))]
#[tokio::test(start_paused = true)]
async fn a_load_aware_policy_sends_a_slow_backend_at_most_one_call_per_delay(
    #[case] balancer: Box<dyn Balancer>,
) {
    let name = balancer.name().to_owned();
    let cluster = Cluster::builder().backends(3).start().await.unwrap();
    let channel = balanced(&cluster, balancer, config()).await;
    cluster.inject(Fault::delay(Duration::from_millis(SLOW_MS)).on(2)).unwrap();
    let mut calls = tokio::task::JoinSet::new();
    for call in 0..CALLS {
        let mut client = client(&channel);
        calls.spawn(async move { client.create_order(create_order_request(call)).await });
        tokio::time::sleep(Duration::from_millis(EVERY_MS)).await;
    }
    while let Some(done) = calls.join_next().bounded("the calls to end").await {
        done.unwrap().expect("no call fails: the delay is within the default deadline");
    }
    let counts = served(&cluster);
    // The fast backends answer at once, so at every call's start they have nothing in flight;
    // backend-2 has its last call in flight for 200 ms. A policy that reads the in-flight
    // counts (least outstanding; p2c, whose two distinct draws always include a fast backend)
    // sends backend-2 a call only while it is idle: at most one per 200 ms, 4 s / 200 ms + 1
    // = 21 of the 400 calls. A policy blind to load sends it its third, about 133.
    let bound = CALLS * EVERY_MS / SLOW_MS + 1;
    assert!(
        counts[2] <= bound,
        "{name} must send the slow backend-2 at most {bound} calls (one per 200 ms delay), \
         it sent {counts:?}; seed 7, rerun: cargo test --test balancers a_load_aware_policy"
    );
    assert_eq!(counts.iter().sum::<u64>(), CALLS, "every call served: {counts:?}");
}

#[tokio::test(start_paused = true)]
async fn weighted_round_robin_follows_unequal_weights_from_discovery_and_their_changes() {
    let cluster = Cluster::builder().backends(3).start().await.unwrap();
    let addresses = cluster.addresses();
    let (changes, endpoints) = discover::channel();
    let channel = BalancedChannel::builder()
        .balancer(WeightedRoundRobin::new())
        .config(config())
        .build(endpoints, cluster.connector());
    let weigh = |weights: [u32; 3]| {
        for (address, weight) in addresses.iter().zip(weights) {
            assert!(changes.send(Change::Insert { address: address.clone(), weight }));
        }
    };
    weigh([3, 1, 1]);
    channel
        .wait_until(|e| e.iter().filter(|e| e.ready).count() == 3)
        .bounded("the three weighted endpoints to be ready")
        .await;
    let mut client = client(&channel);
    for call in 0..50 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    assert_eq!(
        served(&cluster),
        [30, 10, 10],
        "weights 3, 1, 1: each cycle of 5 calls gives backend-0 3 and the others 1 each"
    );

    weigh([1, 1, 3]);
    channel
        .wait_until(|e| e.iter().map(|e| e.weight).eq([1, 1, 3]))
        .bounded("discovery's new weights 1, 1, 3 to apply")
        .await;
    let before = served(&cluster);
    for call in 0..50 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    let after = served(&cluster);
    let gained: Vec<u64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
    assert_eq!(
        gained,
        [10, 10, 30],
        "after discovery reweighs to 1, 1, 3, backend-2 takes 3 of every 5 calls"
    );
}
