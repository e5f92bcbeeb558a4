//! The scenario's `[discovery]` on the clock: the [`Target`] a balancer is built from, and the
//! task that announces and withdraws backends as the scenario says.

use crate::channel::Target;
use crate::cluster::Cluster;
use crate::scenario::Discovery;
use http::Uri;
use jostle::discover;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The target a balancer is built from, and what plays the discovery changes.
pub(super) fn target(discovery: &Discovery, cluster: &Cluster) -> (Target, Timeline) {
    let addresses = cluster.addresses();
    let initial = discovery.initial.iter().map(|&index| addresses[index].clone());
    if discovery.changes.is_empty() {
        let changes = discover::fixed(initial);
        return (Target::new(addresses, cluster.connector(), changes), Timeline::default());
    }
    let (sender, changes) = discover::channel();
    initial.for_each(|address| {
        sender.insert(address);
    });
    let timeline = Timeline { pending: Some((sender, discovery.clone(), addresses.clone())) };
    (Target::new(addresses, cluster.connector(), changes), timeline)
}

/// The discovery changes still to play, until [`Timeline::start`].
#[derive(Debug, Default)]
pub(super) struct Timeline {
    pending: Option<(discover::ChangeSender, Discovery, Vec<Uri>)>,
}

impl Timeline {
    /// Plays every change at its time since `started` (the cluster's start).
    pub(super) fn start(self, started: Instant) -> Playing {
        Playing(self.pending.map(|(sender, discovery, addresses)| {
            tracing::debug!(changes = discovery.changes.len(), "discovery timeline starts");
            tokio::spawn(async move {
                for change in &discovery.changes {
                    tokio::time::sleep_until(started + change.at).await;
                    tracing::info!(at = ?change.at, add = ?change.add, remove = ?change.remove, "discovery change");
                    for &index in &change.add {
                        sender.insert(addresses[index].clone());
                    }
                    for &index in &change.remove {
                        sender.remove(addresses[index].clone());
                    }
                }
                // Announcements stay in force until the run ends: the stream stays open.
                std::future::pending::<()>().await;
            })
        }))
    }
}

/// The discovery task while the load runs.
#[derive(Debug)]
pub(super) struct Playing(Option<JoinHandle<()>>);

impl Playing {
    /// Ends the task (and with it the discovery stream) and waits until it is gone, so that
    /// the leak check does not count it.
    pub(super) async fn stop(self) {
        if let Some(task) = self.0 {
            task.abort();
            let _ = task.await;
        }
    }
}
