//! Every `[expect]` of a scenario as checks, in one fixed order, that of
//! [`CHECKS`](crate::scenario::CHECKS): distribution, failure rate, least failure rate, codes,
//! shares, largest shares, served nothing, fallback, fail-fast, recovery, convergence,
//! only-announced, timeout, latency, connections, avoidable failures, settled.

use crate::check::{self, CheckResult, Context, Served, distribution};
use crate::fault::{FaultWindow, Kind};
use crate::load::CallLog;
use crate::net::Transport;
use crate::record::StatsSnapshot;
use crate::scenario::{Distribution, LatencyOf, Scenario};
use std::time::Duration;

/// How late a call may end past its deadline on real TCP at least, whatever the file says:
/// the scheduler's jitter on a loaded machine must fit in it (under the paused clock the
/// file's figure is exact).
pub(super) const TCP_LATENESS: Duration = Duration::from_millis(250);

/// What the run is judged on.
pub(super) struct Evidence<'a> {
    pub(super) scenario: &'a Scenario,
    /// Every fault window of the run, times since the cluster's start.
    pub(super) windows: &'a [FaultWindow],
    pub(super) log: &'a CallLog,
    pub(super) names: &'a [String],
    pub(super) before: &'a [StatsSnapshot],
    pub(super) after: &'a [StatsSnapshot],
    pub(super) context: &'a Context,
}

