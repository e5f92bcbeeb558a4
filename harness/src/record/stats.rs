//! [`BackendStats`]: one backend's counters, and [`StatsSnapshot`], a copy to read and compare.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Notify;
use tonic::Code;

/// One backend's live counters. They survive restarts: a backend's history is one history.
#[derive(Debug, Default)]
pub struct BackendStats {
    connections_accepted: AtomicU64,
    connections_open: AtomicU64,
    rpcs: Mutex<BTreeMap<String, MethodStats>>,
    refused: Mutex<BTreeMap<u32, u64>>,
    accept_failure: Mutex<Option<super::ListenerFailure>>,
    changed: Notify,
    seen: super::CallsSeen,
}

/// The RPCs of one method: how many started, and how many finished with each status code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MethodStats {
    /// Calls that reached the backend.
    pub started: u64,
    /// Finished calls by gRPC status code (as `i32`, in code order).
    pub finished: BTreeMap<i32, u64>,
}

/// A consistent copy of a backend's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Connections accepted since the cluster started, over every restart.
    pub connections_accepted: u64,
    /// Connections open now.
    pub connections_open: u64,
    /// RPCs by method name (`CreateOrder`, ...), in name order.
    pub rpcs: BTreeMap<String, MethodStats>,
    /// Streams the HTTP/2 layer refused before any call reached the service, by HTTP/2 error
    /// code (`1`, `PROTOCOL_ERROR`: an empty `:authority`, for one), since the cluster started.
    pub refused_streams: BTreeMap<u32, u64>,
}

impl BackendStats {
    /// The counters of a backend whose calls are numbered by `arrivals`, its cluster's.
    pub fn new(arrivals: super::Arrivals) -> Self {
        Self { seen: super::CallsSeen::new(arrivals), ..Self::default() }
    }

