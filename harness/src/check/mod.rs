//! Checks: each returns a structured [`CheckResult`] (name, pass or fail, measured numbers,
//! explanation) that prints the rule it enforces, the per-backend histogram, the seed and the
//! command that replays the run.
//!
//! A check's judgement is written once, in its own file, over its evidence. Where the
//! backends' counters can be that evidence, the file has a second entry point over it (`share`
//! and `share_of`, `max_share` and `max_share_of`, `convergence` and `convergence_of`,
//! `settled` and `settled_of` over [`Served`]; `only_announced` and `only_announced_of` over
//! [`Strays`]): the client-side entry counts the evidence from the calls and calls the other,
//! and `jostle serve`'s judge calls the other with what the counters read.
//!
//! A check's name, its reader of `[expect]` keys, which of these entry points it calls over
//! which evidence, and how it is written back as TOML live in its file of
//! [`expect`](crate::expect): adding a check is its judgement here and its rule there.
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
mod failure_rate;
mod fallback;
pub mod flood;
mod known_down;
mod latency;
mod leak;
mod load;
mod max_share;
mod result;
pub mod served;
mod served_nothing;
mod settled;
pub mod stats;
mod timeout;

pub use accounting::{accounting, late_completions};
pub use announced::{Strays, only_announced, only_announced_of};
pub use avoidable::avoidable_failures;
pub use back::Back;
pub use codes::codes;
pub use convergence::{convergence, convergence_of};
pub use fail_fast::fail_fast;
pub use failure_rate::{failure_rate, failure_rate_in, min_failure_rate};
pub use fallback::{fallback, recovery, share, share_of};
pub use known_down::KnownDown;
pub use latency::{latency, latency_of_all};
pub use leak::{Baseline, connections, leak_free, max_connections};
pub use load::load_held_back;
pub use max_share::{max_share, max_share_of};
pub use result::{CheckResult, Context, number};
pub use served::Served;
pub use served_nothing::served_nothing;
pub use settled::{FALSE_ALARM, settled, settled_of};
pub use timeout::timeout;

/// Why a check over zero calls fails: it measured nothing, so it proved nothing.
pub(crate) const NO_CALLS: &str = "no call to measure: a check over zero calls proves nothing";
