//! The load ran as declared: no call started late because the run already had
//! [`MAX_IN_FLIGHT`](crate::load::limits::MAX_IN_FLIGHT) calls in flight (an open loop against
//! calls that hang). A run whose load was held back judged fewer calls, or later ones, than
//! its story declares: its other checks may hold on a tenth of the load, so this one fails.
//!
//! ```
//! use jostle_harness::check::{Context, load_held_back};
//!
//! let result = load_held_back(90_000, 100_000, &Context::default());
//! assert!(!result.passed);
//! assert!(result.explanation.contains("90000 calls started late"));
//! ```

use super::{CheckResult, Context};

/// The check of a load that `held` calls of started late, each waiting for one of the
/// `in_flight` calls the run may have in flight to end. It fails: a run reports it only when
/// `held` is above 0 (every other run started every call when it was due).
pub fn load_held_back(held: u64, in_flight: usize, context: &Context) -> CheckResult {
    let rule = format!(
        "every call starts when the load declares it; at most {in_flight} calls are in flight at once in a run (all clients together)"
    );
    CheckResult::new("load", rule, context)
        .measure("started late", held as f64)
        .measure("in flight at most", in_flight as f64)
        .verdict(
            held == 0,
            format!(
                "{held} calls started late: {in_flight} calls were in flight when they fell due, so the load did not run as declared and the other checks judged less than it"
            ),
        )
}
