//! What a test needs, in one `use`: the cluster, faults, the order service's client and sample
//! requests, scenarios and the runner, the conformance suite, and tonic's status codes.
//!
//! ```
//! use jostle_harness::prelude::*;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), BoxError> {
//! let cluster = Cluster::builder().backends(3).start().await?;
//! let mut client = OrderServiceClient::new(cluster.channel(0)?);
//! cluster.crash(0).await?;
//! let status = client.create_order(create_order_request(1)).await.unwrap_err();
//! assert_eq!(status.code(), Code::Unavailable);
//! cluster.start(0).await?;
//! client.create_order(create_order_request(2)).await?;
//! # Ok(())
//! # }
//! ```

pub use crate::channel::{BoxChannel, BoxError, Factory, Target, boxed, boxed_with};
pub use crate::cluster::{Backend, BackendState, Cluster, StopMode};
pub use crate::conformance::{Battery, Suite, SuiteReport};
pub use crate::fault::{Backends, Fault, FaultId, Injection};
pub use crate::load::LoadSpec;
pub use crate::net::Transport;
pub use crate::proto::order_service_client::OrderServiceClient;
pub use crate::proto::{CreateOrderRequest, GetOrderRequest, WatchOrdersRequest};
pub use crate::report::RunReport;
pub use crate::sample::create_order_request;
pub use crate::scenario::{Expected, Scenario, ScenarioError};
pub use crate::wait::Within;
pub use tonic::Code;
