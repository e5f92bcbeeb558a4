//! jostle: client-side gRPC load balancing for tonic, and the reference order service that
//! jostle's harness (`jostle-harness`) chaos-tests balancers against.
//!
//! This crate is what a service ships:
//! - [`proto`]: the generated `orders.v1` types, client and server;
//! - [`service`]: the reference order service, one in-memory store per backend, which names the
//!   backend that served each call in the message and in the [`BACKEND_HEADER`] response header;
//! - [`dial`]: connectors for tonic's `Endpoint::connect_with_connector`, among them the article's
//!   round-robin and fallback dialers, kept faithfully as specimens of what the harness must
//!   catch;
//! - [`balance`]: client-side balancing: the [`Balancer`](balance::Balancer) trait, policies,
//!   and [`BalancedChannel`](balance::BalancedChannel);
//! - [`discover`]: where endpoints come from: a list, a stream of changes, DNS.
//!
//! ```
//! use jostle::proto::{CreateOrderRequest, LineItem};
//! use jostle::service::Orders;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), tonic::Status> {
//! let orders = Orders::new("backend-0");
//! let created = orders
//!     .create(CreateOrderRequest {
//!         customer_id: "alice".into(),
//!         items: vec![LineItem { sku: "SKU-1".into(), quantity: 2, unit_price_minor: 450 }],
//!         amount_minor: 900,
//!         currency: "EUR".into(),
//!     })
//!     .await?;
//! assert_eq!(created.served_by, "backend-0");
//! # Ok(())
//! # }
//! ```

pub mod balance;
pub mod dial;
pub mod discover;
pub mod grpc;
pub mod proto;
pub mod service;

/// The response header in which every backend names itself, on success and on error.
pub const BACKEND_HEADER: &str = "x-jostle-backend";
