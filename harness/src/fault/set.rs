//! [`FaultSet`]: the faults active on one backend now.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::watch;

/// A fault applied to each RPC that reaches a backend while the fault is active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpcFault {
    /// Wait this long before running the handler.
    Delay(Duration),
    /// Never answer: the call waits until the client gives up, the connection dies, or the fault
    /// is healed (then it runs normally).
    Hang,
}

/// Names one injected fault, to heal it later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FaultId(u64);

/// The faults active on one backend. Shared by the backend's server across restarts.
#[derive(Debug)]
pub struct FaultSet {
    active: Mutex<(u64, Vec<(FaultId, RpcFault)>)>,
    version: watch::Sender<u64>,
}

impl Default for FaultSet {
    fn default() -> Self {
        Self { active: Mutex::default(), version: watch::channel(0).0 }
    }
}

impl FaultSet {
    /// Activates `fault` until healed.
    pub fn inject(&self, fault: RpcFault) -> FaultId {
        let mut active = self.active.lock().unwrap_or_else(PoisonError::into_inner);
        active.0 += 1;
        let id = FaultId(active.0);
        active.1.push((id, fault));
        drop(active);
        self.version.send_modify(|version| *version += 1);
        id
    }

    /// Deactivates `id`; calls hanging on it go on. Healing twice is harmless.
    pub fn heal(&self, id: FaultId) {
        self.active
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .retain(|(active, _)| *active != id);
        self.version.send_modify(|version| *version += 1);
    }

    /// Deactivates every fault.
    pub fn heal_all(&self) {
        self.active.lock().unwrap_or_else(PoisonError::into_inner).1.clear();
        self.version.send_modify(|version| *version += 1);
    }

    /// The active faults, oldest first.
    pub fn active(&self) -> Vec<(FaultId, RpcFault)> {
        self.active.lock().unwrap_or_else(PoisonError::into_inner).1.clone()
    }

    pub(crate) fn is_active(&self, id: FaultId) -> bool {
        self.active.lock().unwrap_or_else(PoisonError::into_inner).1.iter().any(|(a, _)| *a == id)
    }

    /// Resolves once `id` is healed.
    pub(crate) async fn healed(&self, id: FaultId) {
        let mut version = self.version.subscribe();
        while self.is_active(id) {
            if version.changed().await.is_err() {
                // The set is being dropped with the backend: nothing will heal it.
                std::future::pending::<()>().await;
            }
        }
    }
}
