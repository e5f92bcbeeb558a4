//! Latency: how long each backend takes to answer a call, as a model rather than a fault.
//!
//! Under tokio's paused clock an in-memory call takes no time at all, so latency percentiles
//! read 0 and a load-aware policy (least outstanding, p2c) sees every backend idle. A
//! [`BackendLatency`] gives a backend a base latency and a jitter: each call waits a whole
//! number of milliseconds drawn uniformly from `base - jitter ..= base + jitter`, in virtual
//! time, before the backend's faults and handler see it. The draws come from the cluster's seed,
//! one stream per backend, so a run replays exactly; they leave every other stream of the seed
//! (faults, load, policies) as it is. Latency is not a fault: it opens no fault window and
//! logs no fault hit. It applies on both transports, in the server's service stack.
//!
//! ```
//! use jostle_harness::cluster::{BackendLatency, Cluster};
//! use jostle_harness::proto::order_service_client::OrderServiceClient;
//! use jostle_harness::sample::create_order_request;
//! use std::time::Duration;
//! use tokio::time::Instant;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ms = Duration::from_millis;
//! let cluster = Cluster::builder()
//!     .backends(3)
//!     .seed(7)
//!     .latency(BackendLatency::new(ms(10), ms(2)))
//!     .backend_latency(2, BackendLatency::fixed(ms(30)))
//!     .start()
//!     .await?;
//! let mut slow = OrderServiceClient::new(cluster.channel(2)?);
//! let started = Instant::now();
//! slow.create_order(create_order_request(0)).await?;
//! assert_eq!(started.elapsed(), ms(30), "backend-2 answers 30 ms later, in virtual time");
//!
//! let mut fast = OrderServiceClient::new(cluster.channel(0)?);
//! let started = Instant::now();
//! fast.create_order(create_order_request(1)).await?;
//! assert!((ms(8)..=ms(12)).contains(&started.elapsed()), "10 ms, give or take 2");
//! assert!(cluster.fault_log().windows().is_empty(), "latency is not a fault");
//! # Ok(())
//! # }
//! ```

mod draws;
mod future;
mod layer;
mod model;

pub(crate) use draws::LatencyDraws;
pub use future::LatencyFuture;
pub use layer::{LatencyLayer, LatencyService};
pub use model::BackendLatency;
