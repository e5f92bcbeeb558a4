//! Checks: each returns a structured [`CheckResult`] (name, pass or fail, measured numbers,
//! explanation) that prints the rule it enforces, the per-backend histogram, the seed and the
//! command that replays the run.
//!
//! ```
//! use jostle_harness::check::{Context, timeout};
//! use jostle_harness::load::CallLog;
//! use std::time::Duration;
//!
//! // A check over zero calls measured nothing: it fails, and says so.
//! let result = timeout(&CallLog::default(), Duration::from_secs(1), Duration::from_millis(5), &Context::default());
//! assert!(!result.passed);
//! assert!(result.explanation.contains("zero calls"));
//! ```

mod accounting;
mod announced;
mod avoidable;
mod back;
mod codes;
mod convergence;
pub mod distribution;
mod fail_fast;
mod fallback;
pub mod flood;
mod latency;
mod leak;
mod load;
mod max_share;
mod result;
mod settled;
pub mod stats;
mod timeout;

pub use accounting::{accounting, late_completions};
pub use announced::only_announced;
pub use avoidable::avoidable_failures;
pub use back::Back;
pub use codes::codes;
pub use convergence::convergence;
pub use fail_fast::fail_fast;
#[cfg(feature = "serve")]
pub(crate) use fallback::percent;
pub use fallback::{failure_rate, fallback, recovery, share};
pub use latency::latency;
pub use leak::{Baseline, connections, leak_free, max_connections};
pub use load::load_held_back;
pub use max_share::max_share;
pub use result::{CheckResult, Context, number};
pub use settled::{FALSE_ALARM, settled};
pub use timeout::timeout;

/// Why a check over zero calls fails: it measured nothing, so it proved nothing.
pub(crate) const NO_CALLS: &str = "no call to measure: a check over zero calls proves nothing";
