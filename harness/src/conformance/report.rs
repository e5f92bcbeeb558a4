//! [`SuiteReport`]: the battery's [`RunReport`]s for one balancer, as a table and as data.

use super::Battery;
use crate::report::{ExpectationReport, RunReport};
use std::fmt;

/// One battery scenario's run.
#[derive(Debug, Clone, PartialEq)]
pub struct BatteryRun {
    /// Which scenario.
    pub battery: Battery,
    /// Its report, as the one runner made it (a failed `setup` check when it could not run).
    pub report: RunReport,
}

/// The battery's outcome for one balancer.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteReport {
    /// The balancer's name.
    pub balancer: String,
    /// The seed of every run.
    pub seed: u64,
    /// One run per scenario, in battery order.
    pub runs: Vec<BatteryRun>,
}

impl SuiteReport {
    /// The (scenario, check) pairs that failed, in battery order.
    pub fn failures(&self) -> Vec<(Battery, &str)> {
        self.runs
            .iter()
            .flat_map(|run| {
                run.report
                    .expectations
                    .iter()
                    .filter(|check| !check.passed)
                    .map(|check| (run.battery, check.check.as_str()))
            })
            .collect()
    }

    /// The result of `check` in `battery`.
    pub fn check(&self, battery: Battery, check: &str) -> Option<&ExpectationReport> {
        self.runs
            .iter()
            .find(|run| run.battery == battery)?
            .report
            .expectations
            .iter()
            .find(|c| c.check == check)
    }

    /// Panics, printing the table and the full report of every run with a failed check,
    /// unless exactly `expected` failed (empty: every check passed). A report that ran no
    /// scenario at all panics too: it proved nothing.
    #[track_caller]
    pub fn assert_failures(&self, expected: &[(Battery, &str)]) {
        self.assert_failures_but_for_chance(expected, &[]);
    }

    /// [`SuiteReport::assert_failures`], except that each check of `chance` may fail or hold:
    /// for a balancer whose draws the suite cannot seed (tonic's own), a check near its bound
    /// is decided by chance, not by a flaw. Say why for each in the test.
    #[track_caller]
    pub fn assert_failures_but_for_chance(
        &self,
        expected: &[(Battery, &str)],
        chance: &[(Battery, &str)],
    ) {
        assert!(
            !self.runs.is_empty(),
            "the conformance battery of {} ran no scenario: nothing was proved",
            self.balancer
        );
        let mut failures = self.failures();
        failures.retain(|failure| !chance.contains(failure) || expected.contains(failure));
        if failures != expected {
            let details: Vec<String> = self
                .runs
                .iter()
                .filter(|run| !run.report.passed)
                .map(|run| {
                    format!("[{}] replay: {}\n{}", run.battery, self.replay(run), run.report)
                })
                .collect();
            panic!(
                "{} must fail exactly {expected:?} of the conformance battery, failed {failures:?}\n\n{self}\n{}",
                self.balancer,
                details.join("\n\n")
            );
        }
    }

    /// Panics with the table and the failed runs unless every check of every scenario passed.
    #[track_caller]
    pub fn assert_passes(&self) {
        self.assert_failures(&[]);
    }

    fn replay(&self, run: &BatteryRun) -> String {
        format!(
            "the `{}` suite, scenario {}, seed {}, transport {}",
            self.balancer, run.battery, self.seed, run.report.transport
        )
    }
}

impl fmt::Display for SuiteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "conformance of {} (seed {})", self.balancer, self.seed)?;
        writeln!(f, "{:<17} checks", "scenario")?;
        for run in &self.runs {
            let cells: Vec<String> = run
                .report
                .expectations
                .iter()
                .map(|check| {
                    let key = check
                        .headline
                        .as_ref()
                        .and_then(|name| Some((name, check.measured.get(name)?)))
                        .map(|(name, value)| format!(" {name}={}", crate::check::number(*value)))
                        .unwrap_or_default();
                    format!("{} {}{key}", if check.passed { "ok" } else { "FAIL" }, check.check)
                })
                .collect();
            writeln!(f, "{:<17} {}", run.battery.name(), cells.join(" | "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::SuiteReport;

    #[test]
    #[should_panic(expected = "ran no scenario: nothing was proved")]
    fn a_report_that_ran_no_scenario_does_not_pass() {
        SuiteReport { balancer: "empty".into(), seed: 0, runs: Vec::new() }.assert_passes();
    }
}
