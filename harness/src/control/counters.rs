//! A backend as the control API shows it: name, address, state, and its counters since the
//! last reset (the cluster's counters minus the snapshot taken then); and a fault window.

use super::proto::{BackendInfo, Counters, FaultWindow};
use crate::cluster::{Backend, BackendState};
use crate::record::StatsSnapshot;
use std::collections::HashMap;
use tonic::Code;

/// `backend` now, its counters counted from `baseline`; `announced` as discovery has it.
pub(super) fn info(backend: &Backend, baseline: &StatsSnapshot, announced: bool) -> BackendInfo {
    BackendInfo {
        announced,
        name: backend.name().to_owned(),
        address: address(backend),
        state: state_name(backend.state()).to_owned(),
        counters: Some(since(&backend.stats(), baseline)),
    }
}

/// The backend's `host:port`.
pub fn address(backend: &Backend) -> String {
    backend.address().authority().map(ToString::to_string).unwrap_or_default()
}

/// `running`, `draining` or `stopped`.
pub fn state_name(state: BackendState) -> &'static str {
    match state {
        BackendState::Running => "running",
        BackendState::Draining => "draining",
        BackendState::Stopped => "stopped",
    }
}

/// The counters of `now` counted from `baseline`; connections open are a level, not a count,
/// and are not reset.
pub fn since(now: &StatsSnapshot, baseline: &StatsSnapshot) -> Counters {
    let failed = |stats: &StatsSnapshot| -> HashMap<String, u64> {
        stats.failures().into_iter().map(|(code, n)| (code_name(code), n)).collect()
    };
    let refused = |stats: &StatsSnapshot| -> HashMap<String, u64> {
        let named = stats.refused_streams.iter();
        named.map(|(&reason, &n)| (crate::net::reason_name(reason), n)).collect()
    };
    Counters {
        refused_streams: delta(refused(now), &refused(baseline)),
        failed: delta(failed(now), &failed(baseline)),
        served: now.total_ok().saturating_sub(baseline.total_ok()),
        connections_accepted: now
            .connections_accepted
            .saturating_sub(baseline.connections_accepted),
        connections_open: now.connections_open,
    }
}

/// Each count of `now` less the same name's count in `baseline`; names left at zero are left
/// out.
pub(crate) fn delta(
    now: impl IntoIterator<Item = (String, u64)>,
    baseline: &HashMap<String, u64>,
) -> HashMap<String, u64> {
    now.into_iter()
        .map(|(name, n)| {
            let before = baseline.get(&name).copied().unwrap_or(0);
            (name, n.saturating_sub(before))
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// A gRPC status code's name as tonic spells it: `Unavailable`, `DeadlineExceeded`.
pub fn code_name(code: i32) -> String {
    format!("{:?}", Code::from(code))
}

/// A fault window as the control API shows it, its times in whole milliseconds since serving
/// began.
pub fn window(window: crate::fault::FaultWindow) -> FaultWindow {
    let millis = |at: std::time::Duration| u64::try_from(at.as_millis()).unwrap_or(u64::MAX);
    FaultWindow {
        id: window.id,
        backend: window.backend,
        kind: window.kind.to_owned(),
        detail: window.detail,
        start_ms: millis(window.start),
        end_ms: window.end.map(millis),
    }
}
