//! jostle-harness: chaos-test gRPC client-side load balancing, in process, from ground truth.
//!
//! - [`proto`], [`service`]: the reference order service every backend runs, generated from
//!   `proto/orders.proto`;
//! - [`dial`]: the article's two dialers, specimens of what the harness must catch;
//! - [`cluster`]: N order-service backends, in memory or on 127.0.0.1, that stop and restart;
//! - `control`: the control API of `jostle serve`, over a cluster (feature `serve`);
//! - [`net`]: the two transports and the connector clients dial them with;
//! - [`record`]: what each backend records about itself;
//! - [`fault`]: faults injected into backends, on a seeded timeline;
//! - [`channel`]: any balancer under test as one channel type;
//! - [`load`]: the load driver and the client's record of every call;
//! - [`sample`]: deterministic sample requests;
//! - [`scenario`]: failure stories as TOML files, parsed and checked, against any balancer;
//! - [`check`]: the checks, each a structured result;
//! - [`conformance`]: the standard battery against any balancer;
//! - [`runner`]: the one runner every story goes through;
//! - [`wait`]: waits in tests that give up, naming what they waited for;
//! - [`prelude`]: what a test needs, in one `use`.
//!
//! ```
//! use jostle_harness::cluster::Cluster;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), jostle_harness::Error> {
//! let cluster = Cluster::builder().backends(3).seed(7).start().await?;
//! assert_eq!(cluster.len(), 3);
//! assert_eq!(cluster.backend(2)?.name(), "backend-2");
//! # Ok(())
//! # }
//! ```

pub mod calls;
pub mod channel;
pub mod check;
pub mod cluster;
pub mod conformance;
#[cfg(feature = "serve")]
pub mod control;
pub mod dial;
mod error;
pub mod expect;
pub mod explore;
pub mod fault;
pub mod load;
pub mod net;
pub mod prelude;
pub mod proto;
pub mod record;
pub mod report;
pub mod runner;
pub mod sample;
pub mod scenario;
#[cfg(feature = "serve")]
pub mod serve;
pub mod service;
pub mod tonic_balance;
pub mod wait;

pub use error::{Error, Result, error_chain};

/// The response header in which every backend names itself, on success and on error.
pub const BACKEND_HEADER: &str = "x-jostle-backend";

/// The request header in which jostle's load driver names each call, `<load seed>-<index>`
/// (the seed of the client's load, then the call's number in it, from 0): a backend keeps the
/// names of the calls that reached it, so that a call the client gave up on (no answer, so no
/// [`BACKEND_HEADER`]) is still attributed to the backend it was sent to.
pub const CALL_HEADER: &str = "x-jostle-call";

/// The response header that also names the backend, on every order-service response, success
/// and error: the header the gRPC xDS interop servers set, for clients and tools that read it.
pub const HOSTNAME_HEADER: &str = "hostname";
