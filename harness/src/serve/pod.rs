//! One `jostle serve --backends 1` pod of a [`Fleet`](super::Fleet): its control client, its
//! one backend, and its counters when the fleet began counting it.

use super::PlayError;
use super::plane::Described;
use crate::control::proto::{Counters, FaultLogRequest, FaultWindow, ListBackendsRequest};
use crate::control::{self, Client, Token, delta};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::time::Instant;
use tonic::transport::Endpoint;

/// How long connecting to a pod's control API may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one control call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// One pod: its control API, its one backend, and that backend's counters when the fleet
/// connected (a pod counts from its own start, or its last reset: calls served before this
/// play, by an earlier drive or anyone, are not this play's).
#[derive(Debug, Clone)]
pub(super) struct Pod {
    pub(super) control: SocketAddr,
    pub(super) client: Client,
    pub(super) backend: Described,
    pub(super) baseline: Counters,
    /// The serving process that answered when the fleet connected (empty from a server older
    /// than the field): another at the same address is a pod restarted in place.
    pub(super) instance: String,
}

/// A reading of a pod's control API: its own, or another process's at the same address.
#[derive(Debug)]
pub(super) enum Reading<T> {
    /// The pod's own answer.
    Own(T),
    /// Another serving process answered at the pod's address: the pod restarted in place, its
    /// counters and clock started again.
    Restarted,
}

impl Pod {
    /// Connects to the control API at `address`, the pod of backend `index`, and takes its
    /// counters now as its zero.
    pub(super) async fn connect(
        index: usize,
        address: SocketAddr,
        token: Option<Token>,
    ) -> Result<Self, PlayError> {
        let unreachable =
            |message: String| PlayError::Unreachable { address: address.to_string(), message };
        let endpoint = Endpoint::from_shared(format!("http://{address}"))
            .map_err(|error| unreachable(error.to_string()))?
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(CALL_TIMEOUT);
        let channel =
            endpoint.connect().await.map_err(|error| unreachable(crate::error_chain(&error)))?;
        let mut client = control::client(channel, token);
        let listed = client
            .list_backends(ListBackendsRequest {})
            .await
            .map_err(|status| PlayError::control(&address.to_string(), &status))?
            .into_inner();
        let [backend] = listed.backends.as_slice() else {
            return Err(PlayError::Control {
                at: address.to_string(),
                code: tonic::Code::FailedPrecondition,
                message: format!(
                    "it serves {} backends; expected one per pod (`jostle serve --backends 1`)",
                    listed.backends.len()
                ),
            });
        };
        let baseline = backend.counters.clone().unwrap_or_default();
        let backend = Described {
            name: format!("backend-{index}"),
            address: reachable(&backend.address, address),
            seed: listed.seed,
        };
        Ok(Self { control: address, client, backend, baseline, instance: listed.instance })
    }

    /// Its counters now, since the fleet began counting it; [`Reading::Restarted`] when
    /// another process answers at its address.
    pub(super) async fn counters(&self) -> Result<Reading<Counters>, tonic::Status> {
        let mut client = self.client.clone();
        let listed = client.list_backends(ListBackendsRequest {}).await?.into_inner();
        if !self.same(&listed.instance) {
            return Ok(Reading::Restarted);
        }
        let counters = listed.backends.into_iter().next().and_then(|backend| backend.counters);
        Ok(Reading::Own(since(counters.unwrap_or_default(), &self.baseline)))
    }

    /// Whether `instance`, as an answer gives it, is this pod's serving process.
    pub(super) fn same(&self, instance: &str) -> bool {
        instance == self.instance
    }

    /// Its fault windows since the fleet began at `origin`, moved onto the fleet's clock (the
    /// pod's clock started with the pod) and named as its backend; [`Reading::Restarted`] when
    /// another process answers at its address (its clock is not the pod's).
    pub(super) async fn windows(
        &self,
        origin: Instant,
    ) -> Result<Reading<Vec<FaultWindow>>, tonic::Status> {
        let mut client = self.client.clone();
        let log = client.fault_log(FaultLogRequest {}).await?.into_inner();
        if !self.same(&log.instance) {
            return Ok(Reading::Restarted);
        }
        let here = Instant::now().duration_since(origin);
        let here = i128::try_from(here.as_millis()).unwrap_or(i128::MAX);
        let shift = here - i128::from(log.now_ms);
        let moved = |ms: u64| i128::from(ms) + shift;
        let clamp = |ms: i128| u64::try_from(ms.max(0)).unwrap_or(u64::MAX);
        Ok(Reading::Own(
            log.windows
                .into_iter()
                // Before this fleet began: not this play's.
                .filter(|window| moved(window.start_ms) >= 0)
                .map(|window| FaultWindow {
                    backend: self.backend.name.clone(),
                    start_ms: clamp(moved(window.start_ms)),
                    end_ms: window.end_ms.map(|end| clamp(moved(end))),
                    ..window
                })
                .collect(),
        ))
    }

    pub(super) fn refused(&self, status: &tonic::Status) -> PlayError {
        PlayError::control(&format!("{} ({})", self.control, self.backend.name), status)
    }
}

/// Whether `status` says the pod did not answer (gone, unreachable, too slow), rather than
/// answered with a refusal.
pub(super) fn unanswered(status: &tonic::Status) -> bool {
    use tonic::Code;
    matches!(
        status.code(),
        Code::Unavailable | Code::Unknown | Code::Cancelled | Code::DeadlineExceeded
    )
}

/// Where a pod's backend is reached: the address it lists, unless it listens on every
/// interface (`--host 0.0.0.0`, as in a pod: every pod would list `0.0.0.0:50051`), then its
/// port at the host its control API was reached on.
fn reachable(listed: &str, control: SocketAddr) -> String {
    match listed.parse::<SocketAddr>() {
        Ok(address) if address.ip().is_unspecified() => {
            SocketAddr::new(control.ip(), address.port()).to_string()
        }
        _ => listed.to_owned(),
    }
}

/// `now` counted from `baseline`, as the control API counts from a reset; connections open
/// are a level, not a count.
pub(super) fn since(now: Counters, baseline: &Counters) -> Counters {
    Counters {
        refused_streams: delta(now.refused_streams, &baseline.refused_streams),
        served: now.served.saturating_sub(baseline.served),
        failed: delta(now.failed, &baseline.failed),
        connections_accepted: now
            .connections_accepted
            .saturating_sub(baseline.connections_accepted),
        connections_open: now.connections_open,
    }
}

/// `a` and `b` added: a moved backend's old pod's counts and its new pod's.
pub(super) fn plus(a: &Counters, b: &Counters) -> Counters {
    let mut failed = a.failed.clone();
    for (code, n) in &b.failed {
        *failed.entry(code.clone()).or_default() += n;
    }
    let mut refused_streams = a.refused_streams.clone();
    for (reason, n) in &b.refused_streams {
        *refused_streams.entry(reason.clone()).or_default() += n;
    }
    Counters {
        refused_streams,
        served: a.served + b.served,
        failed,
        connections_accepted: a.connections_accepted + b.connections_accepted,
        connections_open: b.connections_open,
    }
}
