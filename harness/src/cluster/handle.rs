//! [`Cluster`]: N backends and the network they listen on.

use super::{Backend, ClusterBuilder, StopMode};
use crate::error::{Error, Result};
use crate::net::{Connector, MemNetwork, Transport};
use http::Uri;
use std::sync::Arc;
use tonic::transport::{Channel, Endpoint};

/// N order-service backends running in this process. Dropping it cuts every backend: each
/// connection is reset and every task the cluster started ends.
#[derive(Debug)]
pub struct Cluster {
    backends: Vec<Backend>,
    transport: Transport,
    network: Arc<MemNetwork>,
    seed: u64,
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
    ) -> Self {
        Self { backends, transport, network, seed }
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

    /// A lazily connected tonic channel to backend `index`, through [`Cluster::connector`].
    pub fn channel(&self, index: usize) -> Result<Channel> {
        let address = self.backend(index)?.address().clone();
        Ok(Endpoint::from(address).connect_with_connector_lazy(self.connector()))
    }

    /// Stops every running backend abruptly and waits until all their tasks and connections are
    /// gone. Dropping the cluster does the same without waiting.
    pub async fn shutdown(self) {
        for backend in &self.backends {
            // A backend that is already stopped is fine.
            let _ = backend.stop(StopMode::Abrupt).await;
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.backends.iter().for_each(Backend::cut);
    }
}
