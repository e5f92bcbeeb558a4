//! The conformance suite: one call runs the standard battery ([`Battery::ALL`], nine scenario
//! files in fixtures/battery/) against any balancer through the one runner, and returns a
//! [`SuiteReport`]: the runs' reports, laid out as a table of check by scenario.
//!
//! In memory under the paused clock by default, so the battery is fast and deterministic;
//! [`Suite::transport`] for TCP. With rstest, a case per balancer:
//!
//! ```
//! use jostle::balance::policy::{LeastOutstanding, RoundRobin};
//! use jostle_harness::conformance::{Battery, Suite};
//!
//! fn conforms(suite: Suite) {
//!     suite.scenarios([Battery::OneDown, Battery::ConnectionStorm]).run_blocking().assert_passes();
//! }
//!
//! conforms(Suite::for_balancer("round_robin", RoundRobin::new));
//! conforms(Suite::for_balancer("least_outstanding", LeastOutstanding::new));
//! ```

mod battery;
mod report;
mod suite;

pub use battery::Battery;
pub use report::{BatteryRun, SuiteReport};
pub use suite::{Claim, SUITE_BACKOFF, Suite};
