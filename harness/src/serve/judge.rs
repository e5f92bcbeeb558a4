//! The server side's verdict: the `[expect]` of a scenario that the backends' own counters can
//! judge, read at moments of the wall clock ([`Samples`]), and the ones they cannot, each with
//! why. A client elsewhere keeps its own record of its calls; the backends see only the calls
//! that reached them, so failure rates, codes, latency and timeouts are the client's to judge.

use super::play::Played;
use super::samples::{Between, Samples};
use super::timeline::{Action, Timeline};
use crate::check::{CheckResult, Context, percent};
use crate::scenario::Expectations;
use std::time::Duration;

/// Why the client-side checks cannot be judged here.
const CLIENT_SIDE: &str = "needs the client's record of each call (which failed, how, when, how \
     long it took); the backends count only the calls that reached them";

/// Why nothing is judged when no call reached a backend.
const NO_CLIENT: &str = "no call reached any backend while serving: no client called, so there \
     is nothing to judge";

/// An expectation the server side cannot judge, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotJudged {
    /// The check's name, as a scenario report names it.
    pub check: &'static str,
    /// Why.
    pub why: String,
}

/// Every `[expect]` of `expect`: judged from the counters of `played` where they can be, each
/// with its verdict, or said not to be.
pub fn judge(
    expect: &Expectations,
    timeline: &Timeline,
    played: &Played,
    names: &[String],
    context: &Context,
) -> (Vec<CheckResult>, Vec<NotJudged>) {
    let mut judge = Judge {
        samples: &played.samples,
        end: played.elapsed,
        names,
        context,
        checks: Vec::new(),
        not_judged: Vec::new(),
    };
    for (check, asked) in [
        ("distribution", expect.distribution.is_some()),
        ("failure-rate", expect.max_failure_rate.is_some()),
        ("codes", expect.codes.is_some()),
        ("fallback", expect.fallback.is_some()),
        ("fail-fast", expect.fail_fast.is_some()),
        ("recovery", expect.recovery.is_some()),
        ("timeout", expect.max_latency_over_deadline.is_some()),
        ("latency", !expect.latency.is_empty()),
        ("avoidable-failures", expect.avoidable_failures.is_some()),
        ("leak-free", expect.no_leaks),
    ] {
        if asked {
            let why = if check == "distribution" {
                "needs the client's count of its calls in the order it made them; the share \
                 expectations judge each backend's part"
                    .to_owned()
            } else {
                CLIENT_SIDE.to_owned()
            };
            judge.not_judged.push(NotJudged { check, why });
        }
    }
    if judge.answered() == Some(0) {
        // Nothing reached a backend: every server-side check would judge an empty record.
        let asked = [
            ("share", !expect.shares.is_empty()),
            ("max-share", !expect.max_shares.is_empty()),
            ("convergence", expect.convergence.is_some()),
            ("only-announced", expect.only_announced.is_some()),
            (
                "connections",
                expect.max_connections.is_some() || expect.connections_per_1000_calls.is_some(),
            ),
            ("settled", expect.settled.is_some()),
        ];
        for (check, _) in asked.into_iter().filter(|(_, asked)| *asked) {
            judge.skip(check, NO_CLIENT.to_owned());
        }
        return (judge.checks, judge.not_judged);
    }
    for share in &expect.shares {
        judge.share("share", share.backend, share.after, share.at_least, true);
    }
    for share in &expect.max_shares {
        judge.share("max-share", share.backend, share.after, share.at_most, false);
    }
    if let Some(convergence) = expect.convergence {
        judge.convergence(timeline, convergence.settle);
    }
    if let Some(grace) = expect.only_announced {
        judge.only_announced(timeline, grace);
    }
    if let Some(most) = expect.max_connections {
        judge.max_connections(most);
    }
    if let Some(most) = expect.connections_per_1000_calls {
        judge.connections_per_1000(most);
    }
    if let Some(settled) = expect.settled {
        judge.settled(timeline, played, settled.after, settled.at_least, settled.at_most);
    }
    (judge.checks, judge.not_judged)
}

struct Judge<'a> {
    samples: &'a Samples,
    end: Duration,
    names: &'a [String],
    context: &'a Context,
    checks: Vec<CheckResult>,
    not_judged: Vec<NotJudged>,
}