    /// Counts a connection accepted and open.
    pub fn connection_opened(&self) {
        self.connections_accepted.fetch_add(1, Ordering::SeqCst);
        self.connections_open.fetch_add(1, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    /// Counts a connection closed.
    pub fn connection_closed(&self) {
        self.connections_open.fetch_sub(1, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    /// Counts a stream the HTTP/2 layer refused with HTTP/2 error code `reason`.
    pub fn stream_refused(&self, reason: u32) {
        *self.refused.lock().unwrap_or_else(PoisonError::into_inner).entry(reason).or_default() +=
            1;
        self.changed.notify_waiters();
    }

    /// Notes that the backend's listener could not accept a connection (out of file
    /// descriptors, say); keeps the first failure. Whether it was the first.
    pub fn accept_failed(&self, error: &std::io::Error) -> bool {
        self.failed(super::ListenerFailure::Accept { reason: error.to_string() })
    }

    /// Notes that the backend could not listen on `address` again after a fault took it down;
    /// keeps the first failure. Whether it was the first.
    pub fn listen_again_failed(&self, address: &str, error: std::io::Error) -> bool {
        let source = std::sync::Arc::new(error);
        self.failed(super::ListenerFailure::ListenAgain { address: address.to_owned(), source })
    }

    fn failed(&self, failure: super::ListenerFailure) -> bool {
        let mut kept = self.accept_failure.lock().unwrap_or_else(PoisonError::into_inner);
        let first = kept.is_none();
        kept.get_or_insert(failure);
        first
    }

    /// Why the backend could not take connections, the first time it could not: its listener
    /// could not accept, or it could not listen again.
    pub fn accept_failure(&self) -> Option<super::ListenerFailure> {
        self.accept_failure.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Counts a call of `method` reaching the backend.
    pub fn rpc_started(&self, method: &str) {
        self.with_method(method, |stats| stats.started += 1);
    }

    /// Keeps the name of a call that reached the backend ([`CALL_HEADER`](crate::CALL_HEADER)).
    pub fn call_arrived(&self, name: &str) {
        self.seen.arrived(name);
    }

    /// The calls that reached the backend with a name, in arrival order.
    pub fn calls_seen(&self) -> Vec<super::SeenCall> {
        self.seen.calls()
    }

    /// Calls that reached the backend with a name past the
    /// [`MAX_CALLS_SEEN`](super::MAX_CALLS_SEEN) it keeps.
    pub fn calls_not_kept(&self) -> u64 {
        self.seen.not_kept()
    }

    /// Counts a call of `method` finishing with `code`.
    pub fn rpc_finished(&self, method: &str, code: Code) {
        self.with_method(method, |stats| *stats.finished.entry(code as i32).or_default() += 1);
    }

    fn with_method(&self, method: &str, update: impl FnOnce(&mut MethodStats)) {
        {
            let mut rpcs = self.rpcs.lock().unwrap_or_else(PoisonError::into_inner);
            match rpcs.get_mut(method) {
                Some(stats) => update(stats),
                None => update(rpcs.entry(method.to_owned()).or_default()),
            }
        }
        self.changed.notify_waiters();
    }

    /// A copy of the counters now.
    pub fn snapshot(&self) -> StatsSnapshot {
        let rpcs = self.rpcs.lock().unwrap_or_else(PoisonError::into_inner).clone();
        StatsSnapshot {
            connections_accepted: self.connections_accepted.load(Ordering::SeqCst),
            connections_open: self.connections_open.load(Ordering::SeqCst),
            rpcs,
            refused_streams: self.refused.lock().unwrap_or_else(PoisonError::into_inner).clone(),
        }
    }

    /// Waits, without polling a clock, until `condition` holds of the counters; returns them.
    pub async fn wait_until(
        &self,
        mut condition: impl FnMut(&StatsSnapshot) -> bool,
    ) -> StatsSnapshot {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let snapshot = self.snapshot();
            if condition(&snapshot) {
                return snapshot;
            }
            changed.await;
        }
    }
}

impl MethodStats {
    /// Calls that finished with `code`.
    pub fn count(&self, code: Code) -> u64 {
        self.finished.get(&(code as i32)).copied().unwrap_or(0)
    }

    /// Calls that finished, with any code.
    pub fn total_finished(&self) -> u64 {
        self.finished.values().sum()
    }
}

impl StatsSnapshot {
    /// Calls of `method` that finished with `code`.
    pub fn finished(&self, method: &str, code: Code) -> u64 {
        self.rpcs.get(method).map_or(0, |stats| stats.count(code))
    }

    /// Calls of `method` that finished OK.
    pub fn ok(&self, method: &str) -> u64 {
        self.finished(method, Code::Ok)
    }

    /// Calls of any method that finished OK.
    pub fn total_ok(&self) -> u64 {
        self.rpcs.values().map(|stats| stats.count(Code::Ok)).sum()
    }

    /// Calls of any method that reached the backend.
    pub fn total_started(&self) -> u64 {
        self.rpcs.values().map(|stats| stats.started).sum()
    }

    /// Calls of any method that finished with something other than OK, by code, in code order.
    pub fn failures(&self) -> BTreeMap<i32, u64> {
        let mut failures = BTreeMap::new();
        for stats in self.rpcs.values() {
            for (&code, &count) in
                stats.finished.iter().filter(|(code, _)| **code != Code::Ok as i32)
            {
                *failures.entry(code).or_default() += count;
            }
        }
        failures
    }

    /// Calls that started and have not finished.
    pub fn in_flight(&self) -> u64 {
        self.rpcs.values().map(|stats| stats.started - stats.total_finished()).sum()
    }
}

/// Connections the backends accepted between two snapshots of the cluster (`before` and
/// `after`, by backend id).
pub fn connections_opened(before: &[StatsSnapshot], after: &[StatsSnapshot]) -> u64 {
    before.iter().zip(after).map(|(b, a)| a.connections_accepted - b.connections_accepted).sum()
}
