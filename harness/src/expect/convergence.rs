//! `convergence`: after the last discovery change and `settle`, calls reach only the
//! announced backends, and each of them, `[expect] convergence` (judged by
//! [`check::convergence`] from the calls, [`check::convergence_of`] from the counters). A file
//! without a discovery change has nothing to converge to.
//!
//! ```
//! use jostle_harness::expect::ConvergenceExpectation;
//! use std::time::Duration;
//!
//! let story = jostle_harness::scenario::load("../fixtures/stale-dns.toml")?;
//! let convergence = story.expect().get::<ConvergenceExpectation>().unwrap();
//! assert!(convergence.settle > Duration::ZERO);
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::counters::{Counters, served_verdict};
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use super::table::Table;
use crate::check;
use crate::scenario::ScenarioError;
use crate::scenario::duration::Dur;
use crate::scenario::values::backend_indices;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;

/// After the last discovery change and `settle`, calls reach only the announced backends (or
/// the chosen ones among them), and each of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvergenceExpectation {
    /// How long the balancer gets to follow the change; default 500 ms.
    pub settle: Duration,
    /// The backends (indexes, each announced after the last change) the calls must reach,
    /// exactly; every announced backend when `None`. The others announced may get no call (a
    /// bad pod a good client avoids).
    pub backends: Option<Vec<usize>>,
}

/// `[expect.convergence]`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a table with the fields `settle`, `backends` (docs/SCENARIOS.md)")]
#[serde(deny_unknown_fields)]
struct RawConvergence {
    settle: Option<Spanned<Dur>>,
    backends: Option<Spanned<Vec<Spanned<i64>>>>,
}

/// Reads `convergence`.
pub(super) const READER: Reader =
    Reader { name: "convergence", keys: &["convergence"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let Some(written) = table.get::<RawConvergence>("convergence")? else { return Ok(None) };
    if table.discovery.is_some_and(|discovery| discovery.changes.is_empty()) {
        return Err(table.error(
            written.span(),
            "`convergence` with no discovery change to converge to",
            "a `[[discovery.change]]`, or no `convergence`",
        ));
    }
    let settle = written.get_ref().settle.as_ref();
    let settle = settle.map_or(Duration::from_millis(500), |settle| settle.get_ref().0);
    let chosen = written.get_ref().backends.as_ref();
    let backends = chosen.map(|set| chosen_set(set, table)).transpose()?;
    Ok(Some(Arc::new(ConvergenceExpectation { settle, backends })))
}

/// `backends`: distinct indexes within the cluster, at least one, each announced after the
/// last discovery change.
fn chosen_set(
    written: &Spanned<Vec<Spanned<i64>>>,
    table: &Table<'_>,
) -> Result<Vec<usize>, ScenarioError> {
    if written.get_ref().is_empty() {
        return Err(table.error(
            written.span(),
            "`backends` lists no backend",
            "the indexes of the backends the calls must reach, at least one",
        ));
    }
    let chosen = backend_indices(written.get_ref(), table.backends, table.source())?;
    let Some(discovery) = table.discovery else { return Ok(chosen) };
    let announced = discovery.last();
    let stray = chosen.iter().zip(written.get_ref()).find(|(index, _)| !announced.contains(index));
    match stray {
        None => Ok(chosen),
        Some((index, place)) => Err(table.error(
            place.span(),
            format!("backend {index} is not announced after the last discovery change"),
            format!("backends announced then: {announced:?}"),
        )),
    }
}

impl Rule for ConvergenceExpectation {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let discovery = calls.scenario.discovery();
        // A file read without a change is refused; one built otherwise has nothing to judge.
        let Some(last) = discovery.changes.last() else { return Vec::new() };
        let names = calls.names;
        let set = self.backends.clone().unwrap_or_else(|| discovery.last());
        let set: Vec<&str> = set.into_iter().map(|index| names[index].as_str()).collect();
        let (log, context) = (calls.log, calls.context);
        vec![Judged::Check(check::convergence(log, last.at, self.settle, &set, context))]
    }

    fn judge_counters(&self, counters: &dyn Counters) -> Vec<Judged> {
        let last = counters.last_change().unwrap_or_default();
        let set = match &self.backends {
            Some(chosen) => chosen.iter().map(|&index| counters.names()[index].clone()).collect(),
            None => counters.announced_at(last),
        };
        let set: Vec<&str> = set.iter().map(String::as_str).collect();
        vec![served_verdict(counters, (last + self.settle, None), |served| {
            check::convergence_of(served, self.settle, &set, counters.context())
        })]
    }

    fn write(&self, toml: &mut ExpectLines) {
        if self.backends.as_ref().is_some_and(Vec::is_empty) {
            toml.refuse(
                "`backends` lists no backend",
                "at least one backend, or `None` for every announced one",
            );
        }
        let chosen = self.backends.as_ref().map_or(String::new(), |set| {
            let set: Vec<String> = set.iter().map(usize::to_string).collect();
            format!(", backends = [{}]", set.join(", "))
        });
        toml.push_str(&format!(
            "convergence = {{ settle = {}{chosen} }}\n",
            toml.duration("settle", self.settle)
        ));
    }
}
