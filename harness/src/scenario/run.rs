//! [`run`]: plays a scenario and reports every expectation against what happened.

use super::{BalancerChoice, Scenario};
use crate::channel::{BoxChannel, boxed};
use crate::check::{self, Baseline, CheckResult, Context};
use crate::cluster::Cluster;
use crate::dial::{FallbackDialer, RoundRobinDialer};
use crate::error::{Error, Result};
use crate::load::{CallLog, CallOutcome, Progress, drive_with};
use crate::net::Transport;
use crate::record::StatsSnapshot;
use crate::report::{
    BackendReport, CallTotals, ExpectationReport, FaultWindowReport, Latency, RunReport, Timeline,
};
use jostle::balance::BalancedChannel;
use jostle::discover;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use tonic::Code;
use tonic::transport::{Channel, Endpoint};

/// How long leftovers may take to go after the run, for `no_leaks`.
const LEAK_BOUND: Duration = Duration::from_secs(5);

/// Plays `scenario`: starts its cluster, its balancer and its fault timeline, drives its load,
/// and checks every expectation. `replay` is the command that replays it, for the report.
/// Under tokio's paused clock (in memory) the whole run is virtual and deterministic.
pub async fn run(scenario: &Scenario, replay: &str) -> Result<RunReport> {
    run_with(scenario, replay, &Progress::new()).await
}

/// [`run`], publishing how far the load is to `progress` (for a progress bar drawn by another
/// thread). The same run, byte for byte: publishing adds no timer and no await.
pub async fn run_with(scenario: &Scenario, replay: &str, progress: &Progress) -> Result<RunReport> {
    let cluster = Cluster::builder()
        .backends(scenario.backends())
        .transport(scenario.transport())
        .seed(scenario.seed())
        .start()
        .await?;
    let baseline = Baseline::now(scenario.transport() == Transport::Tcp);
    let before = cluster.stats();
    let channel = channel(scenario, &cluster).await?;
    for injection in scenario.injections() {
        cluster.inject(injection)?;
    }
    let load = scenario.load_spec();
    // The load's clock starts now; the file's times count from the cluster's start.
    let offset = cluster.fault_log().elapsed();
    let mut log = drive_with(channel.clone(), &load, progress).await?;
    for call in &mut log.calls {
        call.start += offset;
        call.end += offset;
    }
    let after = cluster.stats();
    let names: Vec<String> = cluster.backends().iter().map(|b| b.name().to_owned()).collect();
    let context =
        Context { histogram: log.served(), seed: scenario.seed(), replay: replay.to_owned() };
    let mut checks = vec![check::accounting(&log, &before, &after, &context)];
    checks.extend(expectations(scenario, &cluster, &log, &names, &before, &after, &context));
    drop(channel);
    if scenario.expect().no_leaks {
        cluster.restore().await;
        checks.push(check::leak_free(&cluster, baseline, LEAK_BOUND, &context).await);
    }
    let report = report(scenario, &cluster, &log, &names, &before, &after, checks);
    cluster.shutdown().await;
    Ok(report)
}

/// The balancer under test, as a channel to the cluster; ready before the load starts.
async fn channel(scenario: &Scenario, cluster: &Cluster) -> Result<BoxChannel> {
    let addresses = cluster.addresses();
    let connector = cluster.connector();
    let endpoint = Endpoint::from_static("http://orders.jostle");
    Ok(match scenario.balancer() {
        BalancerChoice::Jostle { config, .. } => {
            let policy = scenario.balancer().policy(scenario.seed()).ok_or_else(|| {
                Error::InvalidParameter {
                    parameter: "balancer",
                    expected: "a jostle policy".into(),
                    got: scenario.balancer().name().into(),
                }
            })?;
            let balanced = BalancedChannel::builder()
                .boxed_balancer(policy)
                .config((**config).clone())
                .try_build(discover::fixed(addresses), connector)
                .map_err(|error| Error::InvalidParameter {
                    parameter: "balancer",
                    expected: "a valid balancer configuration".into(),
                    got: error.to_string(),
                })?;
            let all = cluster.len();
            // Connecting takes no virtual time; on TCP it is a few milliseconds.
            let ready = balanced
                .wait_until(|endpoints| endpoints.iter().filter(|e| e.ready).count() == all);
            let _ = tokio::time::timeout(Duration::from_secs(5), ready).await;
            boxed(balanced)
        }
        BalancerChoice::TonicBalanceList => {
            // On TCP only: parsing and the overrides refuse it in memory.
            boxed(Channel::balance_list(addresses.into_iter().map(Endpoint::from)))
        }
        BalancerChoice::RoundRobinDialer => {
            boxed(endpoint.connect_with_connector_lazy(RoundRobinDialer::new(addresses, connector)))
        }
        BalancerChoice::FallbackDialer => {
            boxed(endpoint.connect_with_connector_lazy(FallbackDialer::new(addresses, connector)))
        }
    })
}

