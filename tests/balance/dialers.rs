//! The article's dialers, run as the article runs them: their flaws, shown by the backends.

use jostle_harness::cluster::{Cluster, StopMode};
use jostle_harness::dial::{FallbackDialer, RoundRobinDialer};
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use tonic::transport::Endpoint;

#[tokio::test(start_paused = true)]
async fn a_dial_per_request_is_a_connection_storm() {
    let cluster = Cluster::builder().backends(3).start().await.unwrap();
    let dialer = RoundRobinDialer::new(cluster.addresses(), cluster.connector());
    for call in 0..30 {
        // The pitfall: a new channel (a new dial) for every request.
        let channel = Endpoint::from_static("http://orders.jostle")
            .connect_with_connector_lazy(dialer.clone());
        OrderServiceClient::new(channel).create_order(create_order_request(call)).await.unwrap();
    }
    let accepted: Vec<u64> =
        cluster.backends().iter().map(|b| b.stats().connections_accepted).collect();
    assert_eq!(accepted, [10, 10, 10], "one connection per call: 30 connections for 30 calls");
}

#[tokio::test(start_paused = true)]
async fn the_fallback_dialer_piles_a_dead_backends_share_onto_the_first() {
    let cluster = Cluster::builder().backends(3).start().await.unwrap();
    cluster.backend(1).unwrap().stop(StopMode::Abrupt).await.unwrap();
    let dialer = FallbackDialer::new(cluster.addresses(), cluster.connector());
    for call in 0..30 {
        let channel = Endpoint::from_static("http://orders.jostle")
            .connect_with_connector_lazy(dialer.clone());
        OrderServiceClient::new(channel).create_order(create_order_request(call)).await.unwrap();
    }
    let served: Vec<u64> = cluster.backends().iter().map(|b| b.stats().ok("CreateOrder")).collect();
    assert_eq!(served, [20, 0, 10], "backend-0 takes its share and the dead backend-1's");

    cluster.backend(0).unwrap().stop(StopMode::Abrupt).await.unwrap();
    let mut failed = 0;
    for call in 0..30 {
        let channel = Endpoint::from_static("http://orders.jostle")
            .connect_with_connector_lazy(dialer.clone());
        if OrderServiceClient::new(channel).create_order(create_order_request(call)).await.is_err()
        {
            failed += 1;
        }
    }
    assert_eq!(failed, 20, "with the fallback down too, two dials in three fail");
}
