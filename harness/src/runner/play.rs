//! [`run_with`]: the engine every door goes through.

use super::clients;
use super::clients::CallName;
use super::discovery;
use super::dns::Queries;
use super::expectations;
use super::reach;
use super::report::{expectation, report};
use super::under_test;
use crate::check::{self, Baseline, CheckResult, Context};
use crate::cluster::Cluster;
use crate::error::Result;
use crate::expect::{Calls, Origin};
use crate::fault::FaultWindow;
use crate::load::{CallLog, Progress, limits};
use crate::record::StatsSnapshot;
use crate::report::{ExpectationReport, NotJudgedReport, RunReport};
use crate::scenario::Scenario;
use std::time::Duration;

/// How long leftovers may take to go after the run, for `no_leaks`.
const LEAK_BOUND: Duration = Duration::from_secs(5);

/// Plays `scenario` against its balancer under test: starts its cluster, builds the balancer
/// (one per client, `[load] clients`) from the scenario's [`Target`](crate::channel::Target), waits its warm-up, puts its fault
/// and discovery timelines on the clock, drives its load, and checks every expectation.
/// `replay` is what reports print as the way to replay it; `progress` receives how far the
/// load is (for a progress bar drawn by another thread: publishing adds no timer and no await,
/// so the run is the same byte for byte).
///
/// Every time in the scenario counts from the cluster's start. Under tokio's paused clock (in
/// memory, [`Scenario::paused`]) the whole run is virtual and deterministic.
///
/// # Errors
///
/// When the cluster cannot start, a fault cannot be injected, or the balancer cannot be
/// built. A check that fails is not an error: it is in the report.
pub async fn run_with(scenario: &Scenario, replay: &str, progress: &Progress) -> Result<RunReport> {
    run_with_log(scenario, replay, progress).await.map(|(report, _)| report)
}

/// [`run_with`], also handing back the client's record of every call the report was made
/// from (times since the cluster's start): for a look at single calls, or to check the
/// report's figures against their source.
///
/// # Errors
///
/// As [`run_with`].
pub async fn run_with_log(
    scenario: &Scenario,
    replay: &str,
    progress: &Progress,
) -> Result<(RunReport, CallLog)> {
    let Played {
        cluster,
        checks,
        log,
        call_names,
        names,
        windows,
        before,
        after,
        dns_queries,
        not_judged,
    } = play(scenario, replay, progress).await?;
    let seen: Vec<_> = cluster.backends().iter().map(|backend| backend.calls_seen()).collect();
    let sent_to = super::sent_to::sent_to(&log, &call_names, &names, &seen);
    let arrivals_not_kept = cluster.backends().iter().map(|backend| backend.calls_not_kept()).sum();
    let report = RunReport {
        arrivals_not_kept,
        dns_queries_dropped: dns_queries.as_ref().map_or(0, |queries| queries.dropped),
        dns_queries: dns_queries.map(|queries| super::report::dns_queries(&queries.kept, &names)),
        not_judged,
        ..report(scenario, &windows, (&log, &sent_to), &names, (&before, &after), checks)
    };
    cluster.shutdown().await;
    Ok((report, log))
}

/// The verdict of every check of a run of `scenario`, as its report gives them, and nothing
/// else of the report (per-backend figures, timeline, clients, DNS queries): the same run and
/// the same checks as [`run_with`], for a caller that reads only the verdicts (explore judges
/// every schedule by them; building the rest of the report was a few per cent of its time).
///
/// # Errors
///
/// As [`run_with`].
pub(crate) async fn verdicts(
    scenario: &Scenario,
    replay: &str,
    progress: &Progress,
) -> Result<Vec<ExpectationReport>> {
    let played = play(scenario, replay, progress).await?;
    played.cluster.shutdown().await;
    Ok(played.checks.into_iter().map(expectation).collect())
}

/// A run played and judged, its cluster still up: what its report is made from.
struct Played {
    cluster: Cluster,
    checks: Vec<CheckResult>,
    log: CallLog,
    call_names: Vec<CallName>,
    names: Vec<String>,
    windows: Vec<FaultWindow>,
    before: Vec<StatsSnapshot>,
    after: Vec<StatsSnapshot>,
    dns_queries: Option<Queries>,
    not_judged: Vec<NotJudgedReport>,
}

