//! The server side's verdict: the `[expect]` of a scenario that the backends' own counters can
//! judge, read at moments of the wall clock ([`Samples`]), and the ones they cannot, each with
//! why. A client elsewhere keeps its own record of its calls; the backends see only the calls
//! that reached them, so failure rates, codes, latency and timeouts are the client's to judge.

use super::play::Played;
use super::samples::{Between, Samples};
use super::timeline::{Action, Timeline};
use crate::check::{self, CheckResult, Context, Served, Strays};
use crate::scenario::{Expectations, SettledExpectation};
use std::time::Duration;

/// Why the client-side checks cannot be judged here.
const CLIENT_SIDE: &str = "needs the client's record of each call (which failed, how, when, how \
     long it took); the backends count only the calls that reached them";

/// Why nothing is judged when no call reached a backend.
const NO_CLIENT: &str = "no call reached any backend while serving: no client called, so there \
     is nothing to judge";

/// The checks the backends' counters judge; every other one needs the client's record of its
/// calls.
const BY_COUNTERS: [&str; 6] =
    ["share", "max-share", "convergence", "only-announced", "connections", "settled"];

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
    let asked = expect.checks();
    let (counted, client): (Vec<&'static str>, Vec<&'static str>) = asked
        .into_iter()
        .filter(|check| *check != "accounting")
        .partition(|check| BY_COUNTERS.contains(check));
    for check in client {
        let why = if check == "distribution" {
            "needs the client's count of its calls in the order it made them; the share \
             expectations judge each backend's part"
                .to_owned()
        } else {
            CLIENT_SIDE.to_owned()
        };
        judge.not_judged.push(NotJudged { check, why });
    }
    if judge.answered() == Some(0) {
        // Nothing reached a backend: every server-side check would judge an empty record.
        for check in counted {
            judge.skip(check, NO_CLIENT.to_owned());
        }
        return (judge.checks, judge.not_judged);
    }
    for share in &expect.shares {
        judge.share("share", share.backend, (share.after, share.until), share.at_least);
    }
    for share in &expect.max_shares {
        judge.share("max-share", share.backend, (share.after, share.until), share.at_most);
    }
    if let Some(convergence) = &expect.convergence {
        judge.convergence(timeline, convergence.settle, convergence.backends.as_deref());
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
        judge.settled(timeline, played, settled);
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

    /// What each backend served from `from` until `until` (the end when `None`), as
    /// [`Served`], or why that cannot be told.
    fn window(
        &mut self,
        check: &'static str,
        (from, until): (Duration, Option<Duration>),
    ) -> Option<Served> {
        let Some(until) = until else { return self.served(check, from) };
        let Some(between) = self.samples.served_between(from, until.min(self.end)) else {
            self.skip(
                check,
                format!(
                    "no two readings of the counters between {} and {} ms (serving ended at {} ms)",
                    from.as_millis(),
                    until.as_millis(),
                    self.end.as_millis()
                ),
            );
            return None;
        };
        let counts = self.names.iter().map(String::as_str).zip(between.served.iter().copied());
        Some(Served::of_counts(from, counts, (between.start, between.end)).until(Some(until)))
    }

    /// What each backend served from `from` to the end, as [`Served`], or why that cannot be
    /// told.
    fn served(&mut self, check: &'static str, from: Duration) -> Option<Served> {
        let between = self.from(check, from)?;
        let counts = self.names.iter().map(String::as_str).zip(between.served.iter().copied());
        Some(Served::of_counts(from, counts, (between.start, between.end)))
    }

    fn share(
        &mut self,
        check: &'static str,
        backend: usize,
        window: (Duration, Option<Duration>),
        bound: f64,
    ) {
        let Some(served) = self.window(check, window) else { return };
        let name = &self.names[backend];
        self.checks.push(match check {
            "share" => check::share_of(&served, name, bound, self.context),
            _ => check::max_share_of(&served, name, bound, self.context),
        });
    }

    /// After the last discovery change and `settle`, every announced backend (or each of
    /// `chosen`) serves and no other does.
    fn convergence(&mut self, timeline: &Timeline, settle: Duration, chosen: Option<&[usize]>) {
        let last = last_change(timeline).unwrap_or_default();
        let Some(served) = self.served("convergence", last + settle) else { return };
        let set = match chosen {
            Some(chosen) => chosen.iter().map(|&index| self.names[index].as_str()).collect(),
            None => self.announced(timeline, last),
        };
        self.checks.push(check::convergence_of(&served, settle, &set, self.context));
    }

    /// The names of the backends announced at `at`.
    fn announced(&self, timeline: &Timeline, at: Duration) -> Vec<&str> {
        let announced = timeline.announced_at(at);
        self.names
            .iter()
            .zip(announced)
            .filter(|(_, is)| *is)
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// A withdrawn backend serves nothing from `grace` after its withdrawal until it is
    /// announced again.
    fn only_announced(&mut self, timeline: &Timeline, grace: Duration) {
        let mut wrong = Vec::new();
        let (mut periods, mut judged, mut stray) = (0_u64, 0_u64, 0_u64);
        for (index, name) in self.names.iter().enumerate() {
            for (withdrawn, back) in withdrawals(timeline, index, self.end) {
                periods += 1;
                let Some(between) = self.samples.served_between(withdrawn + grace, back) else {
                    continue;
                };
                judged += 1;
                stray += between.served[index];
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
        if periods > 0 && judged == 0 {
            let why = "no backend was withdrawn long enough to read its counters twice".to_owned();
            self.skip("only-announced", why);
            return;
        }
        let ok = self.samples.first().zip(self.samples.last()).map_or(0, |((_, a), (_, b))| {
            a.iter().zip(b).map(|(a, b)| b.served.saturating_sub(a.served)).sum()
        });
        let strays = Strays { ok, stray, first: wrong.join("; ") };
        let judged = check::only_announced_of(&strays, grace, self.context);
        self.checks.push(judged.measure("periods", periods as f64));
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

    /// Once every fault has ended and discovery has stopped changing, and `after` more, the
    /// `settled` rule over what the backends served from then on (never settled while a
    /// fault holds until serving stopped).
    fn settled(&mut self, timeline: &Timeline, played: &Played, settled: SettledExpectation) {
        let SettledExpectation { after, at_least, at_most } = settled;
        let open = played.open_at_end.iter().any(|window| window.end_ms.is_none());
        let faults_end = played.windows.iter().filter_map(|w| w.end_ms).max().unwrap_or(0);
        let quiet =
            Duration::from_millis(faults_end).max(last_change(timeline).unwrap_or_default());
        let served = if open {
            None
        } else {
            let Some(served) = self.served("settled", quiet + after) else { return };
            Some(served)
        };
        let announced = self.announced(timeline, quiet);
        let judged =
            check::settled_of(served.as_ref(), &announced, at_least, at_most, self.context);
        self.checks.push(judged);
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

#[cfg(test)]
mod same_rule;
