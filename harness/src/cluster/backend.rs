//! [`Backend`]: one replica of a cluster, with a stable id, name and address.

use super::latency::{BackendLatency, LatencyDraws};
use super::listener::Listener;
use super::port_hold::PortHold;
use super::run::Run;
use super::service::ServiceFactory;
use crate::error::{Error, Result};
use crate::fault::{Fault, FaultId, FaultLog, FaultSet};
use crate::net::MemNetwork;
use crate::record::{BackendStats, StatsSnapshot};
use http::Uri;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How a backend stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopMode {
    /// As a crash: every open connection is reset at once, in-flight calls fail, new connects
    /// are refused.
    Abrupt,
    /// As a rolling deploy: new connects are refused, GOAWAY goes out, in-flight calls finish.
    Graceful,
    /// As a process exiting on SIGTERM: as [`StopMode::Graceful`], but what is still open
    /// after `grace` is reset, as the SIGKILL at the end of a grace period does.
    Terminate {
        /// How long in-flight calls may go on.
        grace: std::time::Duration,
    },
}

/// Where a backend is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendState {
    /// Listening and serving.
    Running,
    /// Stopping gracefully: refusing connects, finishing in-flight calls.
    Draining,
    /// Not listening; connects are refused.
    Stopped,
}

/// A handle to one backend. Clones are the same backend.
#[derive(Debug, Clone)]
pub struct Backend {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    id: usize,
    name: String,
    address: Uri,
    place: Place,
    service: ServiceFactory,
    stats: Arc<BackendStats>,
    faults: Arc<FaultSet>,
    /// The latency each call waits, drawn from the backend's own stream across restarts.
    latency: Option<Arc<LatencyDraws>>,
    rpc_behavior: bool,
    /// Set when the cluster is dropped: the backend never starts again.
    retired: std::sync::atomic::AtomicBool,
    lifecycle: tokio::sync::Mutex<()>,
    running: Mutex<Option<Running>>,
    /// A stopped TCP backend's port, bound and not listening, so that it stays the backend's.
    hold: Mutex<Option<PortHold>>,
    /// How many times a stop bound a hold (for the tests that read it; not in a shipped build).
    #[cfg(test)]
    holds_bound: std::sync::atomic::AtomicU64,
    state: watch::Sender<BackendState>,
}

/// A backend that runs: the run and where it listens.
#[derive(Debug)]
struct Running {
    run: Arc<Run>,
    listener: Listener,
}

/// What every backend of a cluster shares: the seed, the fault log, the options.
#[derive(Debug, Clone)]
pub(crate) struct Common {
    pub(crate) service: ServiceFactory,
    pub(crate) seed: u64,
    pub(crate) log: Arc<FaultLog>,
    pub(crate) rpc_behavior: bool,
    /// Each backend's latency, by index.
    pub(crate) latencies: Arc<[Option<BackendLatency>]>,
    /// The cluster's arrival numbers, shared by its backends only.
    pub(crate) arrivals: crate::record::Arrivals,
}

#[derive(Debug)]
enum Place {
    Mem(Arc<MemNetwork>),
    Tcp,
}

impl Backend {
    /// Starts backend `id` listening on the in-memory `network`.
    pub(crate) fn start_in_memory(
        id: usize,
        network: &Arc<MemNetwork>,
        common: &Common,
    ) -> Result<Self> {
        let name = backend_name(id);
        let authority = crate::net::mem_address(id);
        let address = Uri::try_from(format!("http://{authority}")).expect("a valid in-memory URI");
        let backend = Self::new(id, name, address, Place::Mem(Arc::clone(network)), common);
        backend.serve(None)?;
        Ok(backend)
    }

    /// Starts backend `id` listening on `wanted` (port 0: an ephemeral one).
    pub(crate) async fn start_tcp(id: usize, wanted: SocketAddr, common: &Common) -> Result<Self> {
        let name = backend_name(id);
        let wanted = wanted.to_string();
        let listen_error =
            |source| Error::Listen { backend: backend_name(id), address: wanted.clone(), source };
        let listener = TcpListener::bind(wanted.as_str()).await.map_err(listen_error)?;
        let local = listener.local_addr().map_err(listen_error)?;
        let address = Uri::try_from(format!("http://{local}")).expect("a valid TCP URI");
        let backend = Self::new(id, name, address, Place::Tcp, common);
        backend.serve(Some(listener))?;
        Ok(backend)
    }

