use super::{balanced, client, config};
use jostle::balance::policy::RoundRobin;
use jostle_harness::cluster::{Cluster, StopMode};
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use std::time::Duration;
use tokio::time::Instant;
use tonic::Code;

async fn all_down(wait_for_ready: bool) -> (Cluster, jostle::balance::BalancedChannel) {
    let cluster = Cluster::builder().backends(2).start().await.unwrap();
    let channel = balanced(
        &cluster,
        RoundRobin::new(),
        jostle::balance::BalanceConfig { wait_for_ready, ..config() },
    )
    .await;
    for backend in cluster.backends() {
        backend.stop(StopMode::Abrupt).await.unwrap();
    }
    channel
        .wait_until(|endpoints| endpoints.iter().all(|e| !e.ready))
        .bounded("every endpoint to leave the ready set")
        .await;
    (cluster, channel)
}

#[tokio::test(start_paused = true)]
async fn fail_fast_answers_unavailable_at_once_when_no_endpoint_is_ready() {
    let (_cluster, channel) = all_down(false).await;
    let started = Instant::now();
    let status = client(&channel).create_order(create_order_request(0)).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);
    assert_eq!(started.elapsed(), Duration::ZERO, "fail-fast does not wait");
}

#[tokio::test(start_paused = true)]
async fn wait_for_ready_waits_until_the_deadline_when_nothing_comes_back() {
    let (_cluster, channel) = all_down(true).await;
    let mut request = tonic::Request::new(create_order_request(0));
    request.set_timeout(Duration::from_secs(2));
    let started = Instant::now();
    let status = client(&channel).create_order(request).await.unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded);
    assert_eq!(started.elapsed(), Duration::from_secs(2), "bounded by the call's deadline");
}

#[tokio::test(start_paused = true)]
async fn wait_for_ready_serves_the_call_once_a_backend_is_back() {
    let (cluster, channel) = all_down(true).await;
    let mut request = tonic::Request::new(create_order_request(0));
    request.set_timeout(Duration::from_secs(30));
    let waiting = tokio::spawn({
        let mut client = client(&channel);
        async move { client.create_order(request).await }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    cluster.start(0).await.unwrap();
    let response = waiting.await.unwrap().expect("served once backend-0 is back");
    assert_eq!(response.get_ref().served_by, "backend-0");
}
