//! Faults: what can go wrong with a backend, at the connection and at the RPC level, injected
//! now or on a timeline, for a while or until healed, with every random draw from the cluster's
//! seed and every window and hit in a [`FaultLog`].
//!
//! Connection-level faults act where connections are accepted, on both transports; RPC-level
//! faults act in the [`FaultLayer`], a server-side tower layer, so they work on any transport
//! and around any tonic service.
//!
//! # Composition order
//!
//! Several faults standing on one backend apply in one order (docs/FAULTS.md):
//! 1. At a connect: the backend down (`terminate`, `restart`, `flap`) or `refuse` refuses it;
//!    then `blackhole-connect`, `connect-delay`, `reset`, `blackhole`; a served connection
//!    gets `connection-age`.
//! 2. On open connections: `drain` and `terminate` send GOAWAY whatever stands; a reconnect
//!    meets the connect rules above.
//! 3. On a call, drawn at its arrival: `hang`, then a `status` with `before_delay`, then the
//!    `delay`s before the headers, then a `status`, then the handler with the `delay` before
//!    the first message and `stream-break` (the steps are numbered in `FaultService::call`).
//!
//! ```
//! use jostle_harness::proto::order_service_client::OrderServiceClient;
//! use jostle_harness::cluster::Cluster;
//! use jostle_harness::fault::Fault;
//! use jostle_harness::sample::create_order_request;
//! use tonic::Code;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), jostle_harness::Error> {
//! let cluster = Cluster::builder().backends(3).seed(7).start().await?;
//! let id = cluster.inject(Fault::status(Code::Unavailable, 1.0).on(1))?;
//! let mut client = OrderServiceClient::new(cluster.channel(1)?);
//! let status = client.create_order(create_order_request(0)).await.unwrap_err();
//! assert_eq!(status.code(), Code::Unavailable);
//!
//! cluster.heal(id);
//! assert!(client.create_order(create_order_request(1)).await.is_ok());
//! assert_eq!(cluster.fault_log().windows().len(), 1);
//! # Ok(())
//! # }
//! ```

pub mod behavior;
mod delay_body;
mod injection;
mod kind;
mod layer;
mod log;
mod set;
mod stream_break;
mod vocabulary;

pub use delay_body::DelayBody;
pub use injection::{Backends, Injection};
pub use kind::{Kind, Unsupported};
pub use layer::{ConnHandle, FaultLayer, FaultService};
pub use log::{FaultHit, FaultLog, FaultWindow};
pub use set::{FaultId, FaultSet};
pub use stream_break::BreakBody;
pub use vocabulary::{Delay, Fault, Invalid, MAX_TERMINATE_GRACE, Phase, TERMINATE_GRACE, Trigger};