    fn new(id: usize, name: String, address: Uri, place: Place, common: &Common) -> Self {
        let faults = FaultSet::new(id, &name, common.seed, Arc::clone(&common.log));
        let latency = common.latencies.get(id).copied().flatten();
        let latency = latency.map(|latency| Arc::new(LatencyDraws::new(latency, common.seed, id)));
        Self {
            inner: Arc::new(Inner {
                id,
                name,
                address,
                place,
                service: common.service.clone(),
                stats: Arc::new(BackendStats::new(common.arrivals.clone())),
                faults: Arc::new(faults),
                latency,
                rpc_behavior: common.rpc_behavior,
                retired: std::sync::atomic::AtomicBool::new(false),
                lifecycle: tokio::sync::Mutex::new(()),
                running: Mutex::new(None),
                hold: Mutex::new(None),
                #[cfg(test)]
                holds_bound: std::sync::atomic::AtomicU64::new(0),
                state: watch::channel(BackendState::Stopped).0,
            }),
        }
    }

    /// Starts a run: on `tcp` if given, else on the backend's own place.
    fn serve(&self, tcp: Option<TcpListener>) -> Result<()> {
        let routes = self.inner.service.make(&self.inner.name);
        let run = Run::new(
            Arc::from(self.inner.name.as_str()),
            routes,
            Arc::clone(&self.inner.stats),
            Arc::clone(&self.inner.faults),
            self.inner.latency.clone(),
            self.inner.rpc_behavior,
        );
        let listener = match (&self.inner.place, tcp) {
            (Place::Mem(network), _) => Listener::mem(network, &self.authority(), &run),
            (Place::Tcp, Some(listener)) => Listener::tcp(listener, &run),
            (Place::Tcp, None) => unreachable!("a TCP backend starts with a bound listener"),
        }
        .map_err(|source| self.listen_error(source))?;
        let mut running = self.running();
        if self.inner.retired.load(std::sync::atomic::Ordering::SeqCst) {
            listener.cut();
            return Err(Error::Retired { backend: self.inner.name.clone() });
        }
        *running = Some(Running { run, listener });
        drop(running);
        self.inner.state.send_replace(BackendState::Running);
        Ok(())
    }

    fn running(&self) -> std::sync::MutexGuard<'_, Option<Running>> {
        self.inner.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn listen_error(&self, source: std::io::Error) -> Error {
        Error::Listen { backend: self.inner.name.clone(), address: self.authority(), source }
    }

    /// The backend's index in its cluster, from 0.
    pub fn id(&self) -> usize {
        self.inner.id
    }

    /// The backend's name, `backend-<id>`, as it reports in `served_by` and `x-jostle-backend`.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The address clients dial: `http://127.74.0.<id + 1>:0` in memory (an IP literal on a
    /// port nothing listens on: see [`mem_address`](crate::net::mem_address)),
    /// `http://<host>:<port>` on TCP (127.0.0.1 unless [`ClusterBuilder::host`](super::ClusterBuilder::host) said otherwise). It stays the same across restarts.
    pub fn address(&self) -> &Uri {
        &self.inner.address
    }

    fn authority(&self) -> String {
        self.inner.address.authority().map(ToString::to_string).unwrap_or_default()
    }

    /// The backend's own counters now.
    pub fn stats(&self) -> StatsSnapshot {
        self.inner.stats.snapshot()
    }

    /// The calls of jostle's load driver that reached the backend, in arrival order (by the
    /// name each carries in [`CALL_HEADER`](crate::CALL_HEADER)).
    pub fn calls_seen(&self) -> Vec<crate::record::SeenCall> {
        self.inner.stats.calls_seen()
    }

