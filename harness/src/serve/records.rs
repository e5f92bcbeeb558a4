//! A served scenario judged from the client's own call records as well: every expectation by
//! the checks `jostle run` uses ([`runner::judge`](crate::runner::judge)), with the backends'
//! counters as the evidence of what only they saw (connections) and the fault windows as they
//! were played.

use super::play::Played;
use super::report::ServedReport;
use crate::fault::{FaultWindow, Kind};
use crate::load::CallLog;
use crate::net::Transport;
use crate::runner::{self, ServerSide};
use crate::scenario::Scenario;
use std::time::Duration;

/// What only the backends saw in `played`: each one's connections accepted, by index, and the
/// fault windows as they stood at the end (one that held to the end still open, as a run in
/// process reports it).
pub fn server_side(played: &Played) -> ServerSide {
    let connections =
        played.counters.iter().map(|counters| counters.connections_accepted).collect();
    let windows = played
        .open_at_end
        .iter()
        .filter_map(|window| {
            let kind = Kind::from_name(&window.kind)?;
            let backend = match window.backend.parse::<usize>() {
                Ok(index) => format!("backend-{index}"),
                Err(_) => window.backend.clone(),
            };
            Some(FaultWindow {
                id: window.id,
                backend,
                kind: kind.name(),
                detail: window.detail.clone(),
                start: Duration::from_millis(window.start_ms),
                end: window.end_ms.map(Duration::from_millis),
            })
        })
        .collect();
    ServerSide { connections, windows }
}

/// `report` (of `scenario` served) with the client's records `log` judged by the checks of
/// `jostle run` as for a run over TCP: the verdict is then theirs, every expectation judged,
/// the counters' own checks kept beside them.
///
/// # Errors
///
/// As [`runner::judge`].
pub fn with_records(
    report: ServedReport,
    scenario: &Scenario,
    log: &CallLog,
    replay: &str,
) -> crate::Result<ServedReport> {
    let server = server_side(&report.played);
    // Served backends are on TCP, on the wall clock: the calls are judged as a run over TCP is
    // (its allowance for the scheduler's lateness at deadlines among them).
    let over_tcp = scenario.clone().with_transport(Transport::Tcp);
    let client = runner::judge(over_tcp.as_ref().unwrap_or(scenario), log, Some(&server), replay)?;
    Ok(report.with_client(client))
}
