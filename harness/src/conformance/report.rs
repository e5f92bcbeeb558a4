//! [`SuiteReport`]: every check of every scenario, as a table and as data.

use super::Scenario;
use crate::check::CheckResult;
use std::fmt;

/// The checks one scenario ran.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioReport {
    /// Which scenario.
    pub scenario: Scenario,
    /// Its checks, in order.
    pub checks: Vec<CheckResult>,
}

/// The battery's outcome for one balancer.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteReport {
    /// The balancer's name.
    pub balancer: String,
    /// The seed of every run.
    pub seed: u64,
    /// One row per scenario, in battery order.
    pub scenarios: Vec<ScenarioReport>,
}

impl SuiteReport {
    /// The (scenario, check) pairs that failed, in battery order.
    pub fn failures(&self) -> Vec<(Scenario, &'static str)> {
        self.scenarios
            .iter()
            .flat_map(|row| {
                row.checks
                    .iter()
                    .filter(|check| !check.passed)
                    .map(|check| (row.scenario, check.name))
            })
            .collect()
    }

    /// The result of `check` in `scenario`.
    pub fn check(&self, scenario: Scenario, check: &str) -> Option<&CheckResult> {
        self.scenarios
            .iter()
            .find(|row| row.scenario == scenario)?
            .checks
            .iter()
            .find(|c| c.name == check)
    }

    /// Panics, printing the table and every failed check in full, unless exactly `expected`
    /// failed (empty: every check passed).
    #[track_caller]
    pub fn assert_failures(&self, expected: &[(Scenario, &str)]) {
        let failures = self.failures();
        if failures != expected {
            let details: Vec<String> = self
                .scenarios
                .iter()
                .flat_map(|row| {
                    row.checks
                        .iter()
                        .filter(|c| !c.passed)
                        .map(move |c| format!("[{}] {c}", row.scenario))
                })
                .collect();
            panic!(
                "{} must fail exactly {expected:?} of the conformance battery, failed {failures:?}\n\n{self}\n{}",
                self.balancer,
                details.join("\n\n")
            );
        }
    }

    /// Panics with the table and the failed checks unless every check passed.
    #[track_caller]
    pub fn assert_passes(&self) {
        self.assert_failures(&[]);
    }
}

impl fmt::Display for SuiteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "conformance of {} (seed {})", self.balancer, self.seed)?;
        writeln!(f, "{:<17} checks", "scenario")?;
        for row in &self.scenarios {
            let cells: Vec<String> = row
                .checks
                .iter()
                .map(|check| {
                    let key = check
                        .measured
                        .first()
                        .map(|(name, value)| format!(" {name}={}", crate::check::number(*value)))
                        .unwrap_or_default();
                    format!("{} {}{key}", if check.passed { "ok" } else { "FAIL" }, check.name)
                })
                .collect();
            writeln!(f, "{:<17} {}", row.scenario.name(), cells.join(" | "))?;
        }
        Ok(())
    }
}
