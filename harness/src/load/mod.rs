//! The load driver: closed loop (fixed concurrency) or open loop (fixed rate), for N calls or a
//! duration, a mix of methods including streaming, a deadline per call, every choice seeded.
//! Every call is recorded at the client ([`CallLog`]); a [`Progress`] handle shows how far a
//! running load is.
//!
//! ```
//! use jostle_harness::channel::boxed;
//! use jostle_harness::cluster::Cluster;
//! use jostle_harness::load::{LoadSpec, drive};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), jostle_harness::Error> {
//! let cluster = Cluster::builder().backends(1).start().await?;
//! let log = drive(boxed(cluster.channel(0)?), &LoadSpec::closed(4, 100)).await?;
//! assert_eq!(log.calls.len(), 100);
//! assert_eq!(log.ok(), 100);
//! # Ok(())
//! # }
//! ```

mod calls;
mod driver;
pub mod limits;
mod progress;
mod spec;

pub use calls::{CallLog, CallOutcome, CallRecord, Method};
pub(crate) use driver::drive_within;
pub use driver::{drive, drive_with};
pub use progress::Progress;
pub use spec::{LoadSpec, Mix, Pace, Until};
