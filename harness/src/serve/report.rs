//! [`ServedReport`]: a scenario played on served backends, from their own records: what each
//! backend served and failed, its connections, the fault windows, discovery's changes, and the
//! expectations judged from the server side (and those it cannot judge).

use super::judge::NotJudged;
use super::plane::Described;
use super::play::{Ended, Played};
use super::timeline::{Action, Timeline};
use crate::check::CheckResult;
use crate::net::REFUSED_WHY;
use crate::report::{ExpectationReport, RunReport};
use crate::scenario::{Expectations, Expected};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt;

/// Whether the backends' records show what the scenario expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every judged check holds and the story expects that, or exactly the checks it names
    /// failed and it expects that.
    AsExpected,
    /// Otherwise.
    NotAsExpected,
    /// No expectation could be judged from the server side, or none the story names as failing.
    NotJudged,
}

impl Verdict {
    /// `as expected`, `not as expected`, `not judged`.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::AsExpected => "as expected",
            Verdict::NotAsExpected => "not as expected",
            Verdict::NotJudged => "not judged",
        }
    }
}

/// A scenario played on served backends, judged from their records.
#[derive(Debug, Clone, PartialEq)]
pub struct ServedReport {
    /// The scenario's name.
    pub scenario: String,
    /// The seed of the faults' random choices.
    pub seed: u64,
    /// Every backend, by index.
    pub backends: Vec<Described>,
    /// What was played and read.
    pub played: Played,
    /// Discovery's changes played: when (ms since serving started), added, removed.
    pub discovery: Vec<(u64, Vec<usize>, Vec<usize>)>,
    /// The expectations judged.
    pub checks: Vec<CheckResult>,
    /// The expectations not judged, and why.
    pub not_judged: Vec<NotJudged>,
    /// With the client's call records (`jostle serve --calls`): every expectation judged
    /// from them by the checks of `jostle run`, the connections and fault windows from the
    /// backends; the verdict is then this report's.
    pub client: Option<RunReport>,
    /// The verdict.
    pub verdict: Verdict,
}

impl ServedReport {
    /// The report of `played`, with `checks` and `not_judged` as the judge gave them.
    pub fn new(
        scenario: &str,
        seed: u64,
        backends: Vec<Described>,
        timeline: &Timeline,
        played: Played,
        expect: &Expectations,
        (checks, not_judged): (Vec<CheckResult>, Vec<NotJudged>),
    ) -> Self {
        let discovery = timeline
            .steps
            .iter()
            .filter(|step| step.at <= played.elapsed)
            .filter_map(|step| match &step.action {
                Action::Announce { add, remove } => {
                    let at = u64::try_from(step.at.as_millis()).unwrap_or(u64::MAX);
                    Some((at, add.clone(), remove.clone()))
                }
                Action::Inject { .. } => None,
            })
            .collect();
        let verdict = verdict(expect, &checks);
        Self {
            scenario: scenario.to_owned(),
            seed,
            backends,
            played,
            discovery,
            checks,
            not_judged,
            client: None,
            verdict,
        }
    }

    /// This report with `client`, the expectations judged from the client's call records,
    /// whose outcome is then the verdict: every expectation is judged there.
    pub fn with_client(self, client: RunReport) -> Self {
        let verdict = if client.as_expected { Verdict::AsExpected } else { Verdict::NotAsExpected };
        let judged = |check: &str| {
            client.expectations.iter().any(|e| e.check == check)
                || client.not_judged.iter().any(|n| n.check == check)
        };
        let not_judged = self.not_judged.into_iter().filter(|n| !judged(n.check)).collect();
        Self { client: Some(client), verdict, not_judged, ..self }
    }

