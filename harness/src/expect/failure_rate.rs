//! `failure-rate`: at most a fraction of the calls started in a window fail, `[expect]
//! max_failure_rate`. The window, `failure_rate_from` and `failure_rate_until` (since the
//! cluster started; the whole run when not given), is this file's to read: `min-failure-rate`
//! counts in the same window.
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
use super::rule::{Reader, Rule};
use super::table::{Table, duration};
use crate::check;
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
use crate::scenario::values::fraction;
use crate::scenario::window::{Written, window};
use std::sync::Arc;
use std::time::Duration;

/// The keys of the window both failure rates count in.
const WINDOW: [&str; 2] = ["failure_rate_from", "failure_rate_until"];

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
    keys: &["max_failure_rate", WINDOW[0], WINDOW[1]],
    read: |table| read(table),
};

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let (from, until) = rate_window(table)?;
    let Some(rate) = table.get::<f64>("max_failure_rate")? else { return Ok(None) };
    let max = fraction(&rate, "max_failure_rate", table.source())?;
    Ok(Some(Arc::new(FailureRate { max, from, until })))
}

/// The window both failure rates count in: zero to the end of the run when not given.
///
/// # Errors
///
/// A window without either rate, a backwards one: located.
pub(super) fn rate_window(
    table: &Table<'_>,
) -> Result<(Duration, Option<Duration>), ScenarioError> {
    let [from_key, until_key] = WINDOW;
    let (from, until) = (table.get::<Dur>(from_key)?, table.get::<Dur>(until_key)?);
    let rated = table.span("max_failure_rate").or(table.span("min_failure_rate")).is_some();
    if let (Some(written), false) = (from.as_ref().or(until.as_ref()), rated) {
        let name = if from.is_some() { from_key } else { until_key };
        return Err(table.error(
            written.span(),
            format!("`{name}` without `max_failure_rate` or `min_failure_rate`"),
            "`max_failure_rate` or `min_failure_rate` beside it",
        ));
    }
    let written = Written { after: None, from: from.as_ref(), until: until.as_ref(), keys: WINDOW };
    window(&written, table.source(), table.load_end)
}

/// The window's lines, written once for both rates (they count in one window): after the
/// first of them that a file asks for.
pub(super) fn write_window(toml: &mut ExpectLines, from: Duration, until: Option<Duration>) {
    toml.once(&WINDOW, |text| {
        if !from.is_zero() {
            text.push_str(&format!("{} = {}\n", WINDOW[0], duration(from)));
        }
        if let Some(until) = until {
            text.push_str(&format!("{} = {}\n", WINDOW[1], duration(until)));
        }
    });
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
        write_window(toml, self.from, self.until);
    }
}
