//! [`Cluster`]: N backends, the network they listen on, and the faults injected into them.

use super::timeline::{self, Active};
use super::{Backend, ClusterBuilder, StopMode};
use crate::error::{Error, Result};
use crate::fault::{Backends, FaultId, FaultLog, Injection};
use crate::net::{Connector, MemNetwork, Transport};
use crate::record::ListenerFailure;
use http::Uri;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tonic::transport::{Channel, Endpoint};

/// N order-service backends running in this process. Dropping it cuts every backend and every
/// scheduled fault: each connection is reset and every task the cluster started ends.
#[derive(Debug)]
pub struct Cluster {
    backends: Vec<Backend>,
    transport: Transport,
    network: Arc<MemNetwork>,
    seed: u64,
    log: Arc<FaultLog>,
    injections: Mutex<BTreeMap<FaultId, Active>>,
    timeline: TaskTracker,
}

impl Cluster {
    /// A builder: 3 in-memory backends serving the reference order service, seed 0.
    pub fn builder() -> ClusterBuilder {
        ClusterBuilder::default()
    }

    pub(crate) fn new(
        backends: Vec<Backend>,
        transport: Transport,
        network: Arc<MemNetwork>,
        seed: u64,
        log: Arc<FaultLog>,
    ) -> Self {
        Self {
            backends,
            transport,
            network,
            seed,
            log,
            injections: Mutex::default(),
            timeline: TaskTracker::new(),
        }
    }

    /// How many backends.
    pub fn len(&self) -> usize {
        self.backends.len()
    }

    /// Never: a cluster has at least one backend.
    pub fn is_empty(&self) -> bool {
        self.backends.is_empty()
    }

    /// The transport the backends listen on.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The seed of this cluster's random choices.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Every backend, by id.
    pub fn backends(&self) -> &[Backend] {
        &self.backends
    }

    /// Backend `index`, or [`Error::UnknownBackend`].
    pub fn backend(&self, index: usize) -> Result<&Backend> {
        self.backends.get(index).ok_or(Error::UnknownBackend { index, len: self.backends.len() })
    }

    /// Every backend's own counters now, by id.
    pub fn stats(&self) -> Vec<crate::record::StatsSnapshot> {
        self.backends.iter().map(Backend::stats).collect()
    }

    /// The first backend that could not take connections, as an error naming it and the
    /// reason ([`Error::Accept`]: its listener could not accept; [`Error::ListenAgain`]: it
    /// could not listen on its address again after a fault took it down): a run in which that
    /// happened did not run what it declares.
    pub fn accept_failure(&self) -> Option<Error> {
        self.backends.iter().find_map(|backend| {
            let backend_name = backend.name().to_owned();
            Some(match backend.accept_failure()? {
                ListenerFailure::Accept { reason } => {
                    Error::Accept { backend: backend_name, reason }
                }
                ListenerFailure::ListenAgain { address, source } => {
                    Error::ListenAgain { backend: backend_name, address, source }
                }
            })
        })
    }

    /// Every backend's address, by id.
    pub fn addresses(&self) -> Vec<Uri> {
        self.backends.iter().map(|backend| backend.address().clone()).collect()
    }

    /// A connector that reaches this cluster's addresses, for `Endpoint::connect_with_connector`
    /// and for jostle's dialers.
    pub fn connector(&self) -> Connector {
        match self.transport {
            Transport::InMemory => Connector::in_memory(&self.network),
            Transport::Tcp => Connector::tcp(),
        }
    }

    /// How many connects the in-memory network was asked for since the cluster started,
    /// answered or refused (0 on TCP, which the kernel counts).
    pub(crate) fn dials(&self) -> u64 {
        self.network.dials()
    }

    /// A lazily connected tonic channel to backend `index`, through [`Cluster::connector`].
    pub fn channel(&self, index: usize) -> Result<Channel> {
        let address = self.backend(index)?.address().clone();
        Ok(Endpoint::from(address).connect_with_connector_lazy(self.connector()))
    }

    /// Crashes backend `index`: every open connection is reset at once, in-flight calls fail,
    /// new connects are refused until [`Cluster::start`].
    pub async fn crash(&self, index: usize) -> Result<()> {
        self.backend(index)?.stop(StopMode::Abrupt).await
    }

    /// Stops backend `index` as a rolling deploy does: new connects refused, GOAWAY sent,
    /// in-flight calls finish; returns once they have.
    pub async fn stop(&self, index: usize) -> Result<()> {
        self.backend(index)?.stop(StopMode::Graceful).await
    }

    /// Starts a crashed or stopped backend `index` again on the same address, with its
    /// counters and faults. An error if it runs.
    pub async fn start(&self, index: usize) -> Result<()> {
        self.backend(index)?.start().await
    }

    /// Crashes backend `index` and starts it again at once, as [`Fault::Restart`] does after
    /// its `down_for` (inject that for a restart on the timeline, logged as a fault window).
    ///
    /// [`Fault::Restart`]: crate::fault::Fault::Restart
    pub async fn restart(&self, index: usize) -> Result<()> {
        self.crash(index).await?;
        self.start(index).await
    }

