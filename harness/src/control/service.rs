//! [`Controller`]: the control API's service over a shared [`Cluster`].

use super::counters;
use super::echo::refuse;
use super::inject;
use super::proto::control_server::{Control, ControlServer};
use super::proto::{
    BackendInfo, BackendRequest, BackendResponse, Event, EventsRequest, FaultLogRequest,
    FaultLogResponse, HealRequest, HealResponse, InjectRequest, InjectResponse,
    ListBackendsRequest, ListBackendsResponse, ResetCountersRequest, ResetCountersResponse,
};
use crate::cluster::Cluster;
use crate::error::Error;
use crate::fault::FaultId;
use crate::record::StatsSnapshot;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Code, Request, Response, Status};

/// The control API of a cluster: lists its backends and counters, injects and heals faults,
/// crashes, stops, starts and restarts backends. Every bad request is an `INVALID_ARGUMENT`
/// (or `FAILED_PRECONDITION`, `NOT_FOUND`) naming what was wrong; none stops the serving.
#[derive(Debug)]
pub struct Controller {
    cluster: Arc<Cluster>,
    baselines: Mutex<Vec<StatsSnapshot>>,
    injected: Mutex<BTreeSet<u64>>,
    announced: Arc<Mutex<Vec<bool>>>,
    closed: CancellationToken,
    /// This serving process, unlike any other: a driver tells a restarted pod by it.
    instance: String,
}

impl Controller {
    /// Controls `cluster`, its counters counted from zero, every backend announced.
    pub fn new(cluster: Arc<Cluster>) -> Self {
        let baselines = vec![StatsSnapshot::default(); cluster.len()];
        let announced = Arc::new(Mutex::new(vec![true; cluster.len()]));
        Self {
            cluster,
            baselines: Mutex::new(baselines),
            injected: Mutex::default(),
            announced,
            closed: CancellationToken::new(),
            instance: instance(),
        }
    }

    /// Marks backend `index` announced by discovery, or withdrawn, as `ListBackends` and
    /// `Events` show it (a scenario's discovery timeline played by [`crate::serve`]). An index
    /// past the cluster is ignored.
    pub fn announce(&self, index: usize, announced: bool) {
        let mut set = self.announced.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = set.get_mut(index) {
            *slot = announced;
        }
    }

