//! The standard gRPC services around `jostle serve`'s backends, asked as any client would:
//! `grpc.health.v1.Health` following faults injected with `jostle ctl`, server reflection, and
//! the `hostname` header.

use super::process::{Served, ctl, lines};
use jostle_harness::HOSTNAME_HEADER;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use tonic::Code;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

/// A runtime whose worker keeps the test's connections alive while `jostle ctl` runs.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
}

async fn channel(address: &str) -> Channel {
    let endpoint = Channel::from_shared(format!("http://{address}")).unwrap();
    endpoint.connect().await.unwrap_or_else(|e| panic!("{address} must accept a connection: {e}"))
}

/// The status of both names a backend reports on, which must agree.
async fn health(client: &mut HealthClient<Channel>) -> ServingStatus {
    let mut statuses = Vec::new();
    for service in ["", "orders.v1.OrderService"] {
        let request = HealthCheckRequest { service: service.into() };
        let answer = client.check(request).await.expect("a health check must be answered");
        statuses.push(answer.into_inner().status());
    }
    assert_eq!(statuses[0], statuses[1], "`` and orders.v1.OrderService must report alike");
    statuses[0]
}

/// `jostle ctl inject ARGS...`: the fault's id.
fn inject(served: &Served, args: &[&str]) -> String {
    let mut all = vec!["inject"];
    all.extend_from_slice(args);
    let output = ctl(served, &all);
    assert_eq!(output.status.code(), Some(0), "ctl {all:?} must inject: {output:?}");
    lines(&output.stdout)[0]["id"].as_u64().expect("inject prints the fault id").to_string()
}

fn heal(served: &Served, id: &str) {
    let output = ctl(served, &["heal", id]);
    assert_eq!(output.status.code(), Some(0), "healing fault {id} must succeed: {output:?}");
}

#[test]
fn health_is_not_serving_while_ctl_injects_an_unavailable_status_and_serving_after_heal() {
    let served = Served::start(2);
    let runtime = runtime();
    let mut faulted = HealthClient::new(runtime.block_on(channel(served.backend(1))));
    let mut other = HealthClient::new(runtime.block_on(channel(served.backend(0))));
    assert_eq!(runtime.block_on(health(&mut faulted)), ServingStatus::Serving, "healthy: SERVING");

    let args = ["status", "--on", "backend-1", "code=Unavailable", "probability=0.5"];
    let id = inject(&served, &args);
    assert_eq!(
        runtime.block_on(health(&mut faulted)),
        ServingStatus::NotServing,
        "an UNAVAILABLE status fault, at any probability, must make its backend NOT_SERVING"
    );
    assert_eq!(
        runtime.block_on(health(&mut other)),
        ServingStatus::Serving,
        "a fault on backend-1 must leave backend-0 SERVING"
    );
    heal(&served, &id);
    assert_eq!(
        runtime.block_on(health(&mut faulted)),
        ServingStatus::Serving,
        "a healed backend must be SERVING again"
    );
}

#[test]
fn a_refusing_served_backend_is_not_serving_on_open_connections_and_cannot_be_asked_anew() {
    let served = Served::start(1);
    let runtime = runtime();
    let mut open = HealthClient::new(runtime.block_on(channel(served.backend(0))));
    assert_eq!(runtime.block_on(health(&mut open)), ServingStatus::Serving);

    let id = inject(&served, &["refuse", "--on", "0"]);
    assert_eq!(
        runtime.block_on(health(&mut open)),
        ServingStatus::NotServing,
        "refuse must make its backend NOT_SERVING on the connections still open"
    );
    let address = format!("http://{}", served.backend(0));
    let fresh = runtime.block_on(Channel::from_shared(address).unwrap().connect());
    assert!(fresh.is_err(), "a refusing backend's port must refuse a new connection: {fresh:?}");
    heal(&served, &id);
    assert_eq!(runtime.block_on(health(&mut open)), ServingStatus::Serving, "healed: SERVING");
}

#[test]
fn reflection_lists_the_order_service_health_and_reflection_on_every_backend() {
    let served = Served::start(2);
    let runtime = runtime();
    for index in 0..2 {
        let names = runtime.block_on(async {
            let mut client = ServerReflectionClient::new(channel(served.backend(index)).await);
            let request = ServerReflectionRequest {
                host: String::new(),
                message_request: Some(MessageRequest::ListServices(String::new())),
            };
            let mut answers =
                client.server_reflection_info(tokio_stream::iter([request])).await.unwrap();
            let answer = answers.get_mut().message().await.unwrap().expect("one answer");
            let Some(MessageResponse::ListServicesResponse(list)) = answer.message_response else {
                panic!("list_services must be answered with a list: {answer:?}");
            };
            let mut names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
            names.sort();
            names
        });
        assert_eq!(
            names,
            [
                "grpc.health.v1.Health",
                "grpc.reflection.v1.ServerReflection",
                "orders.v1.OrderService"
            ],
            "reflection must list what backend-{index} serves"
        );
    }
}

#[test]
fn every_order_service_response_names_its_backend_in_the_hostname_header() {
    let served = Served::start(2);
    let runtime = runtime();
    let mut client = OrderServiceClient::new(runtime.block_on(channel(served.backend(1))));
    let created = runtime.block_on(client.create_order(create_order_request(1))).unwrap();
    let hostname = created.metadata().get(HOSTNAME_HEADER);
    assert_eq!(hostname.unwrap(), "backend-1", "a served call must carry `hostname`");

    inject(&served, &["status", "--on", "1", "code=Internal", "probability=1"]);
    let failed = runtime.block_on(client.create_order(create_order_request(2))).unwrap_err();
    assert_eq!(failed.code(), Code::Internal, "the injected fault must answer");
    let hostname = failed.metadata().get(HOSTNAME_HEADER);
    assert_eq!(hostname.unwrap(), "backend-1", "an injected error must carry `hostname` too");
}