    /// Named calls that reached the backend past the
    /// [`MAX_CALLS_SEEN`](crate::record::MAX_CALLS_SEEN) it keeps: not in
    /// [`calls_seen`](Self::calls_seen).
    pub fn calls_not_kept(&self) -> u64 {
        self.inner.stats.calls_not_kept()
    }

    /// Why the backend could not take connections, the first time it could not (TCP only): its
    /// listener could not accept (out of file descriptors, say), or it could not listen on its
    /// address again after a fault took it down; `None` when it always could.
    pub fn accept_failure(&self) -> Option<crate::record::ListenerFailure> {
        self.inner.stats.accept_failure()
    }

    /// Waits, without a clock, until `condition` holds of the backend's counters.
    pub async fn wait_until(&self, condition: impl FnMut(&StatsSnapshot) -> bool) -> StatsSnapshot {
        self.inner.stats.wait_until(condition).await
    }

    /// The faults active on this backend. They outlive restarts. Faults go in and out through
    /// the cluster (`Cluster::inject`, `Cluster::heal`), the one door that validates them and
    /// keeps the timeline.
    pub(crate) fn faults(&self) -> &Arc<FaultSet> {
        &self.inner.faults
    }

    /// How long this backend takes to answer each call, if it was given a latency.
    pub fn latency(&self) -> Option<BackendLatency> {
        self.inner.latency.as_ref().map(|draws| draws.latency())
    }

    /// The standing faults on this backend now, oldest first.
    pub fn active_faults(&self) -> Vec<(FaultId, Fault)> {
        self.inner.faults.active()
    }

    /// Where the backend is in its life now.
    pub fn state(&self) -> BackendState {
        *self.inner.state.borrow()
    }

    /// Waits until the backend reaches `state`.
    pub async fn wait_for_state(&self, state: BackendState) {
        let mut states = self.inner.state.subscribe();
        // The sender lives as long as `self`: this cannot fail.
        let _ = states.wait_for(|now| *now == state).await;
    }

    /// Waits until the backend runs, or until it is known that it cannot: its listener could
    /// not accept, or it could not listen again after a fault took it down
    /// ([`Backend::start_again`]).
    pub(crate) async fn wait_until_running_or_failed(&self) {
        let mut states = self.inner.state.subscribe();
        let stats = &self.inner.stats;
        // The sender lives as long as `self`: this cannot fail.
        let _ = states
            .wait_for(|now| *now == BackendState::Running || stats.accept_failure().is_some())
            .await;
    }

    /// Starts the backend again after a fault took it down. Already running (somebody started
    /// it meanwhile) is as wanted. Not listening again on its address (over TCP another socket
    /// can take a port while its backend is down) is kept as the backend's accept failure, of
    /// its own kind ([`ListenerFailure::ListenAgain`](crate::record::ListenerFailure)): the
    /// run fails naming it (`Cluster::accept_failure`) rather than blame the balancer for a
    /// backend that never came back, and nothing waits for ever for it to run.
    pub(crate) async fn start_again(&self) {
        match self.start().await {
            // Retired: the cluster was dropped, nothing waits for the backend any more.
            Ok(()) | Err(Error::AlreadyRunning { .. } | Error::Retired { .. }) => {}
            Err(error) => {
                let source = match error {
                    Error::Listen { source, .. } => source,
                    other => std::io::Error::other(other),
                };
                let (address, reason) = (self.authority(), source.to_string());
                if self.inner.stats.listen_again_failed(&address, source) {
                    let backend = &self.inner.name;
                    tracing::warn!(backend, address, error = reason, "cannot listen again");
                }
                // Wakes whoever waits for the backend to run (`Cluster::restore`).
                self.inner.state.send_replace(BackendState::Stopped);
            }
        }
    }

