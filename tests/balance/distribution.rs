use super::{balanced, client, config, served};
use jostle::balance::policy::RoundRobin;
use jostle_harness::cluster::Cluster;
use jostle_harness::net::Transport;
use jostle_harness::sample::create_order_request;
use rstest::rstest;

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn round_robin_lands_exactly_a_third_on_each_of_three_backends(#[case] transport: Transport) {
    let cluster = Cluster::builder().backends(3).transport(transport).start().await.unwrap();
    let channel = balanced(&cluster, RoundRobin::new(), config()).await;
    let mut client = client(&channel);
    for call in 0..300 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    assert_eq!(
        served(&cluster),
        [100, 100, 100],
        "round robin over 3 ready backends is an exact cycle ({transport})\nrerun: cargo test --test balancers distribution"
    );
    assert!(
        cluster.backends().iter().all(|b| b.stats().connections_accepted == 1),
        "one connection per endpoint, reused by every call"
    );
}
