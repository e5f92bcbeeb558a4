//! `connections`: at most so many connections opened over every backend, in all (`[expect]
//! max_connections`) or per 1,000 calls (`connections_per_1000_calls`), judged by
//! [`check::max_connections`] and [`check::connections`] over the backends' count of
//! connections accepted and the calls: the client's in a run, the calls the backends answered
//! under `jostle serve`.
//!
//! ```
//! use jostle_harness::expect::Connections;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 1\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\nconnections_per_1000_calls = 10\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! assert_eq!(story.expect().get::<Connections>(), Some(&Connections::Per1000Calls(10.0)));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::{Calls, Origin};
use super::counters::Counters;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use super::table::Table;
use crate::check::{self, CheckResult, Context};
use crate::scenario::ScenarioError;
use std::sync::Arc;

/// The highest `connections_per_1000_calls`: one connection per call.
const MOST_PER_THOUSAND: f64 = 1000.0;

/// Why the connection checks need the backends' counters.
const NO_COUNTERS: &str = "needs the backends' count of connections accepted (--counters \
     FILE, serve's --json report); a call record does not say which connection carried it";

/// How many connections the backends may accept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Connections {
    /// At most this many in the whole run (at least 1).
    Total(u64),
    /// At most this many per 1,000 calls (above 0, at most 1,000).
    Per1000Calls(f64),
}

/// Reads `max_connections` or `connections_per_1000_calls`.
pub(super) const READER: Reader = Reader {
    name: "connections",
    keys: &["max_connections", "connections_per_1000_calls"],
    read: |table| read(table),
};

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let total = table.get::<i64>("max_connections")?;
    let per_thousand = table.get::<f64>("connections_per_1000_calls")?;
    let read = match (total, per_thousand) {
        (None, None) => return Ok(None),
        (Some(total), Some(_)) => {
            return Err(table.error(
                total.span(),
                "both `max_connections` and `connections_per_1000_calls` are set",
                "one of them: connections in all, or per 1,000 calls",
            ));
        }
        (Some(total), None) => Connections::Total(
            u64::try_from(*total.get_ref()).ok().filter(|n| *n >= 1).ok_or_else(|| {
                table.error(
                    total.span(),
                    format!("`max_connections` is {}", total.get_ref()),
                    "a number of connections, at least 1",
                )
            })?,
        ),
        (None, Some(per_thousand)) => {
            let value = *per_thousand.get_ref();
            if !(value > 0.0 && value <= MOST_PER_THOUSAND) {
                return Err(table.error(
                    per_thousand.span(),
                    format!("`connections_per_1000_calls` is {value}"),
                    format!("a number of connections above 0 and at most {MOST_PER_THOUSAND}"),
                ));
            }
            Connections::Per1000Calls(value)
        }
    };
    Ok(Some(Arc::new(read)))
}

impl Connections {
    /// The verdict over `opened` connections for `calls` calls.
    fn verdict(self, opened: u64, calls: u64, context: &Context) -> CheckResult {
        match self {
            Connections::Total(most) => check::max_connections(opened, calls, most, context),
            Connections::Per1000Calls(most) => check::connections(opened, calls, most, context),
        }
    }
}

impl Rule for Connections {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        if calls.origin == (Origin::Records { counters: false }) {
            return vec![Judged::Untold(NO_COUNTERS.to_owned())];
        }
        let opened = crate::record::connections_opened(calls.before, calls.after);
        vec![Judged::Check(self.verdict(opened, calls.log.calls.len() as u64, calls.context))]
    }

    fn judge_counters(&self, counters: &dyn Counters) -> Vec<Judged> {
        vec![match counters.connections() {
            Ok((opened, answered)) => {
                Judged::Check(self.verdict(opened, answered, counters.context()))
            }
            Err(why) => Judged::Untold(why),
        }]
    }

    fn write(&self, toml: &mut ExpectLines) {
        toml.push_str(&match self {
            Connections::Total(most) => {
                format!("max_connections = {}\n", toml.count("max_connections", *most))
            }
            Connections::Per1000Calls(most) => format!("connections_per_1000_calls = {most:?}\n"),
        });
    }
}
