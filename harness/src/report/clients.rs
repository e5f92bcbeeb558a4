//! [`ClientReport`]: one client's view of a run with `[load] clients` above 1: what it sent,
//! how its calls ended, and which backends served it.
//!
//! ```
//! use jostle_harness::report::ClientReport;
//!
//! let client = ClientReport { client: 3, sent: 10, ok: 9, served: [("backend-0".into(), 9)].into(), ..ClientReport::default() };
//! assert_eq!(client.largest_share(), 1.0);
//! ```

use crate::load::{CallLog, CallOutcome};
use serde::Serialize;
use std::collections::BTreeMap;

/// One client of a many-client run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ClientReport {
    /// The client, from 0.
    pub client: usize,
    /// Calls it started.
    pub sent: u64,
    /// Calls that ended OK.
    pub ok: u64,
    /// Calls that failed before their deadline.
    pub failed: u64,
    /// Calls that ended at their deadline.
    pub timed_out: u64,
    /// Its OK calls by the backend that served them (backends that served none left out).
    pub served: BTreeMap<String, u64>,
}

impl ClientReport {
    /// The share of its OK calls that its busiest backend served (0 without OK calls).
    pub fn largest_share(&self) -> f64 {
        let most = self.served.values().copied().max().unwrap_or(0);
        if self.ok == 0 { 0.0 } else { most as f64 / self.ok as f64 }
    }

    /// Every client of `log` (`clients` of them), or none when there is one client: its view
    /// is the run's.
    pub(crate) fn every(log: &CallLog, clients: usize) -> Vec<ClientReport> {
        if clients < 2 {
            return Vec::new();
        }
        let mut reports: Vec<ClientReport> =
            (0..clients).map(|client| ClientReport { client, ..ClientReport::default() }).collect();
        for call in &log.calls {
            let Some(report) = reports.get_mut(call.client) else { continue };
            report.sent += 1;
            match call.outcome {
                CallOutcome::Ok => {
                    report.ok += 1;
                    if let Some(backend) = &call.backend {
                        *report.served.entry(backend.clone()).or_default() += 1;
                    }
                }
                CallOutcome::Failed(_) => report.failed += 1,
                CallOutcome::TimedOut => report.timed_out += 1,
            }
        }
        reports
    }
}
