use jostle_harness::cluster::Cluster;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;

#[tokio::test]
async fn a_thousand_in_memory_backends_start_and_each_serves_a_call() {
    let cluster = Cluster::builder().backends(1_000).start().await.unwrap();
    assert_eq!(cluster.len(), 1_000);
    for backend in cluster.backends() {
        let mut client = OrderServiceClient::new(cluster.channel(backend.id()).unwrap());
        let response = client.create_order(create_order_request(0)).await.unwrap();
        assert_eq!(
            response.get_ref().served_by,
            backend.name(),
            "each backend serves its own calls"
        );
    }
    assert!(
        cluster.backends().iter().all(|backend| backend.stats().ok("CreateOrder") == 1),
        "every one of the 1,000 backends must have served exactly one call"
    );
}

#[tokio::test]
async fn a_cluster_of_zero_or_too_many_backends_is_refused_with_the_parameter_named() {
    let error = Cluster::builder().backends(0).start().await.unwrap_err();
    assert_eq!(error.to_string(), "invalid backends: a count from 1 to 10000, got 0");
    let error = Cluster::builder().backends(10_001).start().await.unwrap_err();
    assert_eq!(error.to_string(), "invalid backends: a count from 1 to 10000, got 10001");
}
