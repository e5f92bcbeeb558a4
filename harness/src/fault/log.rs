//! [`FaultLog`]: every fault window and every call a fault hit, in order, for checks and reports.
//!
//! Every window opens and closes here, and each is also a `tracing` event at `info`,
//! `fault window opened` and `fault window closed`, with the fields `fault` (the id), `backend`,
//! `kind` and `at` (since the cluster started), plus `detail` on opening and `lasted` on
//! closing. They are silent unless the application installs a subscriber.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// When a fault held on one backend: from injection to heal (`end` is `None` while it holds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultWindow {
    /// The injection's id (the same on every backend it targets).
    pub id: u64,
    /// The backend, `backend-<id>`.
    pub backend: String,
    /// The fault's kind, e.g. `delay`.
    pub kind: &'static str,
    /// The fault's parameters.
    pub detail: String,
    /// Since the cluster started (virtual time under the paused clock).
    pub start: Duration,
    /// Since the cluster started; `None` while the fault holds.
    pub end: Option<Duration>,
}

/// One call that a fault acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultHit {
    /// The injection's id.
    pub id: u64,
    /// The backend.
    pub backend: String,
    /// The call's number on that backend, from 1, in arrival order.
    pub call: u64,
    /// What the fault did, e.g. `status Unavailable` or `delay 312ms`.
    pub effect: String,
}

/// The cluster-wide log of faults. Ids are allocated here, so they are unique in a cluster.
#[derive(Debug)]
pub struct FaultLog {
    started: Instant,
    next_id: AtomicU64,
    windows: Mutex<Vec<FaultWindow>>,
    hits: Mutex<Vec<FaultHit>>,
}

impl Default for FaultLog {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            next_id: AtomicU64::new(1),
            windows: Mutex::default(),
            hits: Mutex::default(),
        }
    }
}

impl FaultLog {
    /// A fresh id for an injection.
    pub(crate) fn allocate(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::SeqCst)
    }

    /// When the cluster started.
    pub(crate) fn started(&self) -> Instant {
        self.started
    }

    /// Time since the cluster started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    pub(crate) fn open(&self, id: u64, backend: &str, kind: &'static str, detail: String) {
        let at = self.elapsed();
        tracing::info!(fault = id, backend, kind, detail, ?at, "fault window opened");
        let window =
            FaultWindow { id, backend: backend.to_owned(), kind, detail, start: at, end: None };
        self.windows.lock().unwrap_or_else(PoisonError::into_inner).push(window);
    }

    pub(crate) fn close(&self, id: u64, backend: &str) {
        let now = self.elapsed();
        let mut closed = Vec::new();
        {
            let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
            for window in
                windows.iter_mut().filter(|w| w.id == id && w.backend == backend && w.end.is_none())
            {
                window.end = Some(now);
                closed.push((window.kind, now.saturating_sub(window.start)));
            }
        }
        for (kind, lasted) in closed {
            tracing::info!(fault = id, backend, kind, at = ?now, ?lasted, "fault window closed");
        }
    }

    pub(crate) fn hit(&self, hit: FaultHit) {
        self.hits.lock().unwrap_or_else(PoisonError::into_inner).push(hit);
    }

    /// Every fault window so far, in the order they opened.
    pub fn windows(&self) -> Vec<FaultWindow> {
        self.windows.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Every call a fault acted on so far, in order.
    pub fn hits(&self) -> Vec<FaultHit> {
        self.hits.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}
