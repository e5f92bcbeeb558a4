//! The checks a scenario's `[expect]` asks for, one file each: a check's file holds its name,
//! its reader of `[expect]` keys, its judgement from the client's calls ([`Calls`]) and, where
//! the backends' counters can tell, from them ([`Counters`], `jostle serve`), and how it is
//! written back as `[expect]` TOML ([`Rule`], [`Reader`]). [`READERS`] lists them, one line
//! each, in report order. The judgements themselves are [`check`](crate::check)'s functions.
//!
//! Adding a check: a file here with its settings type implementing [`Rule`] and its
//! [`Reader`], its line in [`READERS`], and its tests.
//!
//! ```
//! use jostle_harness::expect::{READERS, SettledExpectation};
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 3\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\nsettled = { after = \"2s\" }\nno_leaks = true\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! assert_eq!(story.expect().checks(), ["accounting", "settled", "leak-free"]);
//! let settled = story.expect().get::<SettledExpectation>().unwrap();
//! assert_eq!((settled.at_least, settled.at_most), (0.5, 2.0), "the defaults");
//! // Written back, each check reads as itself.
//! assert_eq!(story.expect().toml()?, "[expect]\nsettled = { after = \"2000ms\", at_least = 0.5, at_most = 2.0 }\nno_leaks = true\n");
//! assert_eq!(READERS.len(), jostle_harness::scenario::CHECKS.len());
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

mod accounting;
mod avoidable;
mod calls;
mod codes;
mod connections;
mod convergence;
mod counters;
mod distribution;
mod fail_fast;
mod failure_rate;
mod fallback;
mod judged;
mod latency;
mod leak_free;
mod lines;
mod max_share;
mod min_failure_rate;
mod only_announced;
mod rate_window;
mod recovery;
mod registry;
mod rule;
mod served_nothing;
mod settled;
mod share;
mod share_bound;
mod table;
mod timeout;

#[cfg(test)]
mod tests;

pub use accounting::Accounting;
pub use avoidable::{AVOIDABLE_GRACE, AvoidableFailures};
pub use calls::{Calls, Origin};
pub use codes::Codes;
pub use connections::Connections;
pub use convergence::ConvergenceExpectation;
pub use counters::Counters;
pub use distribution::Distribution;
pub use fail_fast::FailFast;
pub use failure_rate::FailureRate;
pub use fallback::FallbackExpectation;
pub use judged::Judged;
pub use latency::{Latency, LatencyExpectation, LatencyOf};
pub use leak_free::NoLeaks;
pub use lines::ExpectLines;
pub use max_share::{MaxShareExpectation, MaxShares};
pub use min_failure_rate::MinFailureRate;
pub use only_announced::OnlyAnnounced;
pub use recovery::{FLOOD_WINDOW, RecoveryExpectation};
pub(crate) use registry::read;
pub use registry::{CHECKS, READERS};
pub use rule::{Asked, CLIENT_SIDE, Reader, Rule, SameRule};
pub use served_nothing::{ServedNothing, ServedNothingExpectation};
pub use settled::SettledExpectation;
pub use share::{ShareExpectation, Shares};
pub use table::Table;
pub use timeout::{TCP_LATENESS, Timeout};
