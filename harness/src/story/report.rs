//! [`StoryReport`]: what the story did, from the backends' counters and the client's calls.

use super::StoryConfig;
use crate::record::StatsSnapshot;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;
use tonic::Code;

/// One backend's line: its own counters at the end of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendLine {
    /// `backend-<id>`.
    pub name: String,
    /// The address it listened on.
    pub address: String,
    /// Its counters.
    pub stats: StatsSnapshot,
}

/// A call the client saw fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFailure {
    /// The call's index, from 0.
    pub call: u32,
    /// The status code the client got.
    pub code: Code,
    /// The status message the client got.
    pub message: String,
}

/// Something that happened, at a call and an instant since the start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The index of the call it happened at.
    pub call: u32,
    /// Time since the run started (virtual under the paused clock).
    pub at: Duration,
    /// What happened.
    pub what: String,
}

/// The story's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryReport {
    /// How it ran.
    pub config: StoryConfig,
    /// Each backend's counters, by id.
    pub backends: Vec<BackendLine>,
    /// Calls the client saw succeed, by the backend named in the response header.
    pub served: BTreeMap<String, u64>,
    /// Calls the client saw fail, in order.
    pub failures: Vec<CallFailure>,
    /// What happened, in order.
    pub events: Vec<Event>,
    /// The backend that crashed and came back, and how many calls it served after it was back.
    pub restarted: Option<(String, u64)>,
}

impl StoryReport {
    /// Calls the client saw succeed.
    pub fn client_ok(&self) -> u64 {
        self.served.values().sum()
    }

    /// Calls the client saw fail.
    pub fn client_failed(&self) -> u64 {
        self.failures.len() as u64
    }

    /// The line of backend `name`.
    pub fn backend(&self, name: &str) -> Option<&BackendLine> {
        self.backends.iter().find(|line| line.name == name)
    }
}

/// `CANCELLED 1, UNKNOWN 2`, or `-` for none.
pub(crate) fn codes(counts: &BTreeMap<i32, u64>) -> String {
    if counts.is_empty() {
        return "-".into();
    }
    counts
        .iter()
        .map(|(code, count)| format!("{:?} {count}", Code::from_i32(*code)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for StoryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.config;
        writeln!(
            f,
            "the article's story: 3 backends, a tonic client dialing through the round-robin dialer, \
             {} CreateOrder calls one at a time, the serving backend crashing at call {} and back after {:?}",
            config.calls, config.restart_at, config.down_for
        )?;
        writeln!(f, "transport {}, seed {}", config.transport, config.seed)?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<10} {:<30} {:>9} {:>10} {:<24} {:>12}",
            "backend", "address", "served OK", "client OK", "failed at backend", "conns opened"
        )?;
        for line in &self.backends {
            writeln!(
                f,
                "{:<10} {:<30} {:>9} {:>10} {:<24} {:>12}",
                line.name,
                line.address,
                line.stats.total_ok(),
                self.served.get(&line.name).copied().unwrap_or(0),
                codes(&line.stats.failures()),
                line.stats.connections_accepted
            )?;
        }
        writeln!(f)?;
        let mut failed: BTreeMap<i32, u64> = BTreeMap::new();
        for failure in &self.failures {
            *failed.entry(failure.code as i32).or_default() += 1;
        }
        writeln!(
            f,
            "client: {} calls, {} OK, {} failed ({})",
            self.client_ok() + self.client_failed(),
            self.client_ok(),
            self.client_failed(),
            codes(&failed)
        )?;
        writeln!(f)?;
        writeln!(f, "what happened:")?;
        for event in &self.events {
            writeln!(f, "  call {:>4} at {:>10.3?}: {}", event.call, event.at, event.what)?;
        }
        let idle: Vec<&str> = self
            .backends
            .iter()
            .filter(|line| line.stats.total_started() == 0)
            .map(|line| line.name.as_str())
            .collect();
        writeln!(f)?;
        if !idle.is_empty() {
            writeln!(
                f,
                "finding: {} served no call at all: the dialer balances connections, not requests",
                idle.join(", ")
            )?;
        }
        if let Some((name, served_after)) = &self.restarted {
            writeln!(
                f,
                "finding: {name} was back after {:?} and served {served_after} calls from then on: \
                 the client redials only when its connection breaks",
                self.config.down_for
            )?;
        }
        Ok(())
    }
}
