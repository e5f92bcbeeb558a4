//! What a soak run found, and whether it passed: samples before and after the warm-up, the
//! restarts made, the calls counted by the client and by the backends, and every problem met.

use crate::load::Tally;
use crate::plan::{MAX_GROWTH_PERCENT, Plan};
use crate::sample::{Drift, Sample};
use jostle_harness::record::StatsSnapshot;
use std::time::Duration;
use tonic::Code;

/// Everything the verdict is made of.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Restarts done.
    pub(crate) restarts: u64,
    /// The longest a restarted backend took to be back in the ready set.
    slowest_comeback: Duration,
    /// Samples after the warm-up, the baseline first.
    measured: Vec<Sample>,
    /// The client's counts at the end.
    tally: Option<Tally>,
    /// `GetOrder` calls the backends answered `NOT_FOUND` during the load.
    backends_answered: u64,
    /// Open fds before the cluster started, and once it was shut down.
    fds: Option<(u64, u64)>,
    problems: Vec<String>,
}

impl Outcome {
    /// Notes a problem: the run fails.
    pub(crate) fn problem(&mut self, problem: impl Into<String>) {
        self.problems.push(problem.into());
    }

    /// Notes how long a restarted backend took to be back.
    pub(crate) fn came_back(&mut self, took: Duration) {
        self.slowest_comeback = self.slowest_comeback.max(took);
    }

    /// Prints a sample and keeps it if it is past the warm-up.
    pub(crate) fn record(&mut self, sample: Sample, plan: &Plan) {
        let warm = sample.at < plan.warm_up();
        println!("{}{}", sample.line(), if warm { "  (warm-up)" } else { "" });
        if !warm {
            self.measured.push(sample);
        }
    }

    /// Checks the client's counts against the backends' (`before` and `after` the load): every
    /// call ended once, none was answered `OK`, and the backends answered at least the calls
    /// the client saw answered and at most those plus the calls the client saw fail (a
    /// backend's answer lost in a reset connection).
    pub(crate) fn account(
        &mut self,
        tally: Tally,
        before: &[StatsSnapshot],
        after: &[StatsSnapshot],
    ) {
        let answered = |stats: &StatsSnapshot| stats.finished("GetOrder", Code::NotFound);
        self.backends_answered =
            before.iter().zip(after).map(|(b, a)| answered(a) - answered(b)).sum();
        self.tally = Some(tally);
        if tally.sent != tally.ended() {
            self.problem(format!("{} calls sent but {} ended", tally.sent, tally.ended()));
        }
        if tally.unexpected_ok > 0 {
            self.problem(format!("{} calls for an absent order answered OK", tally.unexpected_ok));
        }
        if self.backends_answered < tally.answered {
            self.problem(format!(
                "the client saw {} answers, the backends gave only {}",
                tally.answered, self.backends_answered
            ));
        }
        let late = self.backends_answered.saturating_sub(tally.answered);
        if late > tally.failed_total() {
            self.problem(format!(
                "the backends answered {} calls the client did not see answered, but only {} failed",
                late,
                tally.failed_total()
            ));
        }
    }

    /// Notes the open fds before the cluster and after its shutdown; they must be equal.
    pub(crate) fn fds_closed(&mut self, before: u64, after: u64) {
        self.fds = Some((before, after));
        if after > before {
            self.problem(format!(
                "{after} fds open after the shutdown, {before} before the cluster started"
            ));
        }
    }

    fn drifts(&self) -> Option<(Drift, Drift)> {
        if self.measured.len() < 2 {
            return None;
        }
        Some((Drift::of(&self.measured, |s| s.rss_kib)?, Drift::of(&self.measured, |s| s.fds)?))
    }

    fn all_problems(&self, plan: &Plan) -> Vec<String> {
        let mut problems = self.problems.clone();
        match self.drifts() {
            None => problems.push("fewer than 2 samples after the warm-up".into()),
            Some((rss, fds)) => {
                for (name, drift) in [("resident memory", rss), ("open fds", fds)] {
                    if drift.growth() >= MAX_GROWTH_PERCENT {
                        problems.push(format!(
                            "{name} grew {:.2} % after the warm-up (limit {MAX_GROWTH_PERCENT} %)",
                            drift.growth()
                        ));
                    }
                }
            }
        }
        let sent = self.tally.map_or(0, |tally| tally.sent);
        if sent < plan.calls {
            problems.push(format!("{sent} calls made, fewer than {}", plan.calls));
        }
        if self.restarts < plan.restarts {
            problems.push(format!("{} restarts made, fewer than {}", self.restarts, plan.restarts));
        }
        problems
    }

    /// Whether the run passed.
    pub(crate) fn passed(&self, plan: &Plan) -> bool {
        self.all_problems(plan).is_empty()
    }

    /// The closing lines: the figures, then `PASS` or `FAIL` and why.
    pub(crate) fn verdict_line(&self, plan: &Plan) -> String {
        let mut lines = Vec::new();
        if let Some(tally) = self.tally {
            lines.push(format!(
                "calls: {} sent, {} answered NOT_FOUND as expected, {} OK, {} failed ({}); backends answered {} ({} late)",
                tally.sent,
                tally.answered,
                tally.unexpected_ok,
                tally.failed_total(),
                tally.failures(),
                self.backends_answered,
                self.backends_answered.saturating_sub(tally.answered)
            ));
        }
        lines.push(format!(
            "restarts: {} of {}, each back in the ready set within {:.2?}",
            self.restarts, plan.restarts, self.slowest_comeback
        ));
        if let Some((rss, fds)) = self.drifts() {
            lines.push(format!("rss after the warm-up: {}", rss.describe(" KiB")));
            lines.push(format!("fds after the warm-up: {}", fds.describe("")));
        }
        if let Some((before, after)) = self.fds {
            lines.push(format!("fds before the cluster {before}, after its shutdown {after}"));
        }
        let problems = self.all_problems(plan);
        if problems.is_empty() {
            lines.push("PASS: memory and fds flat, every call accounted for".into());
        } else {
            lines.push(format!("FAIL: {}", problems.join("; ")));
        }
        lines.join("\n")
    }
}
