//! [`Target`]: what a balancer under test is given to reach a scenario's cluster.

use crate::net::Connector;
use http::Uri;
use jostle::discover::Changes;
use jostle::discover::dns::Refresh;
use std::sync::{Mutex, PoisonError};

/// The cluster of one scenario, as a balancer factory sees it: its dial target.
pub struct Target {
    /// Every backend's address, by id.
    pub addresses: Vec<Uri>,
    /// A connector that reaches them (in memory or TCP).
    pub connector: Connector,
    /// The run's seed, as its report prints it (`--seed`, the file's `seed`, the suite's).
    pub run_seed: u64,
    /// The seed of this client's random choices: the run's seed for client 0 (one client: the
    /// same), one drawn from it for each other client. Seed your balancer's jitter and picks
    /// with it (jostle's `BalancedChannel::builder().seed(target.seed)`), so that another seed gives another run and the
    /// same seed replays the same one.
    pub seed: u64,
    changes: Mutex<Option<Changes>>,
    refresh: Option<Refresh>,
}

impl Target {
    /// A target for `addresses`, reached with `connector`, announced by `changes`; seeds 0
    /// until [`Target::with_seeds`].
    pub fn new(addresses: Vec<Uri>, connector: Connector, changes: Changes) -> Self {
        Self {
            addresses,
            connector,
            run_seed: 0,
            seed: 0,
            changes: Mutex::new(Some(changes)),
            refresh: None,
        }
    }

    /// The same target for a run of seed `run`, its client drawing from `client`.
    #[must_use]
    pub fn with_seeds(mut self, run: u64, client: u64) -> Self {
        self.run_seed = run;
        self.seed = client;
        self
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
    /// discovery finds them, each address already the backend's own). There is one stream per
    /// target, for one balancer: the first call takes it.
    ///
    /// # Panics
    ///
    /// On a second call: a second balancer would get no timeline, and a run of it would judge
    /// a story it never saw. Build one channel per target (a scenario gives each client its
    /// own target).
    pub fn changes(&self) -> Changes {
        self.changes.lock().unwrap_or_else(PoisonError::into_inner).take().unwrap_or_else(|| {
            panic!(
                "Target::changes() taken twice: a target's discovery stream goes to one \
                 balancer; build one channel per target"
            )
        })
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("addresses", &self.addresses)
            .field("connector", &self.connector)
            .field("run_seed", &self.run_seed)
            .field("seed", &self.seed)
            .field("refresh", &self.refresh.is_some())
            .finish_non_exhaustive()
    }
}