    /// Which backends discovery announces now, by index.
    pub fn announced(&self) -> Vec<bool> {
        self.announced.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Ends every open `Events` stream (before a graceful stop, which waits for them), and
    /// those opened later at once.
    pub fn close(&self) {
        self.closed.cancel();
    }

    /// Every backend's counters as they stood at the last `ResetCounters` (zero before any),
    /// by index: what the control API and `jostle serve`'s summary count from.
    pub fn baselines(&self) -> Vec<StatsSnapshot> {
        self.baselines.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The cluster controlled.
    pub fn cluster(&self) -> &Arc<Cluster> {
        &self.cluster
    }

    /// The tonic service to add to a server.
    pub fn into_server(self: Arc<Self>) -> ControlServer<Self> {
        ControlServer::from_arc(self)
    }

    /// The index of the backend named `backend` (`backend-1`) or numbered (`1`).
    fn resolve(&self, backend: &str) -> Result<usize, Status> {
        let len = self.cluster.len();
        let index = backend
            .strip_prefix("backend-")
            .unwrap_or(backend)
            .parse::<usize>()
            .ok()
            .filter(|index| *index < len);
        index.ok_or_else(|| {
            refuse(Code::InvalidArgument, format!(
                "unknown backend `{backend}`; expected a name from backend-0 to backend-{} or an \
                 index from 0 to {}",
                len - 1,
                len - 1
            ))
        })
    }

    fn info(&self, index: usize) -> BackendInfo {
        let announced = self.announced().get(index).copied().unwrap_or(true);
        let baselines = self.baselines.lock().unwrap_or_else(PoisonError::into_inner);
        counters::info(&self.cluster.backends()[index], &baselines[index], announced)
    }

    async fn lifecycle(
        &self,
        request: Request<BackendRequest>,
        verb: Verb,
    ) -> Result<Response<BackendResponse>, Status> {
        let index = self.resolve(&request.get_ref().backend)?;
        let done = match verb {
            Verb::Crash => self.cluster.crash(index).await,
            Verb::Stop => self.cluster.stop(index).await,
            Verb::Start => self.cluster.start(index).await,
            Verb::Restart => self.cluster.restart(index).await,
        };
        done.map_err(status)?;
        Ok(Response::new(BackendResponse { backend: Some(self.info(index)) }))
    }
}

#[derive(Debug, Clone, Copy)]
enum Verb {
    Crash,
    Stop,
    Start,
    Restart,
}

/// A cluster error as the gRPC status a client can act on.
fn status(error: Error) -> Status {
    match error {
        Error::InvalidParameter { .. } | Error::UnknownBackend { .. } => {
            refuse(Code::InvalidArgument, error.to_string())
        }
        Error::AlreadyRunning { .. } | Error::NotRunning { .. } | Error::Retired { .. } => {
            refuse(Code::FailedPrecondition, error.to_string())
        }
        other => refuse(Code::Internal, other.to_string()),
    }
}

/// This process, unlike any other on the host or since: its id and the moment it made its
/// controller, in nanoseconds since the Unix epoch (`4242-1765000000123456789`).
fn instance() -> String {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!("{}-{since_epoch}", std::process::id())
}

#[tonic::async_trait]
impl Control for Controller {
    async fn list_backends(
        &self,
        _request: Request<ListBackendsRequest>,
    ) -> Result<Response<ListBackendsResponse>, Status> {
        let backends = (0..self.cluster.len()).map(|index| self.info(index)).collect();
        let instance = self.instance.clone();
        Ok(Response::new(ListBackendsResponse { backends, seed: self.cluster.seed(), instance }))
    }

    async fn inject(
        &self,
        request: Request<InjectRequest>,
    ) -> Result<Response<InjectResponse>, Status> {
        let request = request.into_inner();
        let targets = request
            .targets
            .iter()
            .map(|target| self.resolve(target))
            .collect::<Result<Vec<usize>, Status>>()?;
        let injection = inject::injection(&request, &targets, self.cluster.len())
            .map_err(|message| refuse(Code::InvalidArgument, message))?;
        let id = self.cluster.inject(injection).map_err(status)?.get();
        self.injected.lock().unwrap_or_else(PoisonError::into_inner).insert(id);
        Ok(Response::new(InjectResponse { id }))
    }

    async fn heal(&self, request: Request<HealRequest>) -> Result<Response<HealResponse>, Status> {
        let HealRequest { id, all } = request.into_inner();
        match (id, all) {
            (0, true) => self.cluster.heal_all(),
            (0, false) => {
                return Err(refuse(
                    Code::InvalidArgument,
                    "no fault named; expected a fault id (from 1) or `all`",
                ));
            }
            (_, true) => {
                return Err(refuse(
                    Code::InvalidArgument,
                    "both a fault id and `all`; expected one of them",
                ));
            }
            (id, false) => {
                if !self.injected.lock().unwrap_or_else(PoisonError::into_inner).contains(&id) {
                    return Err(refuse(
                        Code::NotFound,
                        format!("no fault {id} was injected; expected an id that inject returned"),
                    ));
                }
                self.cluster.heal(FaultId(id));
            }
        }
        Ok(Response::new(HealResponse {}))
    }

    async fn crash(
        &self,
        request: Request<BackendRequest>,
    ) -> Result<Response<BackendResponse>, Status> {
        self.lifecycle(request, Verb::Crash).await
    }

    async fn stop(
        &self,
        request: Request<BackendRequest>,
    ) -> Result<Response<BackendResponse>, Status> {
        self.lifecycle(request, Verb::Stop).await
    }

    async fn start(
        &self,
        request: Request<BackendRequest>,
    ) -> Result<Response<BackendResponse>, Status> {
        self.lifecycle(request, Verb::Start).await
    }

    async fn restart(
        &self,
        request: Request<BackendRequest>,
    ) -> Result<Response<BackendResponse>, Status> {
        self.lifecycle(request, Verb::Restart).await
    }

    async fn fault_log(
        &self,
        _request: Request<FaultLogRequest>,
    ) -> Result<Response<FaultLogResponse>, Status> {
        let log = self.cluster.fault_log();
        let windows = log.windows().into_iter().map(super::counters::window).collect();
        let now_ms = u64::try_from(log.elapsed().as_millis()).unwrap_or(u64::MAX);
        let instance = self.instance.clone();
        Ok(Response::new(FaultLogResponse { windows, now_ms, instance }))
    }

    type EventsStream = ReceiverStream<Result<Event, Status>>;

    async fn events(
        &self,
        _request: Request<EventsRequest>,
    ) -> Result<Response<Self::EventsStream>, Status> {
        let events = super::events::watch(
            Arc::clone(&self.cluster),
            Arc::clone(&self.announced),
            self.closed.clone(),
        );
        Ok(Response::new(ReceiverStream::new(events)))
    }

    async fn reset_counters(
        &self,
        _request: Request<ResetCountersRequest>,
    ) -> Result<Response<ResetCountersResponse>, Status> {
        let now = self.cluster.stats();
        *self.baselines.lock().unwrap_or_else(PoisonError::into_inner) = now;
        Ok(Response::new(ResetCountersResponse {}))
    }
}

#[cfg(test)]
mod tests;
