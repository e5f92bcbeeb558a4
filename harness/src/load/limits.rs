//! The documented limits of a load: what a run may ask for, so that every accepted load runs in
//! bounded memory and ends on time (docs/SCENARIOS.md, "Limits").
//!
//! [`LoadSpec::validate`](super::LoadSpec::validate) enforces them for every load the driver
//! runs; scenario files are checked against them at parse time, with the place in the file.
//!
//! ```
//! use jostle_harness::load::{LoadSpec, limits};
//! use std::time::Duration;
//!
//! // 100,000 calls per second for 11 s would be 1.1 million calls: refused before it starts.
//! let heavy = LoadSpec::open(limits::MAX_RATE, Duration::from_secs(11));
//! assert!(heavy.validate().unwrap_err().to_string().contains("at most 1000000 calls"));
//! ```

use std::time::Duration;

/// The most calls one load makes. The driver keeps a record of every call (about
/// [`BYTES_PER_CALL`] bytes each), so this bounds a run's memory; a load bounded by a duration
/// also stops starting calls once it reaches it.
pub const MAX_CALLS: u64 = 1_000_000;

/// What one call costs in memory, at most, while a run lasts and until its report is made: its
/// record in the call log, the id of the order it created, the order the backend stores, its
/// latency sample, its `x-jostle-call` name kept by the backend it reached (for the report's
/// failures per backend). Measured (2026-12-07, after the call names, dev build, `jostle run`,
/// maximum resident set): a 3-backend closed loop (64 in flight, mix 8:1:1) peaked at 28,784 KB
/// at 20,000 calls and 156,172 KB at 200,000 (724 bytes a call); an open loop of 1,000,000
/// calls (100,000 calls/s for 10 s) at 929,456 KB, baseline included: 951 bytes a call, rounded
/// up (docs/BENCHMARKS.md, "Memory").
pub const BYTES_PER_CALL: u64 = 1_000;

/// The highest open-loop rate, in calls started per second.
pub const MAX_RATE: f64 = 100_000.0;

/// The lowest open-loop rate, in calls started per second (one call every 1,000 s).
pub const MIN_RATE: f64 = 0.001;

/// The most calls a closed loop keeps in flight.
pub const MAX_CONCURRENCY: usize = 10_000;

/// The longest duration anywhere in a load or a scenario: a load's duration or deadline, a
/// warm-up, a fault's time, a backoff.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

/// [`MAX_DURATION`] as a scenario file writes it.
pub const MAX_DURATION_TEXT: &str = "24h";

/// The most calls in flight at once in one run, over all its clients. A closed loop's
/// `concurrency` × `clients` is checked against it when a scenario is read; an open loop starts
/// a call that falls due while this many are in flight (calls that hang) only when one ends,
/// and the run's report then says that its load did not run as declared.
pub const MAX_IN_FLIGHT: usize = 100_000;

/// The most connections one run may open at once: `clients` × `backends` (each client's
/// balancer may connect to every backend), checked when a scenario is read. A connection costs
/// about [`BYTES_PER_CONNECTION`] bytes (both ends: jostle's backends are in the same process).
pub const MAX_CONNECTIONS: usize = 10_000;

/// What one open connection costs in memory, client and backend end together, rounded up.
/// Measured (2026-12-07, dev build, TCP, 50 backends, one call per client): 43,852 KB resident
/// with 10 clients (500 connections), 342,256 KB with 100 (5,000): 68 KB a connection
/// (docs/BENCHMARKS.md, "Memory").
pub const BYTES_PER_CONNECTION: u64 = 70_000;

/// The most DNS queries of a `via = "dns"` run its report keeps, the first ones; past them it
/// only counts them (`dns_queries_dropped`): a long load with a short TTL over many backends
/// would otherwise keep every answer.
pub const MAX_DNS_QUERIES: usize = 1_000;

/// The most clients a scenario runs at once (`[load] clients`), each with its own balancer and
/// connections; their calls together stay within [`MAX_CALLS`].
pub const MAX_CLIENTS: usize = 1_000;

/// The heaviest weight of one method in a mix.
pub const MAX_WEIGHT: u32 = 1_000_000;

/// How long, at most, a closed loop bounded by a duration takes for one call that takes no
/// time (under the paused clock): the driver pauses this long after it, so such a load makes
/// at most `concurrency × duration / CLOSED_LOOP_STEP` calls.
pub const CLOSED_LOOP_STEP: Duration = Duration::from_millis(1);
