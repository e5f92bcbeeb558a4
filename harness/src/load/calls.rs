//! [`CallLog`]: every call as the client saw it: when it started and ended, how, and which
//! backend answered.

use std::collections::BTreeMap;
use std::time::Duration;
use tonic::Code;

/// The methods the load driver calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// `CreateOrder` (unary).
    CreateOrder,
    /// `GetOrder` (unary).
    GetOrder,
    /// `WatchOrders` (server streaming).
    WatchOrders,
}

impl Method {
    /// The gRPC method name, as backends count it.
    pub fn name(self) -> &'static str {
        match self {
            Method::CreateOrder => "CreateOrder",
            Method::GetOrder => "GetOrder",
            Method::WatchOrders => "WatchOrders",
        }
    }
}

/// How a call ended, at the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// Status OK (a stream: every message and an OK status).
    Ok,
    /// A status other than OK, before the deadline.
    Failed(Code),
    /// At its deadline (`DEADLINE_EXCEEDED`, tonic's own timeout, or the driver's).
    TimedOut,
}

/// One call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// Its number in the load, from 0, in the order calls were started.
    pub index: u64,
    /// Which method.
    pub method: Method,
    /// When it started, since the load started (virtual under the paused clock).
    pub start: Duration,
    /// When it ended.
    pub end: Duration,
    /// How it ended.
    pub outcome: CallOutcome,
    /// The backend that answered, from the `x-jostle-backend` header; `None` when no backend
    /// answered (transport failure, timeout).
    pub backend: Option<String>,
    /// Which client made it, from 0: a scenario's `[load] clients` runs that many, each with
    /// its own balancer; a single load is client 0.
    pub client: usize,
}

impl CallRecord {
    /// How long it took.
    pub fn latency(&self) -> Duration {
        self.end.saturating_sub(self.start)
    }
}

/// Every call of a load, in start order, and the seed that drew it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallLog {
    /// The calls, by index.
    pub calls: Vec<CallRecord>,
    /// The load's seed.
    pub seed: u64,
}

impl CallLog {
    /// Calls that ended OK.
    pub fn ok(&self) -> u64 {
        self.count(|call| call.outcome == CallOutcome::Ok)
    }

    /// Calls that failed before their deadline.
    pub fn failed(&self) -> u64 {
        self.count(|call| matches!(call.outcome, CallOutcome::Failed(_)))
    }

    /// Calls that ended at their deadline.
    pub fn timed_out(&self) -> u64 {
        self.count(|call| call.outcome == CallOutcome::TimedOut)
    }

    /// Calls that match `predicate`.
    pub fn count(&self, predicate: impl Fn(&CallRecord) -> bool) -> u64 {
        self.calls.iter().filter(|call| predicate(call)).count() as u64
    }

    /// OK calls by the backend that served them, in name order.
    pub fn served(&self) -> BTreeMap<String, u64> {
        let mut served = BTreeMap::new();
        for call in self.calls.iter().filter(|call| call.outcome == CallOutcome::Ok) {
            if let Some(backend) = &call.backend {
                *served.entry(backend.clone()).or_default() += 1;
            }
        }
        served
    }

    /// OK calls of `method`.
    pub fn ok_of(&self, method: Method) -> u64 {
        self.count(|call| call.method == method && call.outcome == CallOutcome::Ok)
    }
}
