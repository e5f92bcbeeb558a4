//! [`Target`]: what a balancer under test is given to reach a scenario's cluster, and
//! [`Factory`], what makes the balancer from it.

use super::BoxChannel;
use crate::net::Connector;
use http::Uri;
use jostle::discover::dns::Refresh;
use jostle::discover::{self, Changes};
use std::sync::{Arc, Mutex, PoisonError};

/// Makes the channel under test for a scenario's cluster: the user's own balancer, as a
/// scenario or the conformance battery plays it.
pub type Factory = Arc<dyn Fn(&Target) -> BoxChannel + Send + Sync>;

/// The cluster of one scenario, as a balancer factory sees it: its dial target.
pub struct Target {
    /// Every backend's address, by id.
    pub addresses: Vec<Uri>,
    /// A connector that reaches them (in memory or TCP).
    pub connector: Connector,
    changes: Mutex<Option<Changes>>,
    refresh: Option<Refresh>,
}

impl Target {
    /// A target for `addresses`, reached with `connector`, announced by `changes`.
    pub fn new(addresses: Vec<Uri>, connector: Connector, changes: Changes) -> Self {
        Self { addresses, connector, changes: Mutex::new(Some(changes)), refresh: None }
    }

    /// The same target whose changes come from DNS discovery: `refresh` makes it resolve
    /// again now.
    #[must_use]
    pub fn with_refresh(mut self, refresh: Refresh) -> Self {
        self.refresh = Some(refresh);
        self
    }

    /// With `[discovery] via = "dns"`: the handle that makes the discovery of
    /// [`Target::changes`] resolve again now, for a balancer that re-resolves after a
    /// connection failure (as jostle's `refresh_dns_on_failure`). `None` for the discovery
    /// stream, which has nothing to resolve.
    pub fn refresh(&self) -> Option<Refresh> {
        self.refresh.clone()
    }

    /// The scenario's discovery stream: the backends announced at the start, then the
    /// scenario's `[discovery]` changes as they happen (with `via = "dns"`: as jostle's DNS
    /// discovery finds them, each address already the backend's own). The first call takes
    /// it; later calls get the fixed list of every address.
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
            .field("refresh", &self.refresh.is_some())
            .finish_non_exhaustive()
    }
}