    /// Whether every judged check held, the client's records' too.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|check| check.passed)
            && self.client.as_ref().is_none_or(|client| client.passed)
    }

    /// The report as JSON: `scenario`, `seed`, `elapsed_ms`, `ended` (`end`, `stopped`),
    /// `sample_every_ms`, `backends` (`name`, `address`, `seed` (its faults' draws'), `served`, `failed` by code name,
    /// `connections_accepted`, `refused_streams` by HTTP/2 error code name), `faults` (every window), `discovery` (`at_ms`, `add`,
    /// `remove`), `fleet` (the pods followed: [`Followed::json`](super::Followed::json)), `expectations` (as `jostle run --json` gives them), `not_judged` (`check`,
    /// `why`), `client` (with the client's records: their report, as `jostle judge --json`
    /// gives it), `passed`, `verdict`.
    pub fn json(&self) -> Value {
        let backends: Vec<Value> = self
            .backends
            .iter()
            .zip(&self.played.counters)
            .map(|(backend, counters)| {
                let failed: BTreeMap<&String, &u64> = counters.failed.iter().collect();
                let refused: BTreeMap<&String, &u64> = counters.refused_streams.iter().collect();
                json!({
                    "name": backend.name,
                    "address": backend.address,
                    "seed": backend.seed,
                    "served": counters.served,
                    "failed": failed,
                    "connections_accepted": counters.connections_accepted,
                    "refused_streams": refused,
                })
            })
            .collect();
        let faults: Vec<Value> = self.played.windows.iter().map(window_json).collect();
        let discovery: Vec<Value> = self
            .discovery
            .iter()
            .map(|(at, add, remove)| json!({ "at_ms": at, "add": add, "remove": remove }))
            .collect();
        let expectations: Vec<Value> = self
            .checks
            .iter()
            .map(|check| {
                let report = ExpectationReport {
                    check: check.name.to_owned(),
                    passed: check.passed,
                    rule: check.rule.clone(),
                    measured: check.measured.iter().cloned().collect(),
                    headline: check.headline().map(|(name, _)| name.clone()),
                    explanation: check.explanation.clone(),
                };
                serde_json::to_value(report).unwrap_or(Value::Null)
            })
            .collect();
        let not_judged: Vec<Value> = self
            .not_judged
            .iter()
            .map(|skipped| json!({ "check": skipped.check, "why": skipped.why }))
            .collect();
        let client = self
            .client
            .as_ref()
            .map_or(Value::Null, |client| serde_json::to_value(client).unwrap_or(Value::Null));
        json!({
            "scenario": self.scenario,
            "seed": self.seed,
            "elapsed_ms": u64::try_from(self.played.elapsed.as_millis()).unwrap_or(u64::MAX),
            "ended": match self.played.ended { Ended::AtItsEnd => "end", Ended::Stopped => "stopped" },
            "sample_every_ms": u64::try_from(self.played.samples.every().as_millis()).unwrap_or(u64::MAX),
            "backends": backends,
            "faults": faults,
            "discovery": discovery,
            "fleet": self.played.followed.json(),
            "expectations": expectations,
            "not_judged": not_judged,
            "client": client,
            "passed": self.passed(),
            "verdict": self.verdict.name(),
        })
    }
}

/// A fault window as `jostle ctl faults` prints it.
pub fn window_json(window: &crate::control::proto::FaultWindow) -> Value {
    json!({
        "id": window.id,
        "backend": window.backend,
        "kind": window.kind,
        "detail": window.detail,
        "start_ms": window.start_ms,
        "end_ms": window.end_ms,
    })
}

fn verdict(expect: &Expectations, checks: &[CheckResult]) -> Verdict {
    let judged: Vec<&str> = checks.iter().map(|check| check.name).collect();
    let mut failed: Vec<&str> = checks.iter().filter(|c| !c.passed).map(|c| c.name).collect();
    failed.sort_unstable();
    failed.dedup();
    match expect.outcome {
        Expected::Pass if judged.is_empty() => Verdict::NotJudged,
        Expected::Pass if failed.is_empty() => Verdict::AsExpected,
        Expected::Pass => Verdict::NotAsExpected,
        Expected::Fail => {
            let mut named: Vec<&str> =
                expect.fails.iter().copied().filter(|name| judged.contains(name)).collect();
            named.sort_unstable();
            named.dedup();
            if named.is_empty() {
                Verdict::NotJudged
            } else if failed == named {
                Verdict::AsExpected
            } else {
                Verdict::NotAsExpected
            }
        }
    }
}

