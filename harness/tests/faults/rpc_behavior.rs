use jostle_harness::cluster::Cluster;
use jostle_harness::proto::CreateOrderRequest;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use std::time::Duration;
use tokio::time::Instant;
use tonic::transport::Channel;
use tonic::{Code, Request};

async fn interop_cluster() -> Cluster {
    Cluster::builder().backends(2).rpc_behavior(true).start().await.unwrap()
}

fn asking(behavior: &str, previous_attempts: Option<&str>) -> Request<CreateOrderRequest> {
    let mut request = Request::new(create_order_request(0));
    request.metadata_mut().insert("rpc-behavior", behavior.parse().unwrap());
    if let Some(previous) = previous_attempts {
        request.metadata_mut().insert("grpc-previous-rpc-attempts", previous.parse().unwrap());
    }
    request
}

fn client(cluster: &Cluster, index: usize) -> OrderServiceClient<Channel> {
    OrderServiceClient::new(cluster.channel(index).unwrap())
}

#[tokio::test(start_paused = true)]
async fn sleep_n_delays_the_call_n_seconds() {
    let cluster = interop_cluster().await;
    let started = Instant::now();
    client(&cluster, 0).create_order(asking("sleep-2", None)).await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn keep_open_holds_the_call_until_the_client_gives_up() {
    let cluster = interop_cluster().await;
    let mut request = asking("keep-open", None);
    request.set_timeout(Duration::from_secs(1));
    let started = Instant::now();
    let status = client(&cluster, 0).create_order(request).await.unwrap_err();
    assert_eq!((status.code(), started.elapsed()), (Code::Cancelled, Duration::from_secs(1)));
    let stats = cluster
        .backend(0)
        .unwrap()
        .wait_until(|s| s.in_flight() == 0)
        .bounded("the backend to finish the abandoned call")
        .await;
    assert_eq!(stats.finished("CreateOrder", Code::Cancelled), 1);
}

#[tokio::test]
async fn error_code_n_answers_with_that_code_and_the_backend_records_it() {
    let cluster = interop_cluster().await;
    let status = client(&cluster, 1).create_order(asking("error-code-14", None)).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);
    assert_eq!(cluster.backend(1).unwrap().stats().finished("CreateOrder", Code::Unavailable), 1);
}

#[tokio::test]
async fn a_hostname_rule_applies_only_on_the_named_backend() {
    let cluster = interop_cluster().await;
    let rule = "hostname=backend-1 error-code-8";
    client(&cluster, 0).create_order(asking(rule, None)).await.expect("backend-0 is not named");
    let status = client(&cluster, 1).create_order(asking(rule, None)).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "backend-1 is named");
}

#[tokio::test]
async fn succeed_on_retry_attempt_lets_only_the_matching_attempt_through() {
    let cluster = interop_cluster().await;
    let behavior = "succeed-on-retry-attempt-2,error-code-14";
    for (previous, expected) in
        [(None, Some(Code::Unavailable)), (Some("1"), Some(Code::Unavailable)), (Some("2"), None)]
    {
        let outcome = client(&cluster, 0).create_order(asking(behavior, previous)).await;
        assert_eq!(outcome.err().map(|s| s.code()), expected, "previous attempts {previous:?}");
    }
}

#[tokio::test]
async fn the_header_is_ignored_unless_the_cluster_enables_it() {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    client(&cluster, 0).create_order(asking("error-code-14", None)).await.expect("off by default");
}

#[tokio::test]
async fn a_malformed_header_is_invalid_argument_naming_the_value() {
    let cluster = interop_cluster().await;
    let status = client(&cluster, 0).create_order(asking("sleep-x", None)).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("sleep-x"), "{status:?}");
}
