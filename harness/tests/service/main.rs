//! The reference order service, served over gRPC by a one-backend cluster.
//!
//! Rerun: `cargo test --test harness service::`.

use jostle_harness::cluster::Cluster;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::proto::{
    CreateOrderRequest, GetOrderRequest, LineItem, OrderStatus, WatchOrdersRequest,
};
use jostle_harness::sample::create_order_request;
use jostle_harness::{BACKEND_HEADER, HOSTNAME_HEADER};
use prost::Message as _;
use rstest::rstest;
use tonic::Code;
use tonic::transport::Channel;

async fn client() -> (Cluster, OrderServiceClient<Channel>) {
    let cluster = Cluster::builder().backends(2).start().await.unwrap();
    let client = OrderServiceClient::new(cluster.channel(1).unwrap());
    (cluster, client)
}

#[tokio::test]
async fn created_orders_read_back_and_name_their_backend_in_message_and_header() {
    let (_cluster, mut client) = client().await;
    let created = client.create_order(create_order_request(5)).await.unwrap();
    assert_eq!(created.metadata().get(BACKEND_HEADER).unwrap(), "backend-1");
    let hostname = created.metadata().get(HOSTNAME_HEADER);
    assert_eq!(hostname.unwrap(), "backend-1", "every response names its backend in `hostname`");
    let order = created.into_inner().order.unwrap();
    assert_eq!(order.id, "backend-1-1", "ids are the backend's name and a sequence number");
    assert_eq!(order.status, OrderStatus::Pending as i32);
    assert!(order.created_at.is_some() && order.updated_at.is_some());

    let read = client.get_order(GetOrderRequest { id: order.id.clone() }).await.unwrap();
    assert_eq!(read.metadata().get(BACKEND_HEADER).unwrap(), "backend-1");
    let read = read.into_inner();
    assert_eq!(read.served_by, "backend-1");
    assert_eq!(read.order.unwrap(), order);
}

#[tokio::test]
async fn an_unknown_order_is_not_found_and_still_names_the_backend() {
    let (_cluster, mut client) = client().await;
    let status = client.get_order(GetOrderRequest { id: "backend-1-77".into() }).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(status.message(), "order backend-1-77 not found on backend-1");
    assert_eq!(status.metadata().get(BACKEND_HEADER).unwrap(), "backend-1");
    let hostname = status.metadata().get(HOSTNAME_HEADER);
    assert_eq!(hostname.unwrap(), "backend-1", "errors name their backend in `hostname` too");
}

fn item(quantity: u32, unit_price_minor: i64) -> LineItem {
    LineItem { sku: "SKU-1".into(), quantity, unit_price_minor }
}

#[rstest]
#[case::no_customer(CreateOrderRequest { customer_id: String::new(), ..create_order_request(0) }, "customer_id")]
#[case::no_items(CreateOrderRequest { items: vec![], ..create_order_request(0) }, "items")]
#[case::negative_amount(CreateOrderRequest { amount_minor: -1, ..create_order_request(0) }, "amount_minor")]
#[case::zero_quantity(CreateOrderRequest { items: vec![item(1, 5), item(0, 5)], ..create_order_request(0) }, "items[1].quantity")]
#[case::negative_price(CreateOrderRequest { items: vec![item(1, -5)], ..create_order_request(0) }, "items[0].unit_price_minor")]
#[tokio::test]
async fn an_invalid_order_is_invalid_argument_naming_the_field(
    #[case] request: CreateOrderRequest,
    #[case] field: &str,
) {
    let (cluster, mut client) = client().await;
    let status = client.create_order(request).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().starts_with(&format!("{field}: ")),
        "the message must name `{field}`, got {:?}",
        status.message()
    );
    let stats = cluster.backend(1).unwrap().stats();
    assert_eq!(stats.finished("CreateOrder", Code::InvalidArgument), 1, "the backend counts it");
}

