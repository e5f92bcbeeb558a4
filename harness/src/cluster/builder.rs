//! [`ClusterBuilder`]: how many backends, on which transport, from which seed, serving what.

use super::backend::Common;
use super::latency::BackendLatency;
use super::service::ServiceFactory;
use super::{Backend, Cluster};
use crate::error::{Error, Result};
use crate::net::{MemNetwork, Transport};
use crate::service::Orders;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tonic::service::Routes;

/// The most backends one cluster may have.
pub const MAX_BACKENDS: usize = 10_000;

/// Builds a [`Cluster`]. See [`Cluster::builder`].
#[must_use]
pub struct ClusterBuilder {
    backends: usize,
    transport: Transport,
    seed: u64,
    rpc_behavior: bool,
    service: ServiceFactory,
    latency: Option<BackendLatency>,
    backend_latencies: BTreeMap<usize, BackendLatency>,
    ports: Vec<u16>,
    host: Option<IpAddr>,
}

impl std::fmt::Debug for ClusterBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterBuilder")
            .field("backends", &self.backends)
            .field("transport", &self.transport)
            .field("seed", &self.seed)
            .field("latency", &self.latency)
            .field("backend_latencies", &self.backend_latencies)
            .field("ports", &self.ports)
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

impl Default for ClusterBuilder {
    fn default() -> Self {
        Self {
            backends: 3,
            transport: Transport::InMemory,
            seed: 0,
            rpc_behavior: false,
            service: ServiceFactory::new(|name| Routes::new(Orders::new(name).into_server())),
            latency: None,
            backend_latencies: BTreeMap::new(),
            ports: Vec::new(),
            host: None,
        }
    }
}

impl ClusterBuilder {
    /// How many backends, from 1 to [`MAX_BACKENDS`]; 3 by default.
    pub fn backends(mut self, count: usize) -> Self {
        self.backends = count;
        self
    }

    /// The transport; in-memory by default.
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }

    /// The seed every random choice of this cluster comes from; 0 by default.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Whether backends obey the gRPC xDS interop `rpc-behavior` request header (per-call
    /// faults chosen by the client); off by default.
    pub fn rpc_behavior(mut self, enabled: bool) -> Self {
        self.rpc_behavior = enabled;
        self
    }

    /// What each backend serves; jostle's reference order service by default.
    pub fn service(mut self, factory: impl Fn(&str) -> Routes + Send + Sync + 'static) -> Self {
        self.service = ServiceFactory::new(factory);
        self
    }

    /// How long every backend takes to answer each call (see [`BackendLatency`]); none by
    /// default. Not a fault: it opens no fault window. Checked when the cluster starts.
    pub fn latency(mut self, latency: BackendLatency) -> Self {
        self.latency = Some(latency);
        self
    }

    /// How long backend `index` takes to answer each call, instead of [`latency`](Self::latency)'s
    /// figure; the last one given for a backend wins. Checked when the cluster starts, the index
    /// against the backend count.
    pub fn backend_latency(mut self, index: usize, latency: BackendLatency) -> Self {
        self.backend_latencies.insert(index, latency);
        self
    }

    /// The TCP port of 127.0.0.1 each backend listens on, by index: 0, or none given, for an
    /// ephemeral port (the default). Only for [`Transport::Tcp`], at most one per backend;
    /// checked when the cluster starts.
    pub fn ports(mut self, ports: impl IntoIterator<Item = u16>) -> Self {
        self.ports = ports.into_iter().collect();
        self
    }

    /// The address TCP backends listen on (127.0.0.1 by default): `0.0.0.0` for every
    /// interface of a pod or a test host, or one of the machine's own addresses. Only for
    /// [`Transport::Tcp`]; checked when the cluster starts.
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = Some(host);
        self
    }

    /// Starts every backend; each is listening when this returns.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a backend count or a latency out of its range, or a
    /// latency for a backend the cluster does not have; [`Error::Listen`] when a backend cannot
    /// listen.
    pub async fn start(self) -> Result<Cluster> {
        if !(1..=MAX_BACKENDS).contains(&self.backends) {
            return Err(Error::InvalidParameter {
                parameter: "backends",
                expected: format!("a count from 1 to {MAX_BACKENDS}"),
                got: self.backends.to_string(),
            });
        }
        self.check_ports()?;
        let latencies = self.latencies()?;
        let network = MemNetwork::new();
        let common = Common {
            service: self.service.clone(),
            seed: self.seed,
            log: Arc::default(),
            rpc_behavior: self.rpc_behavior,
            latencies,
            arrivals: crate::record::Arrivals::default(),
        };
        let mut backends = Vec::with_capacity(self.backends);
        for id in 0..self.backends {
            let backend = match self.transport {
                Transport::InMemory => Backend::start_in_memory(id, &network, &common),
                Transport::Tcp => {
                    let port = self.ports.get(id).copied().unwrap_or(0);
                    let host = self.host.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
                    Backend::start_tcp(id, SocketAddr::new(host, port), &common).await
                }
            };
            match backend {
                Ok(backend) => backends.push(backend),
                Err(error) => {
                    backends.iter().for_each(Backend::cut);
                    return Err(error);
                }
            }
        }
        tracing::info!(backends = backends.len(), transport = %self.transport, seed = self.seed, "cluster started");
        Ok(Cluster::new(backends, self.transport, network, self.seed, common.log))
    }
}

impl ClusterBuilder {
    /// Ports and a host are for TCP backends, one port at most per backend.
    fn check_ports(&self) -> Result<()> {
        if !self.ports.is_empty() && self.transport != Transport::Tcp {
            return Err(Error::InvalidParameter {
                parameter: "ports",
                expected: "ports only for backends on TCP".into(),
                got: format!("{} ports on {}", self.ports.len(), self.transport),
            });
        }
        if self.host.is_some() && self.transport != Transport::Tcp {
            return Err(Error::InvalidParameter {
                parameter: "host",
                expected: "a host only for backends on TCP".into(),
                got: format!("a host on {}", self.transport),
            });
        }
        if self.ports.len() > self.backends {
            return Err(Error::InvalidParameter {
                parameter: "ports",
                expected: format!("at most one port per backend ({})", self.backends),
                got: format!("{} ports", self.ports.len()),
            });
        }
        Ok(())
    }

    /// Each backend's latency, checked: the cluster's unless the backend has its own.
    fn latencies(&self) -> Result<Arc<[Option<BackendLatency>]>> {
        if let Some((&index, _)) = self.backend_latencies.range(self.backends..).next() {
            return Err(Error::InvalidParameter {
                parameter: "backend_latency",
                expected: format!("a backend index in 0..{}", self.backends),
                got: index.to_string(),
            });
        }
        for latency in self.latency.iter().chain(self.backend_latencies.values()) {
            latency.validate()?;
        }
        Ok((0..self.backends)
            .map(|index| self.backend_latencies.get(&index).copied().or(self.latency))
            .collect())
    }
}
