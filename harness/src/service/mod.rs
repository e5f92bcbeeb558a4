//! The reference order service: what every backend of a jostle cluster runs.
//!
//! Each [`Orders`] value is one backend with its own in-memory store; two backends never share
//! orders, as two replicas with local state would not. Every response names the backend that served
//! it, in the message (`served_by`) and in the [`BACKEND_HEADER`](crate::BACKEND_HEADER) header, on
//! errors too, and in the [`HOSTNAME_HEADER`](crate::HOSTNAME_HEADER) header (`hostname`, as the
//! gRPC xDS interop servers set it).
//!
//! Beside it every backend of a cluster serves [`BackendHealth`] (`grpc.health.v1.Health`,
//! its status following the backend's faults by the rule of [`serving_status`]) and
//! [`reflection`] (gRPC server reflection), outside the fault, latency and record layers.
//!
//! ```
//! use jostle_harness::proto::GetOrderRequest;
//! use jostle_harness::service::Orders;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let orders = Orders::new("backend-2");
//! let missing = orders.get(GetOrderRequest { id: "backend-2-9".into() }).await.unwrap_err();
//! assert_eq!(missing.code(), tonic::Code::NotFound);
//! assert_eq!(missing.metadata().get("x-jostle-backend").unwrap(), "backend-2");
//! assert_eq!(missing.metadata().get("hostname").unwrap(), "backend-2");
//!
//! // Served over gRPC, the same value becomes a tonic service:
//! let _server = orders.into_server();
//! # }
//! ```

mod health;
mod orders;
mod reflection;
mod store;
mod validate;

pub use health::{BackendHealth, HEALTH_SERVICES, HealthWatch, serving_status};
pub use orders::{Orders, WatchStream};
pub use reflection::reflection;
pub use validate::validate_create;