impl fmt::Display for ServedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ended = match self.played.ended {
            Ended::AtItsEnd => "at its end",
            Ended::Stopped => "stopped",
        };
        writeln!(
            f,
            "{} — served for {} ms ({ended}), seed {}, counters read every {} ms",
            self.scenario,
            self.played.elapsed.as_millis(),
            self.seed,
            self.played.samples.every().as_millis()
        )?;
        writeln!(
            f,
            "backend        address                 served  connections  failed at the backend"
        )?;
        for (backend, counters) in self.backends.iter().zip(&self.played.counters) {
            let failed: BTreeMap<&String, &u64> = counters.failed.iter().collect();
            let failed: Vec<String> =
                failed.iter().map(|(code, n)| format!("{code} {n}")).collect();
            writeln!(
                f,
                "{:<14} {:<22} {:>7}  {:>11}  {}",
                backend.name,
                backend.address,
                counters.served,
                counters.connections_accepted,
                if failed.is_empty() { "-".to_owned() } else { failed.join(", ") }
            )?;
        }
        if self.backends.iter().any(|backend| backend.seed != self.seed) {
            let seeds: Vec<String> =
                self.backends.iter().map(|b| format!("{} {}", b.name, b.seed)).collect();
            writeln!(
                f,
                "the faults' draws, each backend's own seed: {} (replay one's with `jostle serve \
                 --seed N`)",
                seeds.join(", ")
            )?;
        }
        for (backend, counters) in self.backends.iter().zip(&self.played.counters) {
            let refused: BTreeMap<&String, &u64> = counters.refused_streams.iter().collect();
            if !refused.is_empty() {
                let refused: Vec<String> =
                    refused.iter().map(|(reason, n)| format!("{reason} {n}")).collect();
                writeln!(
                    f,
                    "{} refused streams before any call: {} ({REFUSED_WHY})",
                    backend.name,
                    refused.join(", ")
                )?;
            }
        }
        if !self.played.windows.is_empty() {
            writeln!(f, "faults:")?;
            for window in &self.played.windows {
                let end = window.end_ms.map_or("the end".to_owned(), |end| format!("{end} ms"));
                writeln!(
                    f,
                    "  {} on {} from {} ms to {end}",
                    window.kind, window.backend, window.start_ms
                )?;
            }
        }
        for (at, add, remove) in &self.discovery {
            writeln!(f, "discovery at {at} ms: announced {add:?}, withdrawn {remove:?}")?;
        }
        for line in self.played.followed.lines() {
            writeln!(f, "{line}")?;
        }
        if !self.checks.is_empty() || !self.not_judged.is_empty() {
            writeln!(f, "expectations (from the backends' own counters):")?;
        }
        for check in &self.checks {
            let mark = if check.passed { "pass" } else { "FAIL" };
            writeln!(f, "  {mark} {}: {} ({})", check.name, check.rule, check.explanation)?;
        }
        for skipped in &self.not_judged {
            writeln!(f, "  not judged {}: {}", skipped.check, skipped.why)?;
        }
        if let Some(client) = &self.client {
            writeln!(
                f,
                "expectations (from the client's records, {} calls; the verdict's):",
                client.calls.sent
            )?;
            for check in &client.expectations {
                let mark = if check.passed { "pass" } else { "FAIL" };
                writeln!(f, "  {mark} {}: {} ({})", check.check, check.rule, check.explanation)?;
            }
            for skipped in &client.not_judged {
                writeln!(f, "  not judged {}: {}", skipped.check, skipped.why)?;
            }
        }
        write!(f, "verdict: {}", self.verdict.name())
    }
}
