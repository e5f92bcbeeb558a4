use jostle_harness::cluster::Cluster;
use jostle_harness::fault::Fault;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use std::time::Duration;

#[tokio::test(start_paused = true)]
async fn a_five_second_backend_is_observed_at_virtual_five_seconds_without_waiting_for_them() {
    let wall = std::time::Instant::now();
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    cluster.inject(Fault::delay(Duration::from_secs(5)).on(0)).unwrap();
    let mut client = OrderServiceClient::new(cluster.channel(0).unwrap());

    let started = tokio::time::Instant::now();
    client.create_order(create_order_request(0)).await.unwrap();
    let virtual_elapsed = started.elapsed();

    assert_eq!(
        virtual_elapsed,
        Duration::from_secs(5),
        "a 5 s delay must be seen at virtual 5 s exactly"
    );
    // Not a timing assertion: had the clock not been paused, this would have waited 5 s.
    assert!(
        wall.elapsed() < Duration::from_secs(5),
        "the paused clock must not wait the delay out in wall time"
    );
}

#[tokio::test(start_paused = true)]
async fn a_deadline_shorter_than_the_delay_ends_the_call_at_the_deadline() {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    cluster.inject(Fault::delay(Duration::from_secs(5)).on(0)).unwrap();
    let mut client = OrderServiceClient::new(cluster.channel(0).unwrap());
    let mut request = tonic::Request::new(create_order_request(0));
    request.set_timeout(Duration::from_secs(1));

    let started = tokio::time::Instant::now();
    let status = client.create_order(request).await.unwrap_err();
    let virtual_elapsed = started.elapsed();
    assert_eq!(
        status.code(),
        tonic::Code::Cancelled,
        "tonic's client ends a call past its own timeout Cancelled (Timeout expired), got {status:?}"
    );
    assert_eq!(
        virtual_elapsed,
        Duration::from_secs(1),
        "the call must end at its 1 s deadline, virtual time"
    );
}
