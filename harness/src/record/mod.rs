//! Ground truth, recorded by each backend itself: connections accepted and open, RPCs started and
//! finished by method and status code.
//!
//! The [`RecordLayer`] sits outermost on every backend's server, so it counts every call that
//! reaches the backend, including those a fault delays, fails or hangs.
//!
//! ```
//! use jostle_harness::record::BackendStats;
//!
//! let stats = BackendStats::default();
//! stats.rpc_started("CreateOrder");
//! stats.rpc_finished("CreateOrder", tonic::Code::Ok);
//! let snapshot = stats.snapshot();
//! assert_eq!(snapshot.ok("CreateOrder"), 1);
//! assert_eq!(snapshot.in_flight(), 0);
//! ```

mod body;
mod failure;
mod layer;
mod seen;
mod stats;

pub use body::RecordBody;
pub use failure::ListenerFailure;
pub use layer::{RecordFuture, RecordLayer, RecordService};
pub use seen::{Arrivals, CallsSeen, MAX_CALLS_SEEN, SeenCall};
pub use stats::{BackendStats, MethodStats, StatsSnapshot, connections_opened};
