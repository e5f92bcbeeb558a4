//! [`Target`]: what a balancer under test is given to reach a scenario's cluster.

use crate::net::Connector;
use http::Uri;
use jostle::discover::{self, Changes};
use std::sync::{Mutex, PoisonError};

/// The cluster of one scenario, as a balancer factory sees it.
pub struct Target {
    /// Every backend's address, by id.
    pub addresses: Vec<Uri>,
    /// A connector that reaches them (in memory or TCP).
    pub connector: Connector,
    changes: Mutex<Option<Changes>>,
}

impl Target {
    pub(crate) fn new(addresses: Vec<Uri>, connector: Connector, changes: Changes) -> Self {
        Self { addresses, connector, changes: Mutex::new(Some(changes)) }
    }

    /// The scenario's discovery stream: every address at once, or (in `add-remove`) the
    /// changes as they happen. The first call takes it; later calls get the fixed list.
    pub fn changes(&self) -> Changes {
        self.changes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .unwrap_or_else(|| discover::fixed(self.addresses.clone()))
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("addresses", &self.addresses)
            .field("connector", &self.connector)
            .finish_non_exhaustive()
    }
}
