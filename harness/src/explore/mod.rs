//! Explore: search fault schedules for failures nobody wrote down, and shrink each to a
//! minimal scenario file that replays it (docs/EXPLORE.md).
//!
//! From each seed of a range, a [`Schedule`] is drawn within a declared [`Space`] (backends,
//! fault kinds and how many, their targets and windows, FoundationDB's swizzle, discovery
//! changes, rate), played through the one runner under the paused clock, and judged by
//! invariants that hold for every correct balancer under any schedule ([`INVARIANTS`]:
//! accounting, no call past its deadline, leak-free, no avoidable failure, settled once all
//! is quiet). The first schedule to break each invariant is shrunk while the same invariant
//! still fails, and written as a story of that flaw; the seeds of the others are kept. A seed
//! range splits into [`Shard`]s that run anywhere, and [`merge`] joins their [`Summary`]s
//! into what one process over the whole range finds.
//!
//! ```
//! use jostle_harness::explore::{Explorer, Space};
//!
//! // The article's round-robin dialer balances connections, not calls: once all is quiet,
//! // one backend serves everything. Found on the first schedule, shrunk to no fault at all.
//! let found = Explorer::new(Space::default()).balancer("round_robin_dialer")?.seeds(0..1).run_blocking()?;
//! let finding = found.findings.iter().find(|f| f.invariant == "settled").expect("found");
//! assert!(finding.shrunk.faults + finding.shrunk.changes <= 2, "{finding:?}");
//! // The file replays it: a story of the flaw, as `jostle run` plays it.
//! let report = jostle_harness::scenario::parse(&finding.file, "found.toml")?.run_blocking()?;
//! assert!(!report.passed && report.as_expected, "{report}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod explorer;
mod fault_spec;
mod finding;
mod generate;
mod invariants;
mod merge;
mod schedule;
mod shape;
mod shard;
mod shrink;
mod shrinking;
mod space;
mod space_flags;
mod summary;

pub use explorer::{Exploration, Explorer, SEEDS_KEPT, SHRINK_RUNS};
pub use finding::{Broken, Finding, Size};
pub use invariants::{BACKOFF, INVARIANTS, Recovery, grace, longest_wait};
pub use merge::merge;
pub use schedule::{Event, FaultSpec, Schedule, WARM_UP};
pub use shape::{Latency, MAX_TTL_KEPT, Methods, Via};
pub use shard::{MAX_SHARDS, Shard};
pub use space::{
    CLOSED_LATENCY, CONCURRENCIES, DEADLINES, DURATIONS, KINDS, LOOPS, MAX_BACKENDS, MAX_CLIENTS,
    MAX_EVENTS, METHODS, MIN_TTLS, RATES, Space, TTLS, VIAS,
};
pub use summary::{FindingSummary, SHARD_SUMMARY, Summary};