    /// Stops the backend. Returns once the listener is closed and every connection is gone:
    /// at once for [`StopMode::Abrupt`], after the in-flight calls for [`StopMode::Graceful`],
    /// after them or the grace, whichever ends first, for [`StopMode::Terminate`].
    pub async fn stop(&self, mode: StopMode) -> Result<()> {
        let _lifecycle = self.inner.lifecycle.lock().await;
        let Running { run, mut listener } = self
            .running()
            .take()
            .ok_or_else(|| Error::NotRunning { backend: self.inner.name.clone() })?;
        listener.close().await;
        // A backend stopped for good has no port to keep: nothing starts it again.
        if !self.inner.retired.load(std::sync::atomic::Ordering::SeqCst) {
            self.hold_port();
        }
        match mode {
            StopMode::Abrupt => run.kill.cancel(),
            StopMode::Graceful | StopMode::Terminate { .. } => {
                self.inner.state.send_replace(BackendState::Draining);
                run.drain_now();
            }
        }
        run.stop.cancel();
        match mode {
            StopMode::Terminate { grace } => {
                if tokio::time::timeout(grace, run.finished()).await.is_err() {
                    run.kill.cancel();
                    run.finished().await;
                }
            }
            StopMode::Abrupt | StopMode::Graceful => run.finished().await,
        }
        self.inner.state.send_replace(BackendState::Stopped);
        tracing::info!(backend = %self.inner.name, ?mode, "backend stopped");
        Ok(())
    }

    /// Starts a stopped backend again on the same address, with a fresh service (its store is
    /// empty again) and the same counters and faults. An error if it runs.
    pub async fn start(&self) -> Result<()> {
        let _lifecycle = self.inner.lifecycle.lock().await;
        if self.running().is_some() {
            return Err(Error::AlreadyRunning { backend: self.inner.name.clone() });
        }
        let tcp = match &self.inner.place {
            Place::Mem(_) => None,
            Place::Tcp => Some(
                TcpListener::bind(self.authority())
                    .await
                    .map_err(|source| self.listen_error(source))?,
            ),
        };
        self.serve(tcp)?;
        // The new listener is bound beside the hold: only now may the hold go.
        self.hold().take();
        tracing::info!(backend = %self.inner.name, "backend started");
        Ok(())
    }

    /// Sends GOAWAY on every open connection (in-flight calls finish) and goes on accepting.
    pub fn drain(&self) -> Result<()> {
        let running = self.running();
        let running = running
            .as_ref()
            .ok_or_else(|| Error::NotRunning { backend: self.inner.name.clone() })?;
        running.run.drain_now();
        Ok(())
    }

    /// Stops the backend abruptly for good, as `Cluster::shutdown` does: it never starts again,
    /// so no hold is bound for its port, and a hold a fault left is released. Returns once its
    /// listener is closed and every connection is gone; already stopped is fine.
    pub(crate) async fn retire(&self) {
        self.inner.retired.store(true, std::sync::atomic::Ordering::SeqCst);
        // `NotRunning` is the one error of `stop`: a backend already stopped is as wanted.
        let _ = self.stop(StopMode::Abrupt).await;
        self.hold().take();
    }

    /// Cuts the backend at once without waiting, as the cluster's `Drop` does.
    pub(crate) fn cut(&self) {
        let mut running = self.running();
        self.inner.retired.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(Running { run, listener }) = running.take() {
            listener.cut();
            run.kill.cancel();
            run.stop.cancel();
        }
        self.hold().take();
        self.inner.state.send_replace(BackendState::Stopped);
    }

    /// Keeps a stopped TCP backend's port (see [`PortHold`]); nothing to keep in memory.
    fn hold_port(&self) {
        if let Place::Tcp = self.inner.place
            && let Ok(address) = self.authority().parse::<SocketAddr>()
        {
            *self.hold() = PortHold::keep(address, &self.inner.name);
            #[cfg(test)]
            self.inner.holds_bound.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// How many times a stop bound a hold for the backend's port, and whether one is bound now.
    #[cfg(test)]
    pub(super) fn holds(&self) -> (u64, bool) {
        let bound = self.inner.holds_bound.load(std::sync::atomic::Ordering::SeqCst);
        (bound, self.hold().is_some())
    }

    fn hold(&self) -> std::sync::MutexGuard<'_, Option<PortHold>> {
        self.inner.hold.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The name of backend `id`.
pub(crate) fn backend_name(id: usize) -> String {
    format!("backend-{id}")
}
