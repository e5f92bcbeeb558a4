//! Every `[expect]` of a scenario as checks, in one fixed order: distribution, failure rate,
//! shares, largest shares, fallback, recovery, convergence, timeout, latency, connections.

use crate::check::{self, CheckResult, Context, distribution};
use crate::cluster::Cluster;
use crate::load::CallLog;
use crate::net::Transport;
use crate::record::StatsSnapshot;
use crate::scenario::{Distribution, Scenario};
use std::time::Duration;

/// How late a call may end past its deadline on real TCP at least, whatever the file says:
/// the scheduler's jitter on a loaded machine must fit in it (under the paused clock the
/// file's figure is exact).
pub(super) const TCP_LATENESS: Duration = Duration::from_millis(250);

/// What the run is judged on.
pub(super) struct Evidence<'a> {
    pub(super) scenario: &'a Scenario,
    pub(super) cluster: &'a Cluster,
    pub(super) log: &'a CallLog,
    pub(super) names: &'a [String],
    pub(super) before: &'a [StatsSnapshot],
    pub(super) after: &'a [StatsSnapshot],
    pub(super) context: &'a Context,
}

/// The scenario's expectations, checked.
pub(super) fn checks(evidence: &Evidence<'_>) -> Vec<CheckResult> {
    let Evidence { scenario, cluster, log, names, before, after, context } = *evidence;
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
    if let Some(rate) = expect.max_failure_rate {
        checks.push(check::failure_rate(log, expect.failure_rate_from, rate, context));
    }
    for share in &expect.shares {
        checks.push(check::share(log, &names[share.backend], share.after, share.at_least, context));
    }
    for share in &expect.max_shares {
        let name = &names[share.backend];
        checks.push(check::max_share(log, name, share.after, share.at_most, context));
    }
    let windows = cluster.fault_log().windows();
    if let Some(fallback) = expect.fallback {
        let failed_at: Vec<Duration> = windows.iter().map(|w| w.start).collect();
        checks.push(check::fallback(
            log,
            &failed_at,
            fallback.grace,
            fallback.max_failures,
            context,
        ));
    }
    if let Some(recovery) = expect.recovery {
        let name = &names[recovery.backend];
        let back_at = windows.iter().filter(|w| &w.backend == name).filter_map(|w| w.end).max();
        checks.push(match back_at {
            Some(back_at) => check::recovery(
                log,
                name,
                back_at,
                recovery.within,
                scenario.discovery().last().len(),
                recovery.at_least,
                context,
            ),
            None => CheckResult::failed(
                "recovery",
                "a backend back from its fault serves again",
                context,
                &format!("{name} had no fault that ended: nothing to recover from"),
            ),
        });
    }
    if let (Some(convergence), Some(last)) =
        (expect.convergence, scenario.discovery().changes.last())
    {
        let announced: Vec<&str> =
            scenario.discovery().last().into_iter().map(|index| names[index].as_str()).collect();
        checks.push(check::convergence(log, last.at, convergence.settle, &announced, context));
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
        checks.push(check::latency(
            log,
            backend,
            bound.after,
            bound.percentile,
            bound.under,
            context,
        ));
    }
    if let Some(max) = expect.max_connections {
        let opened = crate::record::connections_opened(before, after);
        let calls = log.calls.len() as u64;
        let per_thousand = max as f64 * 1000.0 / calls.max(1) as f64;
        checks.push(check::connections(opened, calls, per_thousand, context));
    }
    checks
}
