//! `failure-rate`: at most a fraction of the calls fail, `[expect] max_failure_rate`, counted
//! from `failure_rate_from` on (since the cluster started; zero when not given).
//!
//! ```
//! use jostle_harness::expect::FailureRate;
//! use std::time::Duration;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 1\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\ncalls = 10\n[expect]\nmax_failure_rate = 0.1\nfailure_rate_from = \"1s\"\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let rate = story.expect().get::<FailureRate>().unwrap();
//! assert_eq!((rate.max, rate.from), (0.1, Duration::from_secs(1)));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::judged::Judged;
use super::rule::{Reader, Rule};
use super::table::{Table, duration};
use crate::check;
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
use crate::scenario::values::fraction;
use std::sync::Arc;
use std::time::Duration;

/// At most `max` of the calls started from `from` on fail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FailureRate {
    /// The largest fraction of failed calls (0 to 1).
    pub max: f64,
    /// Counting the calls started from this time on (since the cluster started).
    pub from: Duration,
}

/// Reads `max_failure_rate` and `failure_rate_from`.
pub(super) const READER: Reader = Reader {
    name: "failure-rate",
    keys: &["max_failure_rate", "failure_rate_from"],
    read: |table| read(table),
};

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let rate = table.get::<f64>("max_failure_rate")?;
    let from = table.get::<Dur>("failure_rate_from")?;
    let Some(rate) = rate else {
        if let Some(from) = from {
            return Err(table.error(
                from.span(),
                "`failure_rate_from` without `max_failure_rate`",
                "`max_failure_rate` beside it",
            ));
        }
        return Ok(None);
    };
    let max = fraction(&rate, "max_failure_rate", table.source())?;
    let from = from.map_or(Duration::ZERO, |from| from.into_inner().0);
    Ok(Some(Arc::new(FailureRate { max, from })))
}

impl Rule for FailureRate {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        vec![Judged::Check(check::failure_rate(calls.log, self.from, self.max, calls.context))]
    }

    fn write(&self, toml: &mut String) {
        toml.push_str(&format!("max_failure_rate = {:?}\n", self.max));
        if !self.from.is_zero() {
            toml.push_str(&format!("failure_rate_from = {}\n", duration(self.from)));
        }
    }
}
