//! The one runner: plays a [`Scenario`](crate::scenario::Scenario), read from a file or built
//! in Rust, against its balancer under test (a built-in one, or yours through
//! [`Scenario::against`](crate::scenario::Scenario::against)), and judges it from ground truth.
//!
//! cluster up, balancer built, discovery and faults on the clock, load driven, then the call
//! log, the backends' own records and the fault log checked, and one [`RunReport`](crate::report::RunReport) made.
//! `jostle run`, the conformance battery and your tests all go through [`run_with`].
//!
//! ```
//! use jostle_harness::scenario;
//!
//! let story = scenario::load("../fixtures/article-restart.toml")?;
//! // The article's dialer: the story shows its flaw, so a failed expectation is as expected.
//! let report = story.run_blocking()?;
//! assert!(!report.passed && report.as_expected);
//! // The same story against jostle's round robin: every expectation holds.
//! let report = story.with_balancer("round_robin")?.run_blocking()?;
//! assert!(report.passed, "{report}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod blocking;
mod clients;
mod discovery;
mod dns;
mod expectations;
mod judge;
mod play;
mod reach;
mod report;
mod sent_to;
mod under_test;

pub use blocking::runtime;
pub use judge::{ServerSide, judge};
pub(crate) use play::verdicts;
pub use play::{run_with, run_with_log};