impl Judge<'_> {
    fn result(&self, check: &'static str, rule: String) -> CheckResult {
        CheckResult::new(check, format!("{rule}, as the backends count them"), self.context)
    }

    fn skip(&mut self, check: &'static str, why: String) {
        self.not_judged.push(NotJudged { check, why });
    }

    /// What each backend served from `from` to the end, or why that cannot be told.
    fn from(&mut self, check: &'static str, from: Duration) -> Option<Between> {
        let between = self.samples.served_between(from, self.end);
        if between.is_none() {
            self.skip(
                check,
                format!(
                    "serving ended at {} ms, before two readings of the counters from {} ms on",
                    self.end.as_millis(),
                    from.as_millis()
                ),
            );
        }
        between
    }

    fn share(
        &mut self,
        check: &'static str,
        backend: usize,
        from: Duration,
        bound: f64,
        least: bool,
    ) {
        let Some(between) = self.from(check, from) else { return };
        let name = &self.names[backend];
        let (served, calls) = (between.served[backend], between.total());
        let share = if calls == 0 { 0.0 } else { served as f64 / calls as f64 };
        let words = if least { "at least" } else { "at most" };
        let rule = format!(
            "{name} serves {words} {} of the OK calls from {} ms on",
            percent(bound),
            from.as_millis()
        );
        let result = self
            .result(check, rule)
            .measure("share", share)
            .measure("calls", calls as f64)
            .measure("from_ms", between.start.as_millis() as f64)
            .measure("until_ms", between.end.as_millis() as f64);
        let counted = format!(
            "{served} of {calls} OK calls ({:.1}%) between {} and {} ms",
            share * 100.0,
            between.start.as_millis(),
            between.end.as_millis()
        );
        let result = if calls == 0 {
            result.verdict(
                false,
                format!("no backend served a call: nothing shows a share ({counted})"),
            )
        } else if least {
            result.verdict(share >= bound, counted)
        } else {
            result.verdict(share <= bound, counted)
        };
        self.checks.push(result);
    }

    /// After the last discovery change and `settle`, every announced backend serves and no
    /// withdrawn one does.
    fn convergence(&mut self, timeline: &Timeline, settle: Duration) {
        let last = last_change(timeline).unwrap_or_default();
        let from = last + settle;
        let Some(between) = self.from("convergence", from) else { return };
        let announced = timeline.announced_at(last);
        let rule = format!(
            "from {} ms on (the last discovery change and {} ms), exactly the announced backends serve",
            from.as_millis(),
            settle.as_millis()
        );
        let mut wrong = Vec::new();
        for (index, &is) in announced.iter().enumerate() {
            let served = between.served[index];
            if is && served == 0 {
                wrong.push(format!("{} is announced and served nothing", self.names[index]));
            }
            if !is && served > 0 {
                wrong.push(format!("{} is withdrawn and served {served}", self.names[index]));
            }
        }
        let result = self.result("convergence", rule).measure("calls", between.total() as f64);
        let window =
            format!("between {} and {} ms", between.start.as_millis(), between.end.as_millis());
        self.checks.push(if wrong.is_empty() {
            result.verdict(true, format!("every announced backend served, no other, {window}"))
        } else {
            result.verdict(false, format!("{} ({window})", wrong.join("; ")))
        });
    }

    /// A withdrawn backend serves nothing from `grace` after its withdrawal until it is
    /// announced again.
    fn only_announced(&mut self, timeline: &Timeline, grace: Duration) {
        let rule = format!(
            "a withdrawn backend serves nothing from {} ms after its withdrawal until announced again",
            grace.as_millis()
        );
        let mut wrong = Vec::new();
        let mut judged = 0_u64;
        for (index, name) in self.names.iter().enumerate() {
            for (withdrawn, back) in withdrawals(timeline, index, self.end) {
                let Some(between) = self.samples.served_between(withdrawn + grace, back) else {
                    continue;
                };
                judged += 1;
                if between.served[index] > 0 {
                    wrong.push(format!(
                        "{name}, withdrawn at {} ms, served {} between {} and {} ms",
                        withdrawn.as_millis(),
                        between.served[index],
                        between.start.as_millis(),
                        between.end.as_millis()
                    ));
                }
            }
        }
        if judged == 0 {
            let why = "no backend was withdrawn long enough to read its counters twice".to_owned();
            self.skip("only-announced", why);
            return;
        }
        let result = self.result("only-announced", rule).measure("periods", judged as f64);
        self.checks.push(if wrong.is_empty() {
            result.verdict(true, format!("{judged} withdrawn periods, no call served in any"))
        } else {
            result.verdict(false, wrong.join("; "))
        });
    }

    fn max_connections(&mut self, most: u64) {
        let Some(opened) = self.connections() else { return };
        let rule = format!("at most {most} connections opened over every backend");
        let result = self.result("connections", rule).measure("connections", opened as f64);
        let counted = format!("{opened} connections opened");
        self.checks.push(result.verdict(opened <= most, counted));
    }

    fn connections_per_1000(&mut self, most: f64) {
        let (Some(opened), Some((_, first)), Some((_, last))) =
            (self.connections(), self.samples.first(), self.samples.last())
        else {
            return;
        };
        let answered: u64 = first
            .iter()
            .zip(last)
            .map(|(a, b)| (b.served + b.failed).saturating_sub(a.served + a.failed))
            .sum();
        let rule = format!("at most {most} connections opened per 1,000 calls answered");
        let per =
            if answered == 0 { f64::INFINITY } else { opened as f64 * 1000.0 / answered as f64 };
        let result = self
            .result("connections", rule)
            .measure("connections", opened as f64)
            .measure("calls", answered as f64);
        let counted = format!("{opened} connections for {answered} calls answered");
        self.checks.push(if answered == 0 {
            result.verdict(false, format!("{counted}: no call reached a backend"))
        } else {
            result
                .measure("per_1000_calls", per)
                .verdict(per <= most, format!("{counted} ({per:.1} per 1,000)"))
        });
    }

    /// The calls every backend answered (OK or not) over the whole play.
    fn answered(&self) -> Option<u64> {
        let ((_, first), (_, last)) = (self.samples.first()?, self.samples.last()?);
        Some(
            first
                .iter()
                .zip(last)
                .map(|(a, b)| (b.served + b.failed).saturating_sub(a.served + a.failed))
                .sum(),
        )
    }

    fn connections(&self) -> Option<u64> {
        let ((_, first), (_, last)) = (self.samples.first()?, self.samples.last()?);
        Some(first.iter().zip(last).map(|(a, b)| b.connections.saturating_sub(a.connections)).sum())
    }

    /// Once every fault has ended and discovery has stopped changing, and `after` more, each
    /// announced backend serves between `at_least` and `at_most` times its fair share, and no
    /// withdrawn one serves.
    fn settled(
        &mut self,
        timeline: &Timeline,
        played: &Played,
        after: Duration,
        at_least: f64,
        at_most: f64,
    ) {
        if let Some(open) = played.open_at_end.iter().find(|window| window.end_ms.is_none()) {
            let why = format!(
                "fault {} ({} on {}) held until serving stopped: the run never settled",
                open.id, open.kind, open.backend
            );
            self.skip("settled", why);
            return;
        }
        let faults_end = played.windows.iter().filter_map(|w| w.end_ms).max().unwrap_or(0);
        let quiet =
            Duration::from_millis(faults_end).max(last_change(timeline).unwrap_or_default());
        let from = quiet + after;
        let Some(between) = self.from("settled", from) else { return };
        let announced = timeline.announced_at(quiet);
        let fair = 1.0 / announced.iter().filter(|is| **is).count().max(1) as f64;
        let calls = between.total();
        let rule = format!(
            "from {} ms on (quiet from {} ms, and {} ms), each announced backend serves {} to {} times its fair share, a withdrawn one nothing",
            from.as_millis(),
            quiet.as_millis(),
            after.as_millis(),
            at_least,
            at_most
        );
        let mut wrong = Vec::new();
        for (index, &is) in announced.iter().enumerate() {
            let served = between.served[index];
            let share = if calls == 0 { 0.0 } else { served as f64 / calls as f64 };
            let name = &self.names[index];
            if is && !(at_least * fair..=at_most * fair).contains(&share) {
                wrong.push(format!("{name} served {served} of {calls} ({:.1}%)", share * 100.0));
            }
            if !is && served > 0 {
                wrong.push(format!("{name} is withdrawn and served {served}"));
            }
        }
        let result = self.result("settled", rule).measure("calls", calls as f64);
        let window =
            format!("between {} and {} ms", between.start.as_millis(), between.end.as_millis());
        self.checks.push(if calls == 0 {
            result.verdict(false, format!("no backend served a call {window}"))
        } else if wrong.is_empty() {
            result.verdict(
                true,
                format!("{calls} OK calls {window}, each announced backend within its bounds"),
            )
        } else {
            result.verdict(false, format!("{} ({window})", wrong.join("; ")))
        });
    }
}

/// When discovery last changed.
fn last_change(timeline: &Timeline) -> Option<Duration> {
    timeline
        .steps
        .iter()
        .filter(|step| matches!(step.action, Action::Announce { .. }))
        .map(|step| step.at)
        .max()
}

/// Each period backend `index` was withdrawn: from when, until when (announced again, or
/// `end`). A backend left out at the start is withdrawn from 0.
fn withdrawals(timeline: &Timeline, index: usize, end: Duration) -> Vec<(Duration, Duration)> {
    let mut periods = Vec::new();
    let mut since = (!timeline.initial.contains(&index)).then_some(Duration::ZERO);
    for step in &timeline.steps {
        let Action::Announce { add, remove } = &step.action else { continue };
        if remove.contains(&index) && since.is_none() {
            since = Some(step.at);
        }
        if add.contains(&index)
            && let Some(from) = since.take()
        {
            periods.push((from, step.at));
        }
    }
    if let Some(from) = since {
        periods.push((from, end));
    }
    periods
}

#[cfg(test)]
mod tests;