/// The run and its checks (the leak check included), the same for a report and for verdicts.
async fn play(scenario: &Scenario, replay: &str, progress: &Progress) -> Result<Played> {
    if let Some(error) = under_test::unbuildable(scenario) {
        return Err(error);
    }
    let mut builder = Cluster::builder()
        .backends(scenario.backends())
        .transport(scenario.transport())
        .seed(scenario.seed());
    let latencies = scenario.latencies();
    if let Some(latency) = latencies.all {
        builder = builder.latency(latency);
    }
    for &(index, latency) in &latencies.backends {
        builder = builder.backend_latency(index, latency);
    }
    let cluster = builder.start().await?;
    let names: Vec<String> = cluster.backends().iter().map(|b| b.name().to_owned()).collect();
    let baseline = Baseline::now(&cluster);
    let before = cluster.stats();
    let clients = scenario.clients();
    let (mut targets, mut timelines, mut channels) = (Vec::new(), Vec::new(), Vec::new());
    for client in 0..clients {
        let re_resolution = scenario.balancer().re_resolution();
        let (target, timeline) = discovery::target(scenario.discovery(), re_resolution, &cluster);
        let seed = clients::seed(scenario.seed(), client);
        let target = target.with_seeds(scenario.seed(), seed);
        channels.push(under_test::channel(scenario, &target, seed).await?);
        targets.push(target);
        timelines.push(timeline);
        if let Some(failure) = cluster.accept_failure() {
            // Out of file descriptors already: the run cannot be what it declares.
            cluster.shutdown().await;
            return Err(failure);
        }
    }
    if !scenario.warm_up().is_zero() {
        tokio::time::sleep(scenario.warm_up()).await;
    }
    for injection in scenario.injections() {
        cluster.inject(injection)?;
    }
    let started = cluster.fault_log().started();
    let discovery: Vec<_> = timelines.into_iter().map(|timeline| timeline.start(started)).collect();
    // The load's clock starts now; the scenario's times count from the cluster's start.
    let offset = cluster.fault_log().elapsed();
    let spec = scenario.load_spec();
    let mut call_names = Vec::new();
    let load = async {
        let (log, held, names) =
            clients::drive(&channels, &spec, progress, limits::MAX_IN_FLIGHT).await?;
        call_names = names;
        Ok((log, held))
    };
    let load = reach::watched(scenario, || cluster.dials(), progress, load).await;
    // Each client has its own resolver; the report shows the first client's queries.
    let mut dns_queries = None;
    for (client, playing) in discovery.into_iter().enumerate() {
        let queries = playing.stop().await;
        if client == 0 {
            dns_queries = queries;
        }
    }
    let (mut log, held) = load?;
    if let Some(failure) = cluster.accept_failure() {
        cluster.shutdown().await;
        return Err(failure);
    }
    for call in &mut log.calls {
        call.start += offset;
        call.end += offset;
    }
    let after = cluster.stats();
    let context =
        Context { histogram: log.served(), seed: scenario.seed(), replay: replay.to_owned() };
    let windows = cluster.fault_log().windows();
    let judged = expectations::judge(&Calls {
        scenario,
        windows: &windows,
        log: &log,
        names: &names,
        before: &before,
        after: &after,
        context: &context,
        origin: Origin::InProcess,
    });
    let mut checks = judged.checks;
    if held > 0 {
        // Right after accounting: the calls the load could not send are part of its count.
        let at = checks.iter().position(|check| check.name == "accounting").map_or(0, |i| i + 1);
        checks.insert(at, check::load_held_back(held, limits::MAX_IN_FLIGHT, &context));
    }
    drop(channels);
    drop(targets);
    if judged.by_the_run {
        // The cluster's own fault tasks are not the client's: end them first.
        cluster.restore().await;
        if let Some(failure) = cluster.accept_failure() {
            cluster.shutdown().await;
            return Err(failure);
        }
        checks.push(
            check::leak_free(&cluster, baseline, log.calls.len() as u64, LEAK_BOUND, &context)
                .await,
        );
    }
    Ok(Played {
        cluster,
        checks,
        log,
        call_names,
        names,
        windows,
        before,
        after,
        dns_queries,
        not_judged: judged.not_judged,
    })
}
