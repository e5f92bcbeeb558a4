//! `timeout`: no call outlives its deadline by more than a bound, `[expect]
//! max_latency_over_deadline` (judged by [`check::timeout`]). On real TCP the bound is at
//! least [`TCP_LATENESS`], whatever the file says: the scheduler's jitter on a loaded machine
//! must fit in it (under the paused clock the file's figure is exact).
//!
//! ```
//! use jostle_harness::expect::Timeout;
//! use std::time::Duration;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 1\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\nmax_latency_over_deadline = \"5ms\"\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! assert_eq!(story.expect().get::<Timeout>(), Some(&Timeout(Duration::from_millis(5))));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use super::table::Table;
use crate::check;
use crate::net::Transport;
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
use std::sync::Arc;
use std::time::Duration;

/// How late a call may end past its deadline on real TCP at least.
pub const TCP_LATENESS: Duration = Duration::from_millis(250);

/// How late past its deadline a call may end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout(pub Duration);

/// Reads `max_latency_over_deadline`.
pub(super) const READER: Reader =
    Reader { name: "timeout", keys: &["max_latency_over_deadline"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let over = table.get::<Dur>("max_latency_over_deadline")?;
    Ok(over.map(|over| Arc::new(Timeout(over.into_inner().0)) as Arc<dyn Rule>))
}

impl Rule for Timeout {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let lateness = match calls.scenario.transport() {
            Transport::Tcp => self.0.max(TCP_LATENESS),
            Transport::InMemory => self.0,
        };
        let deadline = calls.scenario.load_spec().deadline;
        vec![Judged::Check(check::timeout(calls.log, deadline, lateness, calls.context))]
    }

    fn write(&self, toml: &mut ExpectLines) {
        toml.push_str(&format!(
            "max_latency_over_deadline = {}\n",
            toml.duration("max_latency_over_deadline", self.0)
        ));
    }
}
