//! `fallback`: the balancer routes around a failed backend, `[expect] fallback`: at most
//! `max_failures` calls fail, and none that starts `grace` after a fault began (judged by
//! [`check::fallback`]).
//!
//! ```
//! use jostle_harness::expect::FallbackExpectation;
//! use std::time::Duration;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\nfallback = { max_failures = 3 }\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let fallback = story.expect().get::<FallbackExpectation>().unwrap();
//! assert_eq!((fallback.max_failures, fallback.grace), (3, Duration::from_millis(500)));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use super::table::Table;
use crate::check;
use crate::load::CallLog;
use crate::scenario::duration::Dur;
use crate::scenario::{Scenario, ScenarioError};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;

/// How fast the balancer routes around a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FallbackExpectation {
    /// At most this many calls fail in all.
    pub max_failures: u64,
    /// No call fails that starts this long after a fault began. Default 500 ms.
    pub grace: Duration,
}

/// `[expect.fallback]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `max_failures`, `grace` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
struct RawFallback {
    max_failures: Spanned<i64>,
    grace: Option<Spanned<Dur>>,
}

/// Reads `fallback`.
pub(super) const READER: Reader =
    Reader { name: "fallback", keys: &["fallback"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let Some(fallback) = table.get::<RawFallback>("fallback")? else { return Ok(None) };
    let fallback = fallback.get_ref();
    let failures = &fallback.max_failures;
    Ok(Some(Arc::new(FallbackExpectation {
        max_failures: u64::try_from(*failures.get_ref()).map_err(|_| {
            table.error(
                failures.span(),
                format!("`max_failures` is {}", failures.get_ref()),
                "a number of calls, 0 or more",
            )
        })?,
        grace: fallback
            .grace
            .as_ref()
            .map_or(Duration::from_millis(500), |grace| grace.get_ref().0),
    })))
}

impl Rule for FallbackExpectation {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let failed_at: Vec<Duration> = calls.windows.iter().map(|w| w.start).collect();
        let mut judged =
            check::fallback(calls.log, &failed_at, self.grace, self.max_failures, calls.context);
        if failed_at.is_empty() {
            judged.explanation.push_str(&dropped_faults(calls.scenario, calls.log));
        }
        vec![Judged::Check(judged)]
    }

    fn write(&self, toml: &mut ExpectLines) {
        toml.push_str(&format!(
            "fallback = {{ max_failures = {}, grace = {} }}\n",
            toml.count("max_failures", self.max_failures),
            toml.duration("grace", self.grace)
        ));
    }
}

/// Why a scenario with faults saw none start: those set after the last call ended (a load
/// bounded by calls ends when they are done) were dropped; the words to add, or none.
fn dropped_faults(scenario: &Scenario, log: &CallLog) -> String {
    let last_end = log.calls.iter().map(|call| call.end).max().unwrap_or_default();
    let dropped =
        scenario.injections().iter().filter(|i| i.at.unwrap_or_default() >= last_end).count();
    if dropped == 0 {
        return String::new();
    }
    format!(
        "; {dropped} fault(s) of the file start at or after {} ms, when the last call had \
         ended, and were dropped: the load ended first",
        last_end.as_millis()
    )
}
