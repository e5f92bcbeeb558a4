//! The reference order service, served over gRPC by a one-backend cluster.
//!
//! Rerun: `cargo test --test service`.

use jostle_harness::BACKEND_HEADER;
use jostle_harness::cluster::Cluster;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::proto::{
    CreateOrderRequest, GetOrderRequest, LineItem, OrderStatus, WatchOrdersRequest,
};
use jostle_harness::sample::create_order_request;
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
