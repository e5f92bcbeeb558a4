//! The scenario's `[discovery]` on the clock: the [`Target`] a balancer is built from, and the
//! task that announces and withdraws backends as the scenario says (or, with `via = "dns"`,
//! the scripted resolver that answers as it says).

use super::dns::{self, Queries, QueryLog};
use crate::channel::Target;
use crate::cluster::Cluster;
use crate::scenario::{Discovery, Via};
use http::Uri;
use jostle::discover;
use jostle::discover::dns::ReResolution;
use std::sync::PoisonError;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The target a balancer is built from, and what plays the discovery changes. With DNS, the
/// client re-resolves as `re_resolution` says (the balancer's profile), its interval replaced
/// by the file's `min_ttl` if it gives one.
pub(super) fn target(
    discovery: &Discovery,
    re_resolution: ReResolution,
    cluster: &Cluster,
) -> (Target, Timeline) {
    let addresses = cluster.addresses();
    if let Via::Dns { ttl, min_ttl } = discovery.via {
        let started = cluster.fault_log().started();
        let min_interval = min_ttl.unwrap_or(re_resolution.min_interval);
        let re_resolution = ReResolution { min_interval, ..re_resolution };
        let (changes, refresh, log) =
            dns::discover(discovery, ttl, re_resolution, addresses.clone(), started);
        let target = Target::new(addresses, cluster.connector(), changes).with_refresh(refresh);
        return (target, Timeline { pending: None, dns: Some(log) });
    }
    let initial = discovery.initial.iter().map(|&index| addresses[index].clone());
    if discovery.changes.is_empty() {
        let changes = discover::fixed(initial);
        return (Target::new(addresses, cluster.connector(), changes), Timeline::default());
    }
    let (sender, changes) = discover::channel();
    initial.for_each(|address| {
        sender.insert(address);
    });
    let timeline =
        Timeline { pending: Some((sender, discovery.clone(), addresses.clone())), dns: None };
    (Target::new(addresses, cluster.connector(), changes), timeline)
}

/// The discovery changes still to play, until [`Timeline::start`]; or, with DNS, the
/// resolver's query log.
#[derive(Debug, Default)]
pub(super) struct Timeline {
    pending: Option<(discover::ChangeSender, Discovery, Vec<Uri>)>,
    dns: Option<QueryLog>,
}

impl Timeline {
    /// Plays every change at its time since `started` (the cluster's start).
    pub(super) fn start(self, started: Instant) -> Playing {
        let task = self.pending.map(|(sender, discovery, addresses)| {
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
        });
        Playing { task, dns: self.dns }
    }
}

/// The discovery task while the load runs, or the DNS query log.
#[derive(Debug)]
pub(super) struct Playing {
    task: Option<JoinHandle<()>>,
    dns: Option<QueryLog>,
}

impl Playing {
    /// Ends the task (and with it the discovery stream) and waits until it is gone, so that
    /// the leak check does not count it. With DNS: the queries answered until now, the end
    /// of the load (the balancer's discovery goes on until it is dropped).
    pub(super) async fn stop(self) -> Option<Queries> {
        if let Some(task) = self.task {
            task.abort();
            let _ = task.await;
        }
        self.dns.map(|log| log.lock().unwrap_or_else(PoisonError::into_inner).clone())
    }
}
