//! `min-failure-rate`: at least a fraction of the calls started in a window fail (while every
//! backend is down, most calls must), `[expect] min_failure_rate`, counted in the window of
//! `failure-rate` (`failure_rate_from`, `failure_rate_until`), or in its own
//! (`min_failure_rate_from`, `min_failure_rate_until`; `rate_window.rs`).
//!
//! ```
//! use jostle_harness::expect::MinFailureRate;
//! use std::time::Duration;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 1\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nrate = 100\nduration = \"30s\"\n[expect]\nmin_failure_rate = 0.5\nfailure_rate_until = \"27s\"\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let rate = story.expect().get::<MinFailureRate>().unwrap();
//! assert_eq!((rate.min, rate.until), (0.5, Some(Duration::from_secs(27))));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rate_window::{self, OWN_MIN};
use super::rule::{Reader, Rule};
use super::table::{Table, past_the_run};
use crate::check;
use crate::scenario::ScenarioError;
use crate::scenario::values::fraction;
use std::sync::Arc;
use std::time::Duration;

/// At least `min` of the calls started in the window fail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinFailureRate {
    /// The least fraction of failed calls (0 to 1).
    pub min: f64,
    /// Counting the calls started from this time on (since the cluster started).
    pub from: Duration,
    /// And before this time (`None`: to the end of the run).
    pub until: Option<Duration>,
}

/// Reads `min_failure_rate` and its own window.
pub(super) const READER: Reader = Reader {
    name: "min-failure-rate",
    keys: &["min_failure_rate", OWN_MIN[0], OWN_MIN[1]],
    read: |table| read(table),
};

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let Some(rate) = table.get::<f64>("min_failure_rate")? else {
        return rate_window::own_without_min(table).map(|()| None);
    };
    let min = fraction(&rate, "min_failure_rate", table.source())?;
    let (from, until) = rate_window::min(table)?;
    Ok(Some(Arc::new(MinFailureRate { min, from, until })))
}

impl Rule for MinFailureRate {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let (log, context) = (calls.log, calls.context);
        let judged = check::min_failure_rate(log, self.from, self.until, self.min, context);
        vec![Judged::Check(past_the_run(judged, log, self.from))]
    }

    fn write(&self, toml: &mut ExpectLines) {
        toml.push_str(&format!("min_failure_rate = {:?}\n", self.min));
        rate_window::write_min(toml, (self.from, self.until));
    }
}
