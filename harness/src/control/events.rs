//! The `Events` stream of the control API: every backend's state, then each fault window that
//! opens or closes, each change of a backend's state and each announcement or withdrawal by
//! discovery, read off the cluster every [`EVERY`] of wall time, until the caller goes or the
//! controller is closed.

use super::counters::{state_name, window};
use super::proto::{Event, FaultWindow};
use crate::cluster::Cluster;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How often the cluster is looked at: a state that lasts less may not be seen.
pub const EVERY: Duration = Duration::from_millis(20);

/// Events as they happen, into a channel the stream reads; ends when `closed` is cancelled or
/// the receiver is dropped.
pub(super) fn watch(
    cluster: Arc<Cluster>,
    announced: Arc<Mutex<Vec<bool>>>,
    closed: CancellationToken,
) -> mpsc::Receiver<Result<Event, tonic::Status>> {
    let (sender, receiver) = mpsc::channel(256);
    tokio::spawn(async move {
        // Every backend starts announced: only a change is an event.
        let mut known: Vec<bool> = vec![true; cluster.len()];
        let mut states: Vec<&'static str> = Vec::new();
        let mut windows: Vec<FaultWindow> = Vec::new();
        let mut ticks = tokio::time::interval(EVERY);
        loop {
            tokio::select! {
                () = closed.cancelled() => return,
                _ = ticks.tick() => {}
            }
            let at_ms =
                u64::try_from(cluster.fault_log().elapsed().as_millis()).unwrap_or(u64::MAX);
            let mut events = Vec::new();
            for (index, backend) in cluster.backends().iter().enumerate() {
                let state = state_name(backend.state());
                if states.get(index) != Some(&state) {
                    let event = Event {
                        at_ms,
                        kind: "state".into(),
                        backend: backend.name().into(),
                        state: state.into(),
                        window: None,
                    };
                    events.push(event);
                    match states.get_mut(index) {
                        Some(known) => *known = state,
                        None => states.push(state),
                    }
                }
            }
            for (index, now) in cluster.fault_log().windows().into_iter().map(window).enumerate() {
                let seen = windows.get(index).cloned();
                let fault = |kind: &str, w: &FaultWindow| Event {
                    at_ms,
                    kind: kind.into(),
                    backend: w.backend.clone(),
                    state: String::new(),
                    window: Some(w.clone()),
                };
                if seen.is_none() {
                    events.push(fault("fault-opened", &now));
                }
                if now.end_ms.is_some() && seen.as_ref().is_none_or(|s| s.end_ms.is_none()) {
                    events.push(fault("fault-closed", &now));
                }
                match windows.get_mut(index) {
                    Some(known) => *known = now,
                    None => windows.push(now),
                }
            }
            let now = announced.lock().unwrap_or_else(PoisonError::into_inner).clone();
            for (index, (&is, was)) in now.iter().zip(known.iter_mut()).enumerate() {
                if is != *was {
                    *was = is;
                    events.push(Event {
                        at_ms,
                        kind: if is { "announced" } else { "withdrawn" }.into(),
                        backend: cluster.backends()[index].name().into(),
                        state: String::new(),
                        window: None,
                    });
                }
            }
            for event in events {
                if sender.send(Ok(event)).await.is_err() {
                    return;
                }
            }
        }
    });
    receiver
}
