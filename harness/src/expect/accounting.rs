//! `accounting`, made by every run: the client's count of each method's calls equals the
//! backends' (judged by [`check::accounting`]). No `[expect]` key asks for it.
//!
//! ```
//! let story = jostle_harness::scenario::parse(
//!     "name = \"s\"\n[cluster]\nbackends = 1\n[balancer]\npolicy = \"round_robin\"\n[load]\nconcurrency = 1\ncalls = 1\n",
//!     "s.toml",
//! )?;
//! assert_eq!(story.expect().checks(), ["accounting"]);
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::{Calls, Origin};
use super::counters::Counters;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use crate::check;
use std::sync::Arc;

/// Why accounting is not judged from call records.
const RECORDS: &str = "compares the runner's own recorder with the backends' counters of each \
     method, kept only by a run in process";

/// The accounting check, which every run makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Accounting;

/// Reads nothing: every scenario asks for it.
pub(super) const READER: Reader =
    Reader { name: "accounting", keys: &[], read: |_| Ok(Some(Arc::new(Accounting))) };

impl Rule for Accounting {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        vec![match calls.origin {
            Origin::InProcess => Judged::Check(check::accounting(
                calls.log,
                calls.before,
                calls.after,
                calls.context,
            )),
            Origin::Records { .. } => Judged::Elsewhere(RECORDS.to_owned()),
        }]
    }

    /// `jostle serve` reports the counters themselves beside its verdicts; it has no second
    /// count to hold them against, and lists nothing for this check.
    fn judge_counters(&self, _: &dyn Counters) -> Vec<Judged> {
        Vec::new()
    }

    fn write(&self, _: &mut ExpectLines) {}
}