#[tokio::test]
async fn watch_streams_held_orders_then_new_ones_for_one_customer_up_to_the_limit() {
    let (cluster, mut client) = client().await;
    let alice = |n| CreateOrderRequest { customer_id: "alice".into(), ..create_order_request(n) };
    let bob = |n| CreateOrderRequest { customer_id: "bob".into(), ..create_order_request(n) };
    client.create_order(alice(0)).await.unwrap();
    client.create_order(bob(1)).await.unwrap();

    let request = WatchOrdersRequest { customer_id: "alice".into(), limit: 3, follow: true };
    let response = client.watch_orders(request).await.unwrap();
    assert_eq!(response.metadata().get(BACKEND_HEADER).unwrap(), "backend-1");
    let mut stream = response.into_inner();
    let held = stream.message().await.unwrap().unwrap();
    assert_eq!((held.sequence, held.order.unwrap().id.as_str()), (1, "backend-1-1"));

    client.create_order(bob(2)).await.unwrap();
    client.create_order(alice(3)).await.unwrap();
    client.create_order(alice(4)).await.unwrap();
    let second = stream.message().await.unwrap().unwrap();
    let third = stream.message().await.unwrap().unwrap();
    assert_eq!((second.sequence, second.order.unwrap().id.as_str()), (2, "backend-1-4"));
    assert_eq!((third.sequence, third.order.unwrap().id.as_str()), (3, "backend-1-5"));
    assert_eq!(third.served_by, "backend-1");
    assert!(stream.message().await.unwrap().is_none(), "the stream ends at its limit");

    let stats = cluster.backend(1).unwrap().stats();
    assert_eq!(stats.ok("WatchOrders"), 1, "a finished stream counts once, OK");
}

#[tokio::test]
async fn watch_without_follow_ends_after_the_held_orders() {
    let (_cluster, mut client) = client().await;
    for call in 0..2 {
        client.create_order(create_order_request(call)).await.unwrap();
    }
    let request = WatchOrdersRequest { customer_id: String::new(), limit: 0, follow: false };
    let mut stream = client.watch_orders(request).await.unwrap().into_inner();
    assert!(stream.message().await.unwrap().is_some());
    assert!(stream.message().await.unwrap().is_some());
    assert!(stream.message().await.unwrap().is_none(), "no follow: the stream ends");
}

#[tokio::test]
async fn each_backend_keeps_its_own_orders() {
    let cluster = Cluster::builder().backends(2).start().await.unwrap();
    let mut first = OrderServiceClient::new(cluster.channel(0).unwrap());
    let mut second = OrderServiceClient::new(cluster.channel(1).unwrap());
    let order = first.create_order(create_order_request(0)).await.unwrap().into_inner();
    let id = order.order.unwrap().id;
    let status = second.get_order(GetOrderRequest { id }).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound, "replicas do not share state");
}

/// `async fn $name(channel) -> Vec<String>`: the services a backend lists over server
/// reflection version `$version` (`v1`, `v1alpha`: the same messages in two packages), sorted.
macro_rules! reflected {
    ($name:ident, $version:ident) => {
        async fn $name(channel: Channel) -> Vec<String> {
            use tonic_reflection::pb::$version::ServerReflectionRequest;
            use tonic_reflection::pb::$version::server_reflection_client::ServerReflectionClient;
            use tonic_reflection::pb::$version::server_reflection_request::MessageRequest;
            use tonic_reflection::pb::$version::server_reflection_response::MessageResponse;
            let request = ServerReflectionRequest {
                host: String::new(),
                message_request: Some(MessageRequest::ListServices(String::new())),
            };
            let mut client = ServerReflectionClient::new(channel);
            let mut answers =
                client.server_reflection_info(tokio_stream::iter([request])).await.unwrap();
            let answer = answers.get_mut().message().await.unwrap().expect("one answer");
            let Some(MessageResponse::ListServicesResponse(list)) = answer.message_response else {
                panic!("list_services must be answered with a list: {answer:?}");
            };
            let mut names: Vec<String> =
                list.service.into_iter().map(|service| service.name).collect();
            names.sort();
            names
        }
    };
}

reflected!(reflected_v1, v1);
reflected!(reflected_v1alpha, v1alpha);

