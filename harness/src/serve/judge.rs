//! The server side's verdict: every `[expect]` of a scenario judged by its own rule over the
//! backends' counters, read at moments of the wall clock ([`Samples`]), where they can tell,
//! and the others said not to be judged, each with why. A client elsewhere keeps its own
//! record of its calls; the backends see only the calls that reached them, so failure rates,
//! codes, latency and timeouts are the client's to judge.

use super::play::Played;
use super::samples::{Between, Samples};
use super::timeline::{Action, Timeline};
use crate::check::{CheckResult, Context, Served, Strays};
use crate::expect::{Counters, Judged};
use crate::scenario::Expectations;
use std::time::Duration;

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
/// with its verdict, or said not to be (first the checks that need the client's calls, then
/// those the counters could judge but these do not tell).
pub fn judge(
    expect: &Expectations,
    timeline: &Timeline,
    played: &Played,
    names: &[String],
    context: &Context,
) -> (Vec<CheckResult>, Vec<NotJudged>) {
    let counted =
        Counted { samples: &played.samples, end: played.elapsed, names, context, timeline, played };
    let (mut checks, mut client, mut untold) = (Vec::new(), Vec::new(), Vec::new());
    for (check, judged) in expect.judge_counters(&counted) {
        match judged {
            Judged::Check(result) => checks.push(result),
            Judged::Elsewhere(why) => client.push(NotJudged { check, why }),
            Judged::Untold(why) => untold.push(NotJudged { check, why }),
            Judged::ByTheRun => {
                client.push(NotJudged { check, why: crate::expect::CLIENT_SIDE.to_owned() })
            }
        }
    }
    client.append(&mut untold);
    (checks, client)
}

/// The backends' counters over a play, as the rules ask for them.
struct Counted<'a> {
    samples: &'a Samples,
    end: Duration,
    names: &'a [String],
    context: &'a Context,
    timeline: &'a Timeline,
    played: &'a Played,
}

impl Counted<'_> {
    /// `between`, unless it ends past the moment the pods' records stopped being whole (a
    /// pod moved, stopped answering or missed a fault): then why it is not judged.
    fn whole(&self, between: Between) -> Result<Between, String> {
        match self.played.followed.whole_until() {
            Some(whole) if between.end > whole => Err(self.played.followed.why(between.end)),
            _ => Ok(between),
        }
    }

    /// The calls every backend answered (OK or not) over the whole play, if the counters were
    /// read.
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

    /// `Err` when the counters were read and no call reached a backend: every rule over them
    /// would judge an empty record.
    fn reached(&self) -> Result<(), String> {
        if self.answered() == Some(0) { Err(NO_CLIENT.to_owned()) } else { Ok(()) }
    }
}

impl Counters for Counted<'_> {
    fn context(&self) -> &Context {
        self.context
    }

    fn names(&self) -> &[String] {
        self.names
    }

    fn served_in(&self, from: Duration, until: Option<Duration>) -> Result<Served, String> {
        self.reached()?;
        let between = match until {
            None => self.samples.served_between(from, self.end).ok_or_else(|| {
                format!(
                    "serving ended at {} ms, before two readings of the counters from {} ms on",
                    self.end.as_millis(),
                    from.as_millis()
                )
            })?,
            Some(until) => {
                self.samples.served_between(from, until.min(self.end)).ok_or_else(|| {
                    format!(
                        "no two readings of the counters between {} and {} ms (serving ended at \
                         {} ms)",
                        from.as_millis(),
                        until.as_millis(),
                        self.end.as_millis()
                    )
                })?
            }
        };
        let between = self.whole(between)?;
        let counts = self.names.iter().map(String::as_str).zip(between.served.iter().copied());
        Ok(Served::of_counts(from, counts, (between.start, between.end)).until(until))
    }

    fn announced_at(&self, at: Duration) -> Vec<String> {
        let announced = self.timeline.announced_at(at);
        self.names
            .iter()
            .zip(announced)
            .filter(|(_, is)| *is)
            .map(|(name, _)| name.clone())
            .collect()
    }

    fn last_change(&self) -> Option<Duration> {
        self.timeline
            .steps
            .iter()
            .filter(|step| matches!(step.action, Action::Announce { .. }))
            .map(|step| step.at)
            .max()
    }

    fn faults_end(&self) -> Result<Option<Duration>, String> {
        self.reached()?;
        let open = self.played.open_at_end.iter().any(|window| window.end_ms.is_none());
        let end = self.played.windows.iter().filter_map(|w| w.end_ms).max().unwrap_or(0);
        Ok((!open).then(|| Duration::from_millis(end)))
    }

    fn strays(&self, grace: Duration) -> Result<(Strays, u64), String> {
        self.reached()?;
        let mut wrong = Vec::new();
        let (mut periods, mut judged, mut stray) = (0_u64, 0_u64, 0_u64);
        for (index, name) in self.names.iter().enumerate() {
            for (withdrawn, back) in withdrawals(self.timeline, index, self.end) {
                periods += 1;
                let Some(between) = self.samples.served_between(withdrawn + grace, back) else {
                    continue;
                };
                let between = self.whole(between)?;
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
            return Err(
                "no backend was withdrawn long enough to read its counters twice".to_owned()
            );
        }
        let ok = self.samples.first().zip(self.samples.last()).map_or(0, |((_, a), (_, b))| {
            a.iter().zip(b).map(|(a, b)| b.served.saturating_sub(a.served)).sum()
        });
        Ok((Strays { ok, stray, first: wrong.join("; ") }, periods))
    }

    fn connections(&self) -> Result<(u64, u64), String> {
        self.reached()?;
        if let Some((end, _)) = self.samples.last() {
            self.whole(Between { start: Duration::ZERO, end, served: Vec::new() })?;
        }
        let never = || "the backends' counters were never read".to_owned();
        let answered = self.answered().ok_or_else(never)?;
        let ((_, first), (_, last)) =
            self.samples.first().zip(self.samples.last()).ok_or_else(never)?;
        let opened =
            first.iter().zip(last).map(|(a, b)| b.connections.saturating_sub(a.connections)).sum();
        Ok((opened, answered))
    }
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
