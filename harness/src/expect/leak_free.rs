//! `leak-free`: tasks, connections and file descriptors are back to baseline after the run,
//! `[expect] no_leaks = true`. Judged by the run in process after the load
//! ([`check::leak_free`](crate::check::leak_free): it needs the client's own process), never
//! from call records.
//!
//! ```
//! use jostle_harness::expect::NoLeaks;
//!
//! let story = jostle_harness::scenario::load("../fixtures/article-restart.toml")?;
//! assert!(story.expect().get::<NoLeaks>().is_some());
//! assert!(story.expect().checks().contains(&"leak-free"));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::{Calls, Origin};
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use super::table::Table;
use crate::scenario::ScenarioError;
use std::sync::Arc;

/// Why the leak check is never judged from records.
const RECORDS: &str = "needs the client's own process (its tasks, sockets and file descriptors \
     after the load), which call records do not show";

/// The run leaves nothing behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoLeaks;

/// Reads `no_leaks`.
pub(super) const READER: Reader =
    Reader { name: "leak-free", keys: &["no_leaks"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let asked = table.get::<bool>("no_leaks")?.is_some_and(|asked| asked.into_inner());
    Ok(asked.then(|| Arc::new(NoLeaks) as Arc<dyn Rule>))
}

impl Rule for NoLeaks {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        vec![match calls.origin {
            Origin::InProcess => Judged::ByTheRun,
            Origin::Records { .. } => Judged::Untold(RECORDS.to_owned()),
        }]
    }

    fn write(&self, toml: &mut ExpectLines) {
        toml.push_str("no_leaks = true\n");
    }
}
