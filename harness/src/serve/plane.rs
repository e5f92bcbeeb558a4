//! [`Plane`]: the backends a scenario is played on, through their control API; and [`Local`],
//! the plane of a cluster in this process (`jostle serve --scenario`). The pods of a fleet
//! elsewhere are [`Fleet`](super::Fleet) (`jostle drive`).

use super::PlayError;
use super::follow::Followed;
use super::samples::Count;
use crate::control::proto::control_server::Control;
use crate::control::proto::{Counters, FaultWindow, InjectRequest};
use crate::control::{self, Controller};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use tokio::time::Instant;

/// One backend as a report names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    /// `backend-<index>`.
    pub name: String,
    /// Where it serves, `host:port`.
    pub address: String,
    /// The seed its faults' random choices come from (a pod's own, `jostle serve --seed`).
    pub seed: u64,
}

/// The backends a timeline plays on: a fault is injected and healed through their control API,
/// and each counts what it served itself.
pub trait Plane: Send + Sync {
    /// Every backend, by index.
    fn describe(&self) -> Vec<Described>;

    /// When serving started: the timeline's times count from here.
    fn origin(&self) -> Instant;

    /// Injects a fault of `kind` with `parameters` on `targets` (by index; empty for all), now.
    fn inject(
        &self,
        targets: &[usize],
        kind: &str,
        parameters: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<(), PlayError>> + Send;

    /// Discovery announces backend `index` (`true`) or withdraws it.
    fn announce(
        &self,
        index: usize,
        announced: bool,
    ) -> impl Future<Output = Result<(), PlayError>> + Send;

    /// Heals every fault.
    fn heal_all(&self) -> impl Future<Output = Result<(), PlayError>> + Send;

    /// Every backend's counters now, by index, since serving started (or since an earlier
    /// moment: only differences count).
    fn counters(&self) -> impl Future<Output = Result<Vec<Counters>, PlayError>> + Send;

    /// Every fault window since [`Plane::origin`], times since it, backends named by index.
    fn fault_log(&self) -> impl Future<Output = Result<Vec<FaultWindow>, PlayError>> + Send;

    /// What following its pods saw (a [`Fleet`](super::Fleet) following them); by default
    /// nothing: the backends stayed the ones it began with.
    fn followed(&self) -> Followed {
        Followed::default()
    }
}

/// The counts a check needs of `counters`.
pub(super) fn count(counters: &Counters) -> Count {
    Count {
        served: counters.served,
        failed: counters.failed.values().sum(),
        connections: counters.connections_accepted,
    }
}

/// The plane of a cluster in this process, through its [`Controller`] (as `jostle ctl` reaches
/// it, without the network in between). Discovery's announcements show in `ListBackends` and
/// `Events`.
#[derive(Debug, Clone)]
pub struct Local {
    controller: Arc<Controller>,
}

impl Local {
    /// The plane of `controller`'s cluster.
    pub fn new(controller: Arc<Controller>) -> Self {
        Self { controller }
    }
}

impl Plane for Local {
    fn describe(&self) -> Vec<Described> {
        let backends = self.controller.cluster().backends().iter();
        backends
            .map(|backend| Described {
                name: backend.name().to_owned(),
                address: control::address(backend),
                seed: self.controller.cluster().seed(),
            })
            .collect()
    }

    fn origin(&self) -> Instant {
        self.controller.cluster().fault_log().started()
    }

    async fn inject(
        &self,
        targets: &[usize],
        kind: &str,
        parameters: &BTreeMap<String, String>,
    ) -> Result<(), PlayError> {
        let request = InjectRequest {
            kind: kind.to_owned(),
            targets: targets.iter().map(ToString::to_string).collect(),
            parameters: parameters.clone().into_iter().collect(),
        };
        let injected = self.controller.inject(tonic::Request::new(request)).await;
        injected.map(drop).map_err(|status| PlayError::control("this process", &status))
    }

    async fn announce(&self, index: usize, announced: bool) -> Result<(), PlayError> {
        self.controller.announce(index, announced);
        Ok(())
    }

    async fn heal_all(&self) -> Result<(), PlayError> {
        self.controller.cluster().heal_all();
        Ok(())
    }

    async fn counters(&self) -> Result<Vec<Counters>, PlayError> {
        let zero = crate::record::StatsSnapshot::default();
        let backends = self.controller.cluster().backends();
        Ok(backends.iter().map(|backend| control::since(&backend.stats(), &zero)).collect())
    }

    async fn fault_log(&self) -> Result<Vec<FaultWindow>, PlayError> {
        let windows = self.controller.cluster().fault_log().windows();
        Ok(windows.into_iter().map(control::window).collect())
    }
}