    /// Every fault window and hit so far.
    pub fn fault_log(&self) -> &FaultLog {
        &self.log
    }

    /// Injects a fault. A standing fault injected for now is in force when this returns;
    /// anything later, timed or one-shot, runs on the cluster's timeline. Invalid parameters and
    /// unknown backends are errors naming them; nothing is injected then.
    pub fn inject(&self, injection: Injection) -> Result<FaultId> {
        let Injection { fault, target, at, lasting } = injection;
        fault.validate()?;
        let backends = self.targets(&target)?;
        let kind = fault.kind();
        kind.runs_on(self.transport).map_err(|unsupported| Error::InvalidParameter {
            parameter: "fault",
            expected: format!("a fault that runs on {}: {}", self.transport, unsupported.instead()),
            got: unsupported.to_string(),
        })?;
        if let Some(lasting) = lasting {
            if kind.is_one_shot() {
                return Err(Error::InvalidParameter {
                    parameter: "lasting",
                    expected: format!("no duration for the one-shot fault {kind}"),
                    got: format!("{lasting:?}"),
                });
            }
            if lasting.is_zero() {
                return Err(Error::InvalidParameter {
                    parameter: "lasting",
                    expected: "a duration above zero".into(),
                    got: format!("{lasting:?}"),
                });
            }
        }
        let id = FaultId(self.log.allocate());
        let now = at.is_none() && kind.is_standing();
        if now {
            timeline::stand(&backends, id, &fault);
        }
        let healed = CancellationToken::new();
        let start = at.map(|at| self.log.started() + at);
        if now && lasting.is_none() {
            // In force until healed: nothing to wait for, no task.
            self.injections
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id, Active { backends, healed });
            return Ok(id);
        }
        self.timeline.spawn(timeline::run(timeline::Scheduled {
            backends: backends.clone(),
            id,
            fault,
            start,
            lasting,
            log: Arc::clone(&self.log),
            healed: healed.clone(),
            already_standing: now,
        }));
        self.injections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, Active { backends, healed });
        Ok(id)
    }

    /// Ends a fault on every backend it targets: standing faults stop at once, a scheduled one
    /// never starts, a restart in progress brings its backends back now, flapping stops.
    /// Healing twice is harmless.
    pub fn heal(&self, id: FaultId) {
        let active = self.injections.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
        if let Some(active) = active {
            active.healed.cancel();
            timeline::heal(&active.backends, id);
        }
    }

    /// Heals every fault injected so far (see [`Cluster::heal`]).
    pub fn heal_all(&self) {
        let ids: Vec<FaultId> = self
            .injections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .copied()
            .collect();
        for id in ids {
            self.heal(id);
        }
    }

    /// Heals every fault and waits until every backend runs again: the cluster as it started,
    /// so that a leak check compares like with like (the cluster's own fault tasks are gone).
    /// A backend that cannot listen again on its address ends the wait too, with its reason in
    /// [`Cluster::accept_failure`].
    pub async fn restore(&self) {
        self.heal_all();
        for backend in &self.backends {
            backend.wait_until_running_or_failed().await;
        }
    }

    fn targets(&self, target: &Backends) -> Result<Vec<Backend>> {
        let indices: Vec<usize> = match target {
            Backends::One(index) => vec![*index],
            Backends::Many(indices) => indices.clone(),
            Backends::All => (0..self.backends.len()).collect(),
        };
        if indices.is_empty() {
            return Err(Error::InvalidParameter {
                parameter: "target",
                expected: "at least one backend".into(),
                got: "none".into(),
            });
        }
        let mut backends: Vec<Backend> = Vec::with_capacity(indices.len());
        for index in indices {
            let backend = self.backend(index)?;
            if !backends.iter().any(|b| b.id() == index) {
                backends.push(backend.clone());
            }
        }
        Ok(backends)
    }

    /// Ends every fault, stops every running backend abruptly, and waits until all their tasks
    /// and connections are gone. Dropping the cluster does the same without waiting.
    pub async fn shutdown(self) {
        self.stop_for_good().await;
    }

    /// What [`Cluster::shutdown`] does before the cluster is dropped: every backend retired,
    /// none keeping its port ([`Backend::retire`]), as dropping at once frees them.
    pub(super) async fn stop_for_good(&self) {
        tracing::info!(backends = self.backends.len(), "cluster shuts down");
        self.cut_timeline();
        self.timeline.close();
        self.timeline.wait().await;
        for backend in &self.backends {
            backend.retire().await;
        }
    }

    fn cut_timeline(&self) {
        let injections =
            std::mem::take(&mut *self.injections.lock().unwrap_or_else(PoisonError::into_inner));
        for active in injections.into_values() {
            active.healed.cancel();
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.cut_timeline();
        self.timeline.close();
        self.backends.iter().for_each(Backend::cut);
    }
}
