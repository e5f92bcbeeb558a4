//! [`Fleet`]: `jostle serve` pods elsewhere, one backend each, as one [`Plane`] through their
//! control APIs: backend `i` of a scenario is the `i`-th pod. What `jostle drive` plays on (in
//! Kubernetes, the pods behind a headless Service).

use super::PlayError;
use super::plane::{Described, Plane};
use crate::control::proto::{
    Counters, FaultLogRequest, FaultWindow, HealRequest, InjectRequest, ListBackendsRequest,
};
use crate::control::{self, Client, Token, delta};
use std::collections::BTreeMap;
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
struct Pod {
    control: SocketAddr,
    client: Client,
    backend: Described,
    baseline: Counters,
}

/// Pods reached through their control APIs, each serving one backend, in the order given.
#[derive(Debug, Clone)]
pub struct Fleet {
    pods: Vec<Pod>,
    origin: Instant,
}

impl Fleet {
    /// Connects to the control API of every pod in `controls` (each `jostle serve --backends
    /// 1`), with `token` if they need one. The fleet's clock starts now, and its counters
    /// count from now: calls a pod served before are not the fleet's.
    ///
    /// # Errors
    ///
    /// [`PlayError::Unreachable`] for a pod that cannot be reached; [`PlayError::Control`] for
    /// one that refuses (a wrong token) or serves other than one backend.
    pub async fn connect(controls: &[SocketAddr], token: Option<Token>) -> Result<Self, PlayError> {
        let mut pods = Vec::with_capacity(controls.len());
        for (index, &address) in controls.iter().enumerate() {
            let unreachable =
                |message: String| PlayError::Unreachable { address: address.to_string(), message };
            let endpoint = Endpoint::from_shared(format!("http://{address}"))
                .map_err(|error| unreachable(error.to_string()))?
                .connect_timeout(CONNECT_TIMEOUT)
                .timeout(CALL_TIMEOUT);
            let channel = endpoint
                .connect()
                .await
                .map_err(|error| unreachable(crate::error_chain(&error)))?;
            let mut client = control::client(channel, token.clone());
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
            };
            pods.push(Pod { control: address, client, backend, baseline });
        }
        Ok(Self { pods, origin: Instant::now() })
    }

    /// How many pods.
    pub fn len(&self) -> usize {
        self.pods.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.pods.is_empty()
    }

    fn refused(pod: &Pod, status: &tonic::Status) -> PlayError {
        PlayError::control(&format!("{} ({})", pod.control, pod.backend.name), status)
    }
}

impl Plane for Fleet {
    fn describe(&self) -> Vec<Described> {
        self.pods.iter().map(|pod| pod.backend.clone()).collect()
    }

    fn origin(&self) -> Instant {
        self.origin
    }

    async fn inject(
        &self,
        targets: &[usize],
        kind: &str,
        parameters: &BTreeMap<String, String>,
    ) -> Result<(), PlayError> {
        let every: Vec<usize> = (0..self.pods.len()).collect();
        let targets = if targets.is_empty() { every.as_slice() } else { targets };
        for &index in targets {
            let pod = &self.pods[index];
            let request = InjectRequest {
                kind: kind.to_owned(),
                targets: Vec::new(),
                parameters: parameters.clone().into_iter().collect(),
            };
            let mut client = pod.client.clone();
            client.inject(request).await.map_err(|status| Self::refused(pod, &status))?;
        }
        Ok(())
    }

    async fn announce(&self, index: usize, _announced: bool) -> Result<(), PlayError> {
        Err(PlayError::Timeline(format!(
            "discovery cannot announce or withdraw {} through a control API: the pods' own \
             discovery (a Service's DNS) announces them; expected a scenario without a \
             [discovery] timeline",
            self.pods.get(index).map_or("a backend", |pod| pod.backend.name.as_str())
        )))
    }

    async fn heal_all(&self) -> Result<(), PlayError> {
        let mut first = None;
        for pod in &self.pods {
            let mut client = pod.client.clone();
            if let Err(status) = client.heal(HealRequest { id: 0, all: true }).await {
                first.get_or_insert(Self::refused(pod, &status));
            }
        }
        first.map_or(Ok(()), Err)
    }

    async fn counters(&self) -> Result<Vec<Counters>, PlayError> {
        let mut all = Vec::with_capacity(self.pods.len());
        for pod in &self.pods {
            let mut client = pod.client.clone();
            let listed = client
                .list_backends(ListBackendsRequest {})
                .await
                .map_err(|status| Self::refused(pod, &status))?
                .into_inner();
            let counters = listed.backends.into_iter().next().and_then(|backend| backend.counters);
            all.push(since(counters.unwrap_or_default(), &pod.baseline));
        }
        Ok(all)
    }

    async fn fault_log(&self) -> Result<Vec<FaultWindow>, PlayError> {
        let mut all = Vec::new();
        for pod in &self.pods {
            let mut client = pod.client.clone();
            let log = client
                .fault_log(FaultLogRequest {})
                .await
                .map_err(|status| Self::refused(pod, &status))?
                .into_inner();
            // The pod's clock started with the pod: move its times onto the fleet's.
            let here = i128::try_from(Instant::now().duration_since(self.origin).as_millis())
                .unwrap_or(i128::MAX);
            let shift = here - i128::from(log.now_ms);
            let moved = |ms: u64| i128::from(ms) + shift;
            for window in log.windows {
                let start = moved(window.start_ms);
                if start < 0 {
                    continue; // before this fleet began: not this play's
                }
                let clamp = |ms: i128| u64::try_from(ms.max(0)).unwrap_or(u64::MAX);
                all.push(FaultWindow {
                    backend: pod.backend.name.clone(),
                    start_ms: clamp(start),
                    end_ms: window.end_ms.map(|end| clamp(moved(end))),
                    ..window
                });
            }
        }
        all.sort_by_key(|window| (window.start_ms, window.backend.clone()));
        for (number, window) in all.iter_mut().enumerate() {
            window.id = u64::try_from(number + 1).unwrap_or(u64::MAX);
        }
        Ok(all)
    }
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
fn since(now: Counters, baseline: &Counters) -> Counters {
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
