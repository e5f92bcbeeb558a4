//! Faults injected into a backend's RPCs: a delay before the handler runs, or a hang until the
//! client gives up or the fault is healed.
//!
//! The [`FaultLayer`] is a server-side tower layer, so it works on any transport and can wrap any
//! tonic service. Faults are injected and healed on a backend while it runs:
//!
//! ```
//! use jostle_harness::fault::{FaultSet, RpcFault};
//! use std::time::Duration;
//!
//! let faults = FaultSet::default();
//! let slow = faults.inject(RpcFault::Delay(Duration::from_secs(5)));
//! assert_eq!(faults.active().len(), 1);
//! faults.heal(slow);
//! assert!(faults.active().is_empty());
//! ```

mod layer;
mod set;

pub use layer::{FaultLayer, FaultService};
pub use set::{FaultId, FaultSet, RpcFault};
