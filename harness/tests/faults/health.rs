//! `grpc.health.v1.Health` on every backend: its status follows the backend's faults by one rule
//! (`jostle_harness::service::serving_status`), and health calls go around the faults they report.

use super::{client, cluster};
use jostle_harness::cluster::{Cluster, StopMode};
use jostle_harness::fault::Fault;
use jostle_harness::net::Transport;
use jostle_harness::sample::create_order_request;
use rstest::rstest;
use tokio_stream::StreamExt;
use tonic::Code;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

const ORDERS: &str = "orders.v1.OrderService";

fn health(cluster: &Cluster, index: usize) -> HealthClient<Channel> {
    HealthClient::new(cluster.channel(index).unwrap())
}

/// The status of `service` (the same for `""`, checked here too).
async fn check(client: &mut HealthClient<Channel>, service: &str) -> ServingStatus {
    let request = HealthCheckRequest { service: service.into() };
    let answer = client.check(request).await.expect("a health check must be answered");
    answer.into_inner().status()
}

async fn both(client: &mut HealthClient<Channel>) -> ServingStatus {
    let overall = check(client, "").await;
    assert_eq!(overall, check(client, ORDERS).await, "`` and {ORDERS} must report alike");
    overall
}

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn health_is_not_serving_while_an_unavailable_status_fault_stands_and_serving_after_heal(
    #[case] transport: Transport,
) {
    let cluster = cluster(2, transport).await;
    let mut faulted = health(&cluster, 1);
    assert_eq!(both(&mut faulted).await, ServingStatus::Serving, "a healthy backend is SERVING");

    let id = cluster.inject(Fault::status(Code::Unavailable, 0.25).on(1)).unwrap();
    assert_eq!(
        both(&mut faulted).await,
        ServingStatus::NotServing,
        "an UNAVAILABLE status fault, at any probability, must make its backend NOT_SERVING"
    );
    assert_eq!(
        both(&mut health(&cluster, 0)).await,
        ServingStatus::Serving,
        "a fault on backend-1 must leave backend-0 SERVING"
    );
    cluster.heal(id);
    assert_eq!(both(&mut faulted).await, ServingStatus::Serving, "healed: SERVING again");
    let stats = cluster.backend(1).unwrap().stats();
    assert!(stats.rpcs.is_empty(), "health calls must not count as the backend's own: {stats:?}");
}

#[tokio::test]
async fn health_calls_are_answered_around_the_faults_they_report() {
    let cluster = cluster(1, Transport::InMemory).await;
    cluster.inject(Fault::status(Code::Unavailable, 1.0).on(0)).unwrap();
    cluster.inject(Fault::status(Code::Internal, 1.0).on(0)).unwrap();
    let status = client(&cluster, 0).create_order(create_order_request(0)).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "the order service must still be failed");
    assert_eq!(
        both(&mut health(&cluster, 0)).await,
        ServingStatus::NotServing,
        "the health call itself must not be failed by the status fault it reports"
    );
}

#[tokio::test]
async fn faults_other_than_refuse_and_unavailable_leave_health_serving() {
    let cluster = cluster(1, Transport::InMemory).await;
    cluster.inject(Fault::status(Code::Internal, 1.0).on(0)).unwrap();
    cluster.inject(Fault::delay(std::time::Duration::from_millis(1)).on(0)).unwrap();
    assert_eq!(
        both(&mut health(&cluster, 0)).await,
        ServingStatus::Serving,
        "only refuse and an UNAVAILABLE status make a backend NOT_SERVING"
    );
}

#[rstest]
#[case::in_memory(Transport::InMemory)]
#[case::tcp(Transport::Tcp)]
#[tokio::test]
async fn a_refusing_backend_reports_not_serving_on_a_connection_opened_before(
    #[case] transport: Transport,
) {
    let cluster = cluster(1, transport).await;
    let mut open = health(&cluster, 0);
    assert_eq!(both(&mut open).await, ServingStatus::Serving);
    let id = cluster.inject(Fault::Refuse.on(0)).unwrap();
    assert_eq!(
        both(&mut open).await,
        ServingStatus::NotServing,
        "refuse must make its backend NOT_SERVING on the connections still open"
    );
    let fresh = health(&cluster, 0).check(HealthCheckRequest::default()).await.unwrap_err();
    assert_eq!(fresh.code(), Code::Unavailable, "a refused backend cannot be asked anew");
    cluster.heal(id);
    assert_eq!(both(&mut open).await, ServingStatus::Serving, "healed: SERVING again");
}

#[tokio::test]
async fn an_unknown_health_service_is_not_found() {
    let cluster = cluster(1, Transport::InMemory).await;
    let request = HealthCheckRequest { service: "nope.v1.Nope".into() };
    let status = health(&cluster, 0).check(request).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound, "only `` and {ORDERS} are reported on");
}

#[tokio::test]
async fn health_watch_sends_each_change_and_ends_when_its_backend_stops() {
    let cluster = cluster(1, Transport::InMemory).await;
    let request = HealthCheckRequest { service: ORDERS.into() };
    let mut watch = health(&cluster, 0).watch(request).await.unwrap().into_inner();
    let mut next = async || {
        let message = watch.next().await.expect("a status").expect("not an error");
        message.status()
    };
    assert_eq!(next().await, ServingStatus::Serving, "a watch must send the status at once");
    let id = cluster.inject(Fault::status(Code::Unavailable, 1.0).on(0)).unwrap();
    assert_eq!(next().await, ServingStatus::NotServing, "a watch must send each change");
    cluster.heal(id);
    assert_eq!(next().await, ServingStatus::Serving, "a watch must send the heal");

    // A graceful stop waits for in-flight calls: an open watch must not hold it.
    cluster.backend(0).unwrap().stop(StopMode::Graceful).await.unwrap();
    assert_eq!(next().await, ServingStatus::NotServing, "a stopping backend is NOT_SERVING");
    assert!(watch.next().await.is_none(), "and its watches end");
}
