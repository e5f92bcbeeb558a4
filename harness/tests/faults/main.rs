//! Fault injection: for each fault, what a tonic client sees and what the backend recorded;
//! healing; seeded determinism; invalid parameters.
//!
//! Delay and timeout behaviour runs under the paused clock over the in-memory transport.
//! Rerun: `cargo test --test harness faults::`.

mod composition;
mod connection;
mod determinism;
mod events;
mod health;
mod instants;
mod layer_poll;
mod lifecycle;
mod own_service;
mod replay;
mod rpc;
mod rpc_behavior;
mod terminate;
mod validation;

use jostle_harness::cluster::Cluster;
use jostle_harness::net::Transport;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use std::time::Duration;
use tonic::transport::{Channel, Endpoint};

/// A client of backend `index` on a fresh lazily connected channel.
fn client(cluster: &Cluster, index: usize) -> OrderServiceClient<Channel> {
    OrderServiceClient::new(cluster.channel(index).unwrap())
}

/// A client of backend `index` whose calls and connects give up after `timeout`.
fn client_with_timeout(
    cluster: &Cluster,
    index: usize,
    timeout: Duration,
) -> OrderServiceClient<Channel> {
    let address = cluster.backend(index).unwrap().address().clone();
    let channel = Endpoint::from(address)
        .timeout(timeout)
        .connect_timeout(timeout)
        .connect_with_connector_lazy(cluster.connector());
    OrderServiceClient::new(channel)
}

async fn cluster(backends: usize, transport: Transport) -> Cluster {
    Cluster::builder().backends(backends).transport(transport).seed(11).start().await.unwrap()
}
