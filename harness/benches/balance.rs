//! Calls per second through `BalancedChannel` with round robin over 3 in-memory backends,
//! against one plain tonic `Channel` to one backend of the same cluster, same client code, same
//! run. Rounds alternate; medians are compared.
//!
//! Run: `cargo bench -p jostle-harness --bench balance` (`-- CALLS ROUNDS`, defaults 40000 5).

#![allow(missing_docs, clippy::print_stdout)]

mod bare;

use jostle::balance::BalancedChannel;
use jostle::balance::policy::RoundRobin;
use jostle::discover;
use jostle_harness::channel::boxed;
use jostle_harness::cluster::Cluster;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;

const IN_FLIGHT: u64 = 64;

fn main() {
    let (calls, rounds, runtime) = bare::setup();
    runtime.block_on(async {
        let cluster = Cluster::builder().backends(3).start().await.unwrap();
        let plain = cluster.channel(0).unwrap();
        let balanced = BalancedChannel::builder()
            .balancer(RoundRobin::new())
            .build(discover::fixed(cluster.addresses()), cluster.connector());
        balanced.wait_until(|endpoints| endpoints.iter().all(|e| e.ready)).await;
        bare::warm(&plain).await;
        let mut warm = OrderServiceClient::new(balanced.clone());
        for call in 0..300 {
            warm.create_order(create_order_request(call)).await.unwrap();
        }
        let (mut baseline, mut through) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            baseline.push(bare::load(boxed(plain.clone()), calls, IN_FLIGHT).await);
            through.push(bare::load(boxed(balanced.clone()), calls, IN_FLIGHT).await);
        }
        let (baseline, through) = (bare::median(baseline), bare::median(through));
        println!("{calls} unary CreateOrder calls, {IN_FLIGHT} in flight, in-memory, {rounds} rounds, medians");
        println!(
            "plain Channel to 1 backend {baseline:>8.0} calls/s, BalancedChannel round robin over 3 {through:>8.0} calls/s, ratio {:.3}",
            through / baseline
        );
        cluster.shutdown().await;
    });
}
