//! [`DnsQueryReport`]: one query the scripted resolver of a `via = "dns"` scenario answered;
//! [`DiscoveryChangeReport`]: one change of the announced set.

use serde::Serialize;
use std::fmt;

/// One DNS query of the client under test, and the scripted resolver's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DnsQueryReport {
    /// When the client asked, since the cluster started, in milliseconds.
    pub at_ms: f64,
    /// The backends in the answer, by name, in index order: those the discovery timeline
    /// announced at that moment.
    pub answer: Vec<String>,
    /// The answer's TTL, in milliseconds.
    pub ttl_ms: f64,
}

impl fmt::Display for DnsQueryReport {
    /// `at 35000 ms: backend-0, backend-1 (ttl 30000 ms)`, or `(empty)` for no backend.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let answer = if self.answer.is_empty() { "(empty)".into() } else { self.answer.join(", ") };
        write!(f, "at {:.0} ms: {answer} (ttl {:.0} ms)", self.at_ms, self.ttl_ms)
    }
}

/// One change of the set of backends announced to the client, as the scenario's discovery
/// timeline made it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiscoveryChangeReport {
    /// When, since the cluster started, in milliseconds.
    pub at_ms: f64,
    /// The backends announced from then on, by name, in index order.
    pub announced: Vec<String>,
}

impl fmt::Display for DiscoveryChangeReport {
    /// `at 1100 ms: backend-0, backend-1 announced`, or `nothing announced`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set =
            if self.announced.is_empty() { "nothing".into() } else { self.announced.join(", ") };
        write!(f, "at {:.0} ms: {set} announced", self.at_ms)
    }
}
