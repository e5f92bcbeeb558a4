//! jostle's `BalancedChannel` against clusters under fault, and tonic's `balance_list` run the
//! same way for comparison. Delay and timeout behaviour runs under the paused clock in memory.
//!
//! Rerun: `cargo test --test balancers balance::`.

mod backoff;
mod body_deadline;
mod dialers;
mod discovery;
mod distribution;
mod events;
mod failover;
mod goaway_retry;
mod grpc_profile;
mod hooks;
mod hung;
mod load;
mod outlier;
mod readiness;
mod readiness_poll;
mod tonic_adapters;
mod tonic_comparison;

use jostle::balance::{Backoff, BalanceConfig, BalancedChannel, Balancer};
use jostle::discover;
use jostle_harness::cluster::Cluster;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::wait::Within;
use std::time::Duration;

/// A backoff short enough for tests: 100 ms, growing 1.6x, capped at 1 s.
const TEST_BACKOFF: Backoff = Backoff {
    initial: Duration::from_millis(100),
    multiplier: 1.6,
    jitter: 0.2,
    max: Duration::from_secs(1),
};

fn config() -> BalanceConfig {
    BalanceConfig { backoff: TEST_BACKOFF, seed: Some(0), ..BalanceConfig::default() }
}

/// A balanced channel over every backend of `cluster`, waiting until all are ready.
async fn balanced(
    cluster: &Cluster,
    balancer: impl Balancer,
    config: BalanceConfig,
) -> BalancedChannel {
    let channel = BalancedChannel::builder()
        .balancer(balancer)
        .config(config)
        .build(discover::fixed(cluster.addresses()), cluster.connector());
    let all = cluster.len();
    channel
        .wait_until(|endpoints| endpoints.iter().filter(|e| e.ready).count() == all)
        .bounded("every backend of the cluster to be ready")
        .await;
    channel
}

fn client(channel: &BalancedChannel) -> OrderServiceClient<BalancedChannel> {
    OrderServiceClient::new(channel.clone())
}

/// How many calls each backend served OK, by id.
fn served(cluster: &Cluster) -> Vec<u64> {
    cluster.backends().iter().map(|b| b.stats().ok("CreateOrder")).collect()
}
