//! `fail-fast`: a call that fails while the client can know that no backend is up fails
//! within a bound, `[expect] fail_fast = { within = "…" }` (judged by [`check::fail_fast`],
//! at the instants [`check::KnownDown`] reads from the fault windows and the discovery
//! timeline). A balancer that waits for a ready backend (`wait_for_ready = true`) cannot be
//! held to it.
//!
//! ```
//! use jostle_harness::expect::FailFast;
//! use std::time::Duration;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 1\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\nfail_fast = { within = \"10ms\" }\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! assert_eq!(story.expect().get::<FailFast>(), Some(&FailFast(Duration::from_millis(10))));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use super::table::Table;
use crate::check;
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
use crate::scenario::values::positive;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;

/// How soon a call fails while nothing announced is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailFast(pub Duration);

/// `[expect.fail_fast]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `within` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
struct RawFailFast {
    within: Spanned<Dur>,
}

/// Reads `fail_fast`.
pub(super) const READER: Reader =
    Reader { name: "fail-fast", keys: &["fail_fast"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let Some(written) = table.get::<RawFailFast>("fail_fast")? else { return Ok(None) };
    let within = positive(&written.get_ref().within, "within", table.source())?;
    if table.wait_for_ready == Some(true) {
        return Err(table.error(
            written.span(),
            "`fail_fast` with `wait_for_ready = true`: calls wait for a ready backend",
            "`wait_for_ready = false` in [balancer], or no `fail_fast`",
        ));
    }
    Ok(Some(Arc::new(FailFast(within))))
}

impl Rule for FailFast {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let known = check::KnownDown::new(calls.windows, calls.scenario.discovery(), calls.names);
        let nothing_ready = |at: Duration| known.nothing_ready(at);
        vec![Judged::Check(check::fail_fast(calls.log, nothing_ready, self.0, calls.context))]
    }

    fn write(&self, toml: &mut ExpectLines) {
        toml.push_str(&format!("fail_fast = {{ within = {} }}\n", toml.duration("within", self.0)));
    }
}
