//! `failure-rate`: at most a fraction of the calls started in a window fail, `[expect]
//! max_failure_rate`, counted in the shared window `failure_rate_from`, `failure_rate_until`
//! (since the cluster started; the whole run when not given; `rate_window.rs`), in which
//! `min-failure-rate` counts too unless it has its own.
//!
//! ```
//! use jostle_harness::expect::FailureRate;
//! use std::time::Duration;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 1\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\nmax_failure_rate = 0.1\nfailure_rate_from = \"1s\"\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let rate = story.expect().get::<FailureRate>().unwrap();
//! assert_eq!((rate.max, rate.from, rate.until), (0.1, Duration::from_secs(1), None));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rate_window::{self, SHARED};
use super::rule::{Reader, Rule};
use super::table::Table;
use crate::check;
use crate::scenario::ScenarioError;
use crate::scenario::values::fraction;
use std::sync::Arc;
use std::time::Duration;

/// At most `max` of the calls started in the window fail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FailureRate {
    /// The largest fraction of failed calls (0 to 1).
    pub max: f64,
    /// Counting the calls started from this time on (since the cluster started).
    pub from: Duration,
    /// And before this time (`None`: to the end of the run).
    pub until: Option<Duration>,
}

/// Reads `max_failure_rate` and the window.
pub(super) const READER: Reader = Reader {
    name: "failure-rate",
    keys: &["max_failure_rate", SHARED[0], SHARED[1]],
    read: |table| read(table),
};

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let (from, until) = rate_window::shared(table)?;
    let Some(rate) = table.get::<f64>("max_failure_rate")? else { return Ok(None) };
    let max = fraction(&rate, "max_failure_rate", table.source())?;
    Ok(Some(Arc::new(FailureRate { max, from, until })))
}

impl Rule for FailureRate {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let (log, context) = (calls.log, calls.context);
        vec![Judged::Check(check::failure_rate_in(log, self.from, self.until, self.max, context))]
    }

    fn write(&self, toml: &mut ExpectLines) {
        toml.push_str(&format!("max_failure_rate = {:?}\n", self.max));
        rate_window::write_max(toml, (self.from, self.until));
    }
}
