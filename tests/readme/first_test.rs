use jostle_harness::prelude::*;

#[tokio::test(start_paused = true)]
async fn a_crashed_replica_refuses_and_comes_back() -> Result<(), BoxError> {
    let cluster = Cluster::builder().backends(3).start().await?;
    let mut client = OrderServiceClient::new(cluster.channel(0)?);
    client.create_order(create_order_request(0)).await?;

    cluster.crash(0).await?;
    // The call sent as the connection is reset fails as it would over TCP (CANCELLED or
    // UNKNOWN, by the instant); the next finds nothing listening.
    client.create_order(create_order_request(1)).await.unwrap_err();
    let status = client.create_order(create_order_request(2)).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);

    cluster.start(0).await?;
    client.create_order(create_order_request(3)).await?;
    assert_eq!(cluster.backend(0)?.stats().ok("CreateOrder"), 2);
    Ok(())
}
