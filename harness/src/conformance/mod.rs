//! The conformance suite: one call runs the standard battery ([`Scenario::ALL`]) against any
//! balancer, and returns a [`SuiteReport`]: a table of check by scenario, with numbers.
//!
//! In memory under the paused clock by default, so the battery is fast and deterministic;
//! [`Suite::transport`] for TCP. With rstest, a case per balancer:
//!
//! ```
//! use jostle::balance::policy::{LeastOutstanding, RoundRobin};
//! use jostle_harness::conformance::{Scenario, Suite};
//!
//! fn conforms(suite: Suite) {
//!     suite.scenarios([Scenario::OneDown, Scenario::ConnectionStorm]).run_blocking().assert_passes();
//! }
//!
//! conforms(Suite::for_balancer("round_robin", RoundRobin::new));
//! conforms(Suite::for_balancer("least_outstanding", LeastOutstanding::new));
//! ```

mod report;
mod scenario;
mod suite;
mod target;

pub use report::{ScenarioReport, SuiteReport};
pub use scenario::Scenario;
pub use suite::{Distribution, Factory, SUITE_BACKOFF, Suite};
pub use target::Target;
