//! [`judge`]: a scenario's expectations judged from call records made elsewhere (another
//! client, another language, an earlier run), by the same code that judges a run in process.

use super::expectations;
use super::report::report;
use crate::check::Context;
use crate::cluster::{Cluster, backend_name};
use crate::error::{Error, Result};
use crate::expect::{Calls, Origin};
use crate::fault::FaultWindow;
use crate::load::{CallLog, Until};
use crate::net::Transport;
use crate::record::StatsSnapshot;
use crate::report::RunReport;
use crate::scenario::Scenario;
use std::time::Duration;

/// What only the backends saw, where they were there to see it (`jostle serve`'s counters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerSide {
    /// Connections each backend accepted, by index.
    pub connections: Vec<u64>,
    /// Every fault window as the backends played it, times since the scenario's origin.
    pub windows: Vec<FaultWindow>,
}

/// Judges every `[expect]` of `scenario` from `log`, the client's records (times since the
/// scenario's origin), with the checks `jostle run` uses, in the same order, and gives the
/// same report. The fault windows are `server`'s when given (what the backends played);
/// otherwise the file's faults played again on an in-memory cluster under the paused clock
/// until the last call ended (or the load's end, if later): the windows a run in memory
/// has. What only the backends or the client's process can show is listed as not judged:
/// `accounting`, `leak-free`, and without `server` the connection checks.
///
/// # Errors
///
/// [`Error::InvalidParameter`] when `server` does not give one count per backend, and the
/// errors of starting the cluster the faults are played on.
pub fn judge(
    scenario: &Scenario,
    log: &CallLog,
    server: Option<&ServerSide>,
    replay: &str,
) -> Result<RunReport> {
    let names: Vec<String> = (0..scenario.backends()).map(backend_name).collect();
    let windows = match server {
        Some(server) if server.connections.len() != names.len() => {
            return Err(Error::InvalidParameter {
                parameter: "counters",
                expected: format!("one count per backend of the scenario ({})", names.len()),
                got: server.connections.len().to_string(),
            });
        }
        Some(server) => server.windows.clone(),
        None => replayed_windows(scenario, run_end(scenario, log))?,
    };
    let before = vec![StatsSnapshot::default(); names.len()];
    let after: Vec<StatsSnapshot> = match server {
        Some(server) => server
            .connections
            .iter()
            .map(|&accepted| StatsSnapshot {
                connections_accepted: accepted,
                ..StatsSnapshot::default()
            })
            .collect(),
        None => before.clone(),
    };
    let context =
        Context { histogram: log.served(), seed: scenario.seed(), replay: replay.to_owned() };
    let judged = expectations::judge(&Calls {
        scenario,
        windows: &windows,
        log,
        names: &names,
        before: &before,
        after: &after,
        context: &context,
        origin: Origin::Records { counters: server.is_some() },
    });
    let checks = judged.checks;
    Ok(RunReport {
        not_judged: judged.not_judged,
        ..report(
            scenario,
            &windows,
            (log, &crate::report::sent_by_header(log, &names)),
            &names,
            (&before, &after),
            checks,
        )
    })
}

/// When a run of `scenario` that made the calls of `log` ended: its last call's end, or the
/// end of a load bounded by time, whichever is later.
fn run_end(scenario: &Scenario, log: &CallLog) -> Duration {
    let last = log.calls.iter().map(|call| call.end).max().unwrap_or_default();
    match scenario.load_spec().until {
        Until::Elapsed(duration) => last.max(scenario.warm_up().saturating_add(duration)),
        Until::Calls(_) => last,
    }
}

/// The fault windows a run of `scenario` in memory under the paused clock has at `end`: the
/// faults played on a cluster of its backends, with no load, on a thread of its own (the
/// caller may be inside a runtime).
fn replayed_windows(scenario: &Scenario, end: Duration) -> Result<Vec<FaultWindow>> {
    let play = || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .map_err(Error::Runtime)?;
        runtime.block_on(async {
            let cluster = Cluster::builder()
                .backends(scenario.backends())
                .transport(Transport::InMemory)
                .seed(scenario.seed())
                .start()
                .await?;
            if !scenario.warm_up().is_zero() {
                tokio::time::sleep(scenario.warm_up()).await;
            }
            for injection in scenario.injections() {
                cluster.inject(injection)?;
            }
            tokio::time::sleep_until(cluster.fault_log().started() + end).await;
            // Let every fault due at `end` open or close before reading.
            for _ in 0..64 {
                tokio::task::yield_now().await;
            }
            let windows = cluster.fault_log().windows();
            cluster.shutdown().await;
            Ok(windows)
        })
    };
    std::thread::scope(|scope| {
        scope.spawn(play).join().unwrap_or_else(|_| {
            Err(Error::Panicked {
                what: "playing the file's faults again".into(),
                message: "a panic".into(),
            })
        })
    })
}
