//! A [`Cluster`] of order-service backends, in process, on either transport.
//!
//! Each [`Backend`] has a stable id, name and address, records its own ground truth
//! ([`StatsSnapshot`](crate::record::StatsSnapshot)), and can be stopped abruptly (every
//! connection reset at once), stopped gracefully (GOAWAY, in-flight calls finish) and started
//! again on the same address. Dropping the cluster, also while a test panics, resets every
//! connection and ends every task it started.
//!
//! ```
//! use jostle_harness::proto::{order_service_client::OrderServiceClient, GetOrderRequest};
//! use jostle_harness::cluster::{Cluster, StopMode};
//! use jostle_harness::net::Transport;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let cluster = Cluster::builder().backends(3).transport(Transport::InMemory).start().await?;
//! let mut client = OrderServiceClient::new(cluster.channel(1)?);
//! let status = client.get_order(GetOrderRequest { id: "nope".into() }).await.unwrap_err();
//! assert_eq!(status.code(), tonic::Code::NotFound);
//! assert_eq!(cluster.backend(1)?.stats().finished("GetOrder", tonic::Code::NotFound), 1);
//!
//! cluster.backend(1)?.stop(StopMode::Abrupt).await?;
//! // The call sent as the connection is reset fails as over TCP; the next finds nothing there.
//! client.get_order(GetOrderRequest { id: "nope".into() }).await.unwrap_err();
//! let status = client.get_order(GetOrderRequest { id: "nope".into() }).await.unwrap_err();
//! assert_eq!(status.code(), tonic::Code::Unavailable);
//! # Ok(())
//! # }
//! ```

mod backend;
mod builder;
mod handle;
mod latency;
mod listener;
mod port_hold;
pub(crate) mod run;
mod service;
mod standard;
mod timeline;

pub(crate) use backend::backend_name;
pub use backend::{Backend, BackendState, StopMode};
pub use builder::{ClusterBuilder, MAX_BACKENDS};
pub use handle::Cluster;
pub use latency::{BackendLatency, LatencyFuture, LatencyLayer, LatencyService};
pub use service::ServiceFactory;
