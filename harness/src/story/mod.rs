//! The article's story, end to end: three replicas behind one name, a tonic client whose
//! connector is the article's round-robin dialer, and one replica that crashes and restarts in
//! the middle of the run.
//!
//! Every number in the [`StoryReport`] comes from the backends' own counters, or from the
//! client's view of each call; nothing is assumed.
//!
//! ```
//! use jostle_harness::story::{StoryConfig, run_story};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), jostle_harness::Error> {
//! let report = run_story(StoryConfig { calls: 30, restart_at: 15, ..StoryConfig::default() }).await?;
//! assert_eq!(report.client_ok() + report.client_failed(), 30);
//! println!("{report}");
//! # Ok(())
//! # }
//! ```

mod report;
mod run;

pub use report::{BackendLine, CallFailure, Event, StoryReport};
pub use run::run_story;

use crate::error::{Error, Result};
use crate::net::Transport;
use std::time::Duration;

/// How the story runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryConfig {
    /// Where the backends listen. In memory, run it under tokio's paused clock.
    pub transport: Transport,
    /// How many `CreateOrder` calls the client makes, one at a time; at least 1.
    pub calls: u32,
    /// The index of the call in flight when the replica crashes; less than `calls`.
    pub restart_at: u32,
    /// How long the crashed replica stays down before it restarts on the same address.
    pub down_for: Duration,
    /// The cluster's seed, printed in the report.
    pub seed: u64,
}

impl Default for StoryConfig {
    fn default() -> Self {
        Self {
            transport: Transport::InMemory,
            calls: 300,
            restart_at: 150,
            down_for: Duration::from_secs(1),
            seed: 0,
        }
    }
}

impl StoryConfig {
    /// Checks the parameters; the error names the one out of range.
    pub fn validate(&self) -> Result<()> {
        if self.calls == 0 {
            return Err(Error::InvalidParameter {
                parameter: "calls",
                expected: "at least 1".into(),
                got: self.calls.to_string(),
            });
        }
        if self.restart_at >= self.calls {
            return Err(Error::InvalidParameter {
                parameter: "restart-at",
                expected: format!("a call index below calls ({})", self.calls),
                got: self.restart_at.to_string(),
            });
        }
        Ok(())
    }
}