fn expectations(
    scenario: &Scenario,
    cluster: &Cluster,
    log: &CallLog,
    names: &[String],
    before: &[StatsSnapshot],
    after: &[StatsSnapshot],
    context: &Context,
) -> Vec<CheckResult> {
    let expect = scenario.expect();
    let mut checks = Vec::new();
    if let Some(rate) = expect.max_failure_rate {
        checks.push(check::failure_rate(log, Duration::ZERO, rate, context));
    }
    for share in &expect.shares {
        checks.push(check::share(log, &names[share.backend], share.after, share.at_least, context));
    }
    if let Some(fallback) = expect.fallback {
        let failed_at =
            cluster.fault_log().windows().iter().map(|w| w.start).min().unwrap_or_default();
        checks.push(check::fallback(
            log,
            failed_at,
            fallback.grace,
            fallback.max_failures,
            context,
        ));
    }
    if let Some(epsilon) = expect.max_latency_over_deadline {
        checks.push(check::timeout(log, scenario.load_spec().deadline, epsilon, context));
    }
    if let Some(max) = expect.max_connections {
        let opened = crate::record::connections_opened(before, after);
        let calls = (log.calls.len() as u64).max(1);
        checks.push(check::connections(opened, calls, max as f64 * 1000.0 / calls as f64, context));
    }
    checks
}

fn report(
    scenario: &Scenario,
    cluster: &Cluster,
    log: &CallLog,
    names: &[String],
    before: &[StatsSnapshot],
    after: &[StatsSnapshot],
    checks: Vec<CheckResult>,
) -> RunReport {
    let ok = log.ok();
    // The OK calls' latencies by backend, in one pass over the log.
    let index: HashMap<&str, usize> =
        names.iter().enumerate().map(|(i, name)| (name.as_str(), i)).collect();
    let mut latencies: Vec<Vec<Duration>> = vec![Vec::new(); names.len()];
    for call in log.calls.iter().filter(|call| call.outcome == CallOutcome::Ok) {
        if let Some(&backend) = call.backend.as_deref().and_then(|name| index.get(name)) {
            latencies[backend].push(call.latency());
        }
    }
    let backends = names
        .iter()
        .zip(before.iter().zip(after))
        .zip(&latencies)
        .map(|((name, (b, a)), served)| {
            let mut failures = BTreeMap::new();
            let earlier_failures = b.failures();
            for (code, count) in a.failures() {
                let earlier = earlier_failures.get(&code).copied().unwrap_or(0);
                if count > earlier {
                    failures.insert(format!("{:?}", Code::from_i32(code)), count - earlier);
                }
            }
            BackendReport {
                name: name.clone(),
                served: served.len() as u64,
                share: if ok == 0 { 0.0 } else { served.len() as f64 / ok as f64 },
                failures,
                latency_ms: Latency::from_samples(served),
                connections_opened: a.connections_accepted - b.connections_accepted,
            }
        })
        .collect();
    let faults = cluster
        .fault_log()
        .windows()
        .into_iter()
        .map(|w| FaultWindowReport {
            id: w.id,
            backend: w.backend,
            kind: w.kind.to_owned(),
            start_ms: crate::report::millis(w.start),
            end_ms: w.end.map(crate::report::millis),
        })
        .collect();
    let passed = checks.iter().all(|check| check.passed);
    let expectations = checks
        .into_iter()
        .map(|check| ExpectationReport {
            check: check.name.to_owned(),
            passed: check.passed,
            rule: check.rule,
            measured: check.measured.into_iter().collect(),
            explanation: check.explanation,
        })
        .collect();
    RunReport {
        scenario: scenario.name().to_owned(),
        seed: scenario.seed(),
        transport: scenario.transport().to_string(),
        balancer: scenario.balancer().name().to_owned(),
        calls: CallTotals {
            sent: log.calls.len() as u64,
            ok,
            failed: log.failed(),
            timed_out: log.timed_out(),
        },
        backends,
        faults,
        expectations,
        timeline: Timeline::from_log(log, names, scenario.load_spec().deadline),
        passed,
        expected: scenario.expect().outcome.name().to_owned(),
        as_expected: scenario.expect().outcome.is_met_by(passed),
    }
}