#[tokio::test]
async fn every_backend_lists_its_services_over_both_versions_of_server_reflection() {
    let (cluster, _client) = client().await;
    let expected =
        ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "orders.v1.OrderService"];
    for index in 0..cluster.len() {
        let listed = reflected_v1(cluster.channel(index).unwrap()).await;
        assert_eq!(listed, expected, "reflection v1 must list what backend-{index} serves");
    }
    let listed = reflected_v1alpha(cluster.channel(0).unwrap()).await;
    assert_eq!(
        listed,
        [
            "grpc.health.v1.Health",
            "grpc.reflection.v1alpha.ServerReflection",
            "orders.v1.OrderService"
        ],
        "reflection v1alpha (what older tools ask) must list the same services"
    );
    let stats = cluster.backend(0).unwrap().stats();
    assert!(
        stats.rpcs.is_empty(),
        "reflection calls must not count as the backend's own: {stats:?}"
    );
}

/// One reflection `v1` question to backend 1 of `cluster`: the files of the answer.
async fn reflected_files(
    cluster: &Cluster,
    question: tonic_reflection::pb::v1::server_reflection_request::MessageRequest,
) -> Vec<prost_types::FileDescriptorProto> {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    let request = ServerReflectionRequest { host: String::new(), message_request: Some(question) };
    let mut client = ServerReflectionClient::new(cluster.channel(1).unwrap());
    let mut answers = client.server_reflection_info(tokio_stream::iter([request])).await.unwrap();
    let answer = answers.get_mut().message().await.unwrap().expect("one answer");
    let Some(MessageResponse::FileDescriptorResponse(files)) = answer.message_response else {
        panic!("a file question must be answered with files: {answer:?}");
    };
    files
        .file_descriptor_proto
        .iter()
        .map(|bytes| prost_types::FileDescriptorProto::decode(bytes.as_slice()).unwrap())
        .collect()
}

#[tokio::test]
async fn reflection_gives_the_order_service_file_and_each_file_it_imports() {
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    let (cluster, _client) = client().await;
    let symbol = MessageRequest::FileContainingSymbol("orders.v1.OrderService".into());
    let files = reflected_files(&cluster, symbol).await;
    let names: Vec<&str> = files.iter().map(|file| file.name()).collect();
    assert_eq!(names, ["orders.proto"], "the file declaring orders.v1.OrderService must be given");
    for import in &files[0].dependency {
        let by_name =
            reflected_files(&cluster, MessageRequest::FileByFilename(import.clone())).await;
        assert_eq!(
            by_name[0].name(),
            import,
            "each import of orders.proto must be given by name, for a tool to decode its messages"
        );
    }
    assert!(!files[0].dependency.is_empty(), "orders.proto imports timestamp.proto");
}

#[tokio::test]
async fn a_watch_reads_the_orders_held_when_it_began_one_at_a_time_never_a_later_one() {
    use jostle_harness::service::Orders;
    use tokio_stream::StreamExt;
    let orders = Orders::new("backend-0");
    for n in 0..12 {
        orders.create(create_order_request(n)).await.unwrap();
    }
    let request = WatchOrdersRequest { customer_id: String::new(), limit: 0, follow: false };
    let mut watch = orders.watch(request);
    let first = watch.next().await.unwrap().unwrap();
    // Created after the watch began: not one of the held orders, even if its id sorts among them.
    orders.create(create_order_request(99)).await.unwrap();
    let mut ids = vec![first.order.unwrap().id];
    while let Some(event) = watch.next().await {
        ids.push(event.unwrap().order.unwrap().id);
    }
    let mut expected: Vec<String> = (1..=12).map(|n| format!("backend-0-{n}")).collect();
    expected.sort();
    assert_eq!(ids, expected, "a watch without follow gives the orders held when it began");
}

#[tokio::test]
async fn a_watch_costs_what_it_reads_not_the_size_of_the_store() {
    use jostle_harness::service::Orders;
    use tokio_stream::StreamExt;
    let orders = Orders::new("backend-0");
    for n in 0..10_000 {
        orders.create(create_order_request(n)).await.unwrap();
    }
    // A bound on the work, not a timing claim: copying the store on each of 10,000 watches
    // (100 million orders) took minutes; reading one order each takes milliseconds.
    let started = std::time::Instant::now();
    for _ in 0..10_000 {
        let request = WatchOrdersRequest { customer_id: String::new(), limit: 1, follow: false };
        let mut watch = orders.watch(request);
        assert!(watch.next().await.is_some(), "a held order");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "10,000 watches of one order each over 10,000 held must not copy the store each time: \
         took {:?}",
        started.elapsed()
    );
}
