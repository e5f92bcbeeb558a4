//! [`Orders`]: one backend of the reference order service.

use super::store::Store;
use super::validate::validate_create;
use crate::proto::order_service_server::{OrderService, OrderServiceServer};
use crate::proto::{
    CreateOrderRequest, CreateOrderResponse, GetOrderRequest, GetOrderResponse, Order, OrderEvent,
    WatchOrdersRequest,
};
use crate::{BACKEND_HEADER, HOSTNAME_HEADER};
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::{Stream, StreamExt};
use tonic::metadata::MetadataValue;
use tonic::{Request, Response, Status};

/// The stream a `WatchOrders` call answers with.
pub type WatchStream = Pin<Box<dyn Stream<Item = Result<OrderEvent, Status>> + Send + 'static>>;

/// One backend of the reference order service: a name and an in-memory store of its own.
///
/// Cloning shares the store (a clone is the same backend). A restarted backend is a new `Orders`:
/// its orders are gone, as a replica's local state would be.
#[derive(Debug, Clone)]
pub struct Orders {
    name: Arc<str>,
    store: Arc<Store>,
}

impl Orders {
    /// A backend called `name`, with an empty store.
    pub fn new(name: impl Into<Arc<str>>) -> Self {
        Self { name: name.into(), store: Arc::new(Store::new()) }
    }

    /// The name this backend reports in `served_by` and in the backend header.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// This backend as a tonic service, ready for `Server::add_service`.
    pub fn into_server(self) -> OrderServiceServer<Self> {
        OrderServiceServer::new(self)
    }

    /// Creates a pending order; `INVALID_ARGUMENT` names the field that is wrong.
    pub async fn create(&self, request: CreateOrderRequest) -> Result<CreateOrderResponse, Status> {
        validate_create(&request).map_err(|status| self.tag(status))?;
        let now = prost_types::Timestamp::from(SystemTime::now());
        let order = Order {
            id: String::new(),
            customer_id: request.customer_id,
            items: request.items,
            amount_minor: request.amount_minor,
            currency: request.currency,
            status: 0,
            created_at: Some(now),
            updated_at: Some(now),
        };
        let order = self.store.insert(&self.name, order);
        Ok(CreateOrderResponse { order: Some(order), served_by: self.name.to_string() })
    }

    /// Reads an order; `NOT_FOUND` when this backend does not hold it.
    pub async fn get(&self, request: GetOrderRequest) -> Result<GetOrderResponse, Status> {
        if request.id.trim().is_empty() {
            return Err(self.tag(Status::invalid_argument("id: must not be empty")));
        }
        match self.store.get(&request.id) {
            Some(order) => {
                Ok(GetOrderResponse { order: Some(order), served_by: self.name.to_string() })
            }
            None => Err(self.tag(Status::not_found(format!(
                "order {} not found on {}",
                request.id, self.name
            )))),
        }
    }

    /// The orders held now and, with `follow`, every order created from now on; filtered by
    /// customer and ended after `limit` events when `limit` is not 0.
    pub fn watch(&self, request: WatchOrdersRequest) -> WatchStream {
        let (upto, created) = self.store.subscribe();
        let store = Arc::clone(&self.store);
        let mut cursor: Option<String> = None;
        // The orders held at the subscription, read one at a time as the stream is polled.
        let held = std::iter::from_fn(move || {
            let order = store.held_after(cursor.as_deref(), upto)?;
            cursor = Some(order.id.clone());
            Some(order)
        });
        let customer = request.customer_id;
        let served_by = self.name.to_string();
        let mut sequence = 0_u64;
        let live = BroadcastStream::new(created).map(|next| {
            next.map_err(|BroadcastStreamRecvError::Lagged(missed)| {
                Status::resource_exhausted(format!("watcher fell behind by {missed} orders"))
            })
        });
        let live: Pin<Box<dyn Stream<Item = Result<Order, Status>> + Send>> =
            if request.follow { Box::pin(live) } else { Box::pin(tokio_stream::empty()) };
        let events = tokio_stream::iter(held.map(Ok))
            .chain(live)
            .filter(move |order| match order {
                Ok(order) => customer.is_empty() || order.customer_id == customer,
                Err(_) => true,
            })
            .map(move |order| {
                sequence += 1;
                order.map(|order| OrderEvent {
                    sequence,
                    order: Some(order),
                    served_by: served_by.clone(),
                })
            });
        match request.limit {
            0 => Box::pin(events),
            limit => Box::pin(events.take(limit as usize)),
        }
    }

    fn header(&self) -> Option<MetadataValue<tonic::metadata::Ascii>> {
        MetadataValue::try_from(&*self.name).ok()
    }

    /// Names this backend on an error, as on every response (both headers).
    fn tag(&self, mut status: Status) -> Status {
        if let Some(value) = self.header() {
            status.metadata_mut().insert(HOSTNAME_HEADER, value.clone());
            status.metadata_mut().insert(BACKEND_HEADER, value);
        }
        status
    }

    fn respond<T>(&self, message: T) -> Response<T> {
        let mut response = Response::new(message);
        if let Some(value) = self.header() {
            response.metadata_mut().insert(HOSTNAME_HEADER, value.clone());
            response.metadata_mut().insert(BACKEND_HEADER, value);
        }
        response
    }
}

#[tonic::async_trait]
impl OrderService for Orders {
    async fn create_order(
        &self,
        request: Request<CreateOrderRequest>,
    ) -> Result<Response<CreateOrderResponse>, Status> {
        self.create(request.into_inner()).await.map(|message| self.respond(message))
    }

    async fn get_order(
        &self,
        request: Request<GetOrderRequest>,
    ) -> Result<Response<GetOrderResponse>, Status> {
        self.get(request.into_inner()).await.map(|message| self.respond(message))
    }

    type WatchOrdersStream = WatchStream;

    async fn watch_orders(
        &self,
        request: Request<WatchOrdersRequest>,
    ) -> Result<Response<Self::WatchOrdersStream>, Status> {
        Ok(self.respond(self.watch(request.into_inner())))
    }
}
