//! [`CheckResult`]: what a check found, structured, and printed the way a failing test should
//! read: the rule, the numbers, the per-backend histogram, the seed and the replay command.

use std::collections::BTreeMap;
use std::fmt;

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    /// The check's name: `accounting`, `distribution`, `fallback`, `recovery`, `failure-rate`,
    /// `share`, `max-share`, `timeout`, `latency`, `leak-free`, `connections`, `convergence`,
    /// `avoidable-failures`, `settled`, `load` (only when calls started late:
    /// the run had too many in flight; or `setup` when the run could not be set up).
    pub name: &'static str,
    /// Whether the rule held.
    pub passed: bool,
    /// The rule it enforces, in words.
    pub rule: String,
    /// What it measured, by name, in a stable order: first the figure the verdict turned on,
    /// the one a one-line summary shows ([`CheckResult::headline`]).
    pub measured: Vec<(String, f64)>,
    /// Why it passed or failed, in words.
    pub explanation: String,
    /// OK calls per backend in the run.
    pub histogram: BTreeMap<String, u64>,
    /// The run's seed.
    pub seed: u64,
    /// The command that replays the run.
    pub replay: String,
}

impl CheckResult {
    /// A result for `name` under `rule`, with the run's histogram, seed and replay command.
    pub(crate) fn new(name: &'static str, rule: impl Into<String>, context: &Context) -> Self {
        Self {
            name,
            passed: true,
            rule: rule.into(),
            measured: Vec::new(),
            explanation: String::new(),
            histogram: context.histogram.clone(),
            seed: context.seed,
            replay: context.replay.clone(),
        }
    }

    pub(crate) fn measure(mut self, name: &str, value: f64) -> Self {
        self.measured.push((name.to_owned(), value));
        self
    }

    pub(crate) fn verdict(mut self, passed: bool, explanation: impl Into<String>) -> Self {
        self.passed = passed;
        self.explanation = explanation.into();
        self
    }

    /// A failed result for `name` under `rule`, explained by `why`.
    pub(crate) fn failed(name: &'static str, rule: &str, context: &Context, why: &str) -> Self {
        Self::new(name, rule, context).verdict(false, why)
    }

    /// The measurement a one-line summary shows: the figure the verdict turned on, which a
    /// check measures first.
    pub fn headline(&self) -> Option<&(String, f64)> {
        self.measured.first()
    }

    /// The value measured under `name`.
    pub fn value(&self, name: &str) -> Option<f64> {
        self.measured.iter().find(|(measured, _)| measured == name).map(|(_, value)| *value)
    }
}

/// What every check of one run shares: the histogram, the seed, the replay command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Context {
    /// OK calls per backend.
    pub histogram: BTreeMap<String, u64>,
    /// The run's seed.
    pub seed: u64,
    /// The command that replays the run.
    pub replay: String,
}

impl fmt::Display for CheckResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "pass" } else { "FAIL" };
        writeln!(f, "{verdict} {}: {}", self.name, self.rule)?;
        if !self.measured.is_empty() {
            let measured: Vec<String> = self
                .measured
                .iter()
                .map(|(name, value)| format!("{name} = {}", number(*value)))
                .collect();
            writeln!(f, "  measured: {}", measured.join(", "))?;
        }
        let histogram: Vec<String> =
            self.histogram.iter().map(|(backend, n)| format!("{backend} {n}")).collect();
        writeln!(
            f,
            "  OK calls per backend: {}",
            if histogram.is_empty() { "none".into() } else { histogram.join(", ") }
        )?;
        writeln!(f, "  why: {}", self.explanation)?;
        write!(f, "  seed {}; replay: {}", self.seed, self.replay)
    }
}

/// A number as a person reads it: integers without decimals.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.4}")
    }
}
