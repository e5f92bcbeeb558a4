//! Running a scenario from synchronous code, on a runtime whose clock the scenario decides.

use crate::error::{Error, Result};
use crate::load::Progress;
use crate::report::RunReport;
use crate::scenario::Scenario;
use tokio::runtime::Runtime;

/// The runtime a run of `scenario` needs: current-thread (so a replay gives the same bytes),
/// with tokio's clock paused when [`Scenario::paused`] says so.
///
/// # Errors
///
/// [`Error::Runtime`] when tokio cannot start one.
pub fn runtime(scenario: &Scenario) -> Result<Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(scenario.paused())
        .build()
        .map_err(Error::Runtime)
}

impl Scenario {
    /// Plays the scenario on the current runtime (its clock must be paused when
    /// [`Scenario::paused`] says so: `#[tokio::test(start_paused = true)]` in memory).
    ///
    /// # Errors
    ///
    /// When the cluster cannot start, a fault cannot be injected, or the balancer cannot be
    /// built. A check that fails is not an error: it is in the report.
    pub async fn run(&self) -> Result<RunReport> {
        super::run_with(self, &self.replay(), &Progress::new()).await
    }

    /// Plays the scenario on a runtime of its own ([`runtime`]), for plain `#[test]`s.
    ///
    /// # Errors
    ///
    /// As [`Scenario::run`], and [`Error::Runtime`] when no runtime can be started.
    pub fn run_blocking(&self) -> Result<RunReport> {
        runtime(self)?.block_on(self.run())
    }

    /// What reports print as the way to replay this run.
    fn replay(&self) -> String {
        format!(
            "the scenario \"{}\" against {}, seed {}, transport {}",
            self.name(),
            self.balancer().name(),
            self.seed(),
            self.transport()
        )
    }
}
