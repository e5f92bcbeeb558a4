use jostle_harness::fault::{ConnHandle, Fault, FaultLayer, FaultSet};
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::proto::order_service_server::{OrderService, OrderServiceServer};
use jostle_harness::proto::{
    CreateOrderRequest, CreateOrderResponse, GetOrderRequest, GetOrderResponse, OrderEvent,
    WatchOrdersRequest,
};
use jostle_harness::sample::create_order_request;
use std::sync::Arc;
use tonic::transport::{Endpoint, Server};
use tonic::{Code, Request, Response, Status};

/// A service of the user's own, nothing to do with jostle's reference service.
#[derive(Debug, Default)]
struct Mine;

#[tonic::async_trait]
impl OrderService for Mine {
    async fn create_order(
        &self,
        _: Request<CreateOrderRequest>,
    ) -> Result<Response<CreateOrderResponse>, Status> {
        Ok(Response::new(CreateOrderResponse { order: None, served_by: "mine".into() }))
    }

    async fn get_order(
        &self,
        _: Request<GetOrderRequest>,
    ) -> Result<Response<GetOrderResponse>, Status> {
        Err(Status::unimplemented("not mine"))
    }

    type WatchOrdersStream = tokio_stream::Empty<Result<OrderEvent, Status>>;

    async fn watch_orders(
        &self,
        _: Request<WatchOrdersRequest>,
    ) -> Result<Response<Self::WatchOrdersStream>, Status> {
        Ok(Response::new(tokio_stream::empty()))
    }
}

#[tokio::test]
async fn the_fault_layer_wraps_a_users_own_tonic_server() {
    let faults = Arc::new(FaultSet::new(0, "mine", 7, Arc::default()));
    let layer =
        FaultLayer::new(Arc::clone(&faults), Arc::from("mine"), false, ConnHandle::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = Server::builder()
        .layer(layer)
        .add_service(OrderServiceServer::new(Mine))
        .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener));
    let server = tokio::spawn(server);
    let channel =
        Endpoint::from_shared(format!("http://{address}")).unwrap().connect().await.unwrap();
    let mut client = OrderServiceClient::new(channel);

    let served = client.create_order(create_order_request(0)).await.unwrap();
    assert_eq!(served.get_ref().served_by, "mine", "no fault: the user's service answers");
    let id = faults.inject(Fault::status(Code::Unavailable, 1.0));
    let status = client.create_order(create_order_request(1)).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "the injected status answers instead");
    faults.heal(id);
    client.create_order(create_order_request(2)).await.expect("healed");
    server.abort();
}