/// The scenario's expectations, checked.
pub(super) fn checks(evidence: &Evidence<'_>) -> Vec<CheckResult> {
    let Evidence { scenario, windows, log, names, before, after, context } = *evidence;
    let expect = scenario.expect();
    let mut checks = Vec::new();
    match &expect.distribution {
        Some(Distribution::ExactCycle) => {
            checks.push(distribution::exact_cycle(log, names, context));
        }
        Some(Distribution::Shares { shares, spec }) => {
            checks.push(distribution::shares(log, names, shares, spec, context));
        }
        None => {}
    }
    let (from, until) = (expect.failure_rate_from, expect.failure_rate_until);
    if let Some(rate) = expect.max_failure_rate {
        checks.push(check::failure_rate_in(log, from, until, rate, context));
    }
    if let Some(rate) = expect.min_failure_rate {
        let judged = check::min_failure_rate(log, from, until, rate, context);
        checks.push(past_the_run(judged, log, from));
    }
    if let Some(codes) = &expect.codes {
        checks.push(check::codes(log, codes, context));
    }
    for share in &expect.shares {
        let served = Served::of_window(log, share.after, share.until);
        let judged = check::share_of(&served, &names[share.backend], share.at_least, context);
        checks.push(past_the_run(judged, log, share.after));
    }
    for share in &expect.max_shares {
        let served = Served::of_window(log, share.after, share.until);
        let judged = check::max_share_of(&served, &names[share.backend], share.at_most, context);
        checks.push(past_the_run(judged, log, share.after));
    }
    for nothing in &expect.served_nothing {
        let name = &names[nothing.backend];
        let judged = check::served_nothing(log, name, nothing.from, nothing.until, context);
        checks.push(past_the_run(judged, log, nothing.from));
    }
    if let Some(fallback) = expect.fallback {
        let failed_at: Vec<Duration> = windows.iter().map(|w| w.start).collect();
        let mut judged =
            check::fallback(log, &failed_at, fallback.grace, fallback.max_failures, context);
        if failed_at.is_empty() {
            judged.explanation.push_str(&dropped_faults(scenario, log));
        }
        checks.push(judged);
    }
    if let Some(within) = expect.fail_fast {
        let discovery = scenario.discovery();
        let nothing_ready = |at: Duration| {
            discovery.at(at).iter().all(|&backend| {
                windows.iter().any(|w| {
                    w.backend == names[backend]
                        && Kind::from_name(w.kind).is_some_and(Kind::takes_backend_down)
                        && w.start <= at
                        && w.end.is_none_or(|end| at < end)
                })
            })
        };
        checks.push(check::fail_fast(log, nothing_ready, within, context));
    }
    if let Some(recovery) = expect.recovery {
        let name = &names[recovery.backend];
        let fault_end = windows.iter().filter(|w| &w.backend == name).filter_map(|w| w.end).max();
        let announced = scenario.discovery().announced_last(recovery.backend, Duration::MAX);
        // Announced after every fault ended, and never before: added, not back.
        let added = announced.is_some_and(|at| fault_end.is_none_or(|end| at >= end))
            && !scenario.discovery().initial.contains(&recovery.backend);
        let back_at = fault_end.max(announced);
        checks.push(match back_at {
            Some(back_at) => {
                let back =
                    if added { check::Back::Added(back_at) } else { check::Back::Returned(back_at) };
                let recovered = check::recovery(
                    log,
                    name,
                    back,
                    recovery.within,
                    scenario.discovery().last().len(),
                    recovery.at_least,
                    context,
                );
                match recovery.at_most {
                    Some(at_most) => check::flood::bound(
                        recovered,
                        log,
                        name,
                        back,
                        recovery.window,
                        |at| scenario.discovery().at(at).len(),
                        at_most,
                    ),
                    None => recovered,
                }
            }
            None => CheckResult::failed(
                "recovery",
                "a backend back from its fault serves again",
                context,
                &format!(
                    "{name} had no fault that ended and was not announced later: nothing to recover from"
                ),
            ),
        });
    }
    if let (Some(convergence), Some(last)) =
        (&expect.convergence, scenario.discovery().changes.last())
    {
        let set = convergence.backends.clone().unwrap_or_else(|| scenario.discovery().last());
        let set: Vec<&str> = set.into_iter().map(|index| names[index].as_str()).collect();
        checks.push(check::convergence(log, last.at, convergence.settle, &set, context));
    }
    if let Some(grace) = expect.only_announced {
        let index: std::collections::HashMap<&str, usize> =
            names.iter().enumerate().map(|(i, name)| (name.as_str(), i)).collect();
        let discovery = scenario.discovery();
        // A call that waited (wait-for-ready) may go to a backend announced while it waited.
        let announced = |backend: &str, start: Duration, end: Duration| {
            index.get(backend).is_some_and(|&i| {
                discovery.announced_within(i, start, grace)
                    || discovery.announced_last(i, end).is_some_and(|at| at > start)
            })
        };
        checks.push(check::only_announced(log, announced, grace, context));
    }
    if let Some(lateness) = expect.max_latency_over_deadline {
        let lateness = match scenario.transport() {
            Transport::Tcp => lateness.max(TCP_LATENESS),
            Transport::InMemory => lateness,
        };
        checks.push(check::timeout(log, scenario.load_spec().deadline, lateness, context));
    }
    for bound in &expect.latency {
        let backend = bound.backend.map(|index| names[index].as_str());
        let (after, percentile, under) = (bound.after, bound.percentile, bound.under);
        checks.push(match bound.of {
            LatencyOf::Ok => check::latency(log, backend, after, percentile, under, context),
            LatencyOf::All => {
                let deadline = scenario.load_spec().deadline;
                check::latency_of_all(log, deadline, after, percentile, under, context)
            }
        });
    }
    let calls = log.calls.len() as u64;
    let opened = crate::record::connections_opened(before, after);
    if let Some(most) = expect.max_connections {
        checks.push(check::max_connections(opened, calls, most, context));
    } else if let Some(per_thousand) = expect.connections_per_1000_calls {
        checks.push(check::connections(opened, calls, per_thousand, context));
    }
    if let Some(grace) = expect.avoidable_failures {
        let discovery = scenario.discovery();
        let announced =
            |at: Duration| discovery.at(at).into_iter().map(|i| names[i].as_str()).collect();
        checks.push(check::avoidable_failures(log, windows, announced, grace, context));
    }
    if let Some(settled) = expect.settled {
        // Quiet once the last fault window has closed (never, while one holds to the end) and
        // the last discovery change is made.
        let faults_end = windows.iter().try_fold(Duration::ZERO, |end, w| Some(end.max(w.end?)));
        let changed = scenario.discovery().changes.last().map_or(Duration::ZERO, |c| c.at);
        let from = faults_end.map(|end| end.max(changed) + settled.after);
        let announced: Vec<&str> =
            scenario.discovery().last().into_iter().map(|i| names[i].as_str()).collect();
        checks.push(check::settled(
            log,
            from,
            &announced,
            settled.at_least,
            settled.at_most,
            context,
        ));
    }
    checks
}

/// `judged`, failed over a window that starts at `from`, with the words that say the window
/// lies past the run when no call started from `from` on (the run ended first).
fn past_the_run(mut judged: CheckResult, log: &CallLog, from: Duration) -> CheckResult {
    if !judged.passed && !log.calls.iter().any(|call| call.start >= from) {
        let last = log.calls.iter().map(|call| call.start).max().unwrap_or_default();
        judged.explanation.push_str(&format!(
            "; the window starts at {} ms, past the run: its last call started at {} ms",
            from.as_millis(),
            last.as_millis()
        ));
    }
    judged
}

/// Why a scenario with faults saw none start: those set after the last call ended (a load
/// bounded by calls ends when they are done) were dropped; the words to add, or none.
fn dropped_faults(scenario: &Scenario, log: &CallLog) -> String {
    let last_end = log.calls.iter().map(|call| call.end).max().unwrap_or_default();
    let dropped =
        scenario.injections().iter().filter(|i| i.at.unwrap_or_default() >= last_end).count();
    if dropped == 0 {
        return String::new();
    }
    format!(
        "; {dropped} fault(s) of the file start at or after {} ms, when the last call had \
         ended, and were dropped: the load ended first",
        last_end.as_millis()
    )
}
