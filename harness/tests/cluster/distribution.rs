use jostle_harness::cluster::Cluster;
use jostle_harness::net::Transport;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use rstest::rstest;

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn calls_spread_one_per_backend_in_turn_land_exactly_even(#[case] transport: Transport) {
    let cluster = Cluster::builder().backends(3).transport(transport).start().await.unwrap();
    let mut clients: Vec<_> =
        (0..3).map(|i| OrderServiceClient::new(cluster.channel(i).unwrap())).collect();
    for call in 0..300_u64 {
        let client = &mut clients[usize::try_from(call % 3).unwrap()];
        let response = client.create_order(create_order_request(call)).await.unwrap();
        assert_eq!(
            response.get_ref().served_by,
            format!("backend-{}", call % 3),
            "call {call} must be served by the backend it was sent to ({transport})"
        );
    }
    for backend in cluster.backends() {
        let stats = backend.stats();
        assert_eq!(
            stats.ok("CreateOrder"),
            100,
            "each of 3 backends must count exactly 100 of 300 calls sent in turn ({transport}); {} counted {stats:?}\nrerun: cargo test --test harness distribution",
            backend.name()
        );
        assert_eq!(stats.connections_accepted, 1, "one channel per backend is one connection");
    }
}
