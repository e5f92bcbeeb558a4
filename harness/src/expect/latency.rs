//! `latency`: percentiles of the OK calls' latency under bounds, overall or per backend,
//! `[expect] latency = [{ percentile, under, backend, after }]` (judged by [`check::latency`]).
//!
//! ```
//! use jostle_harness::expect::Latency;
//! use std::time::Duration;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\nlatency = [{ percentile = 99, under = \"50ms\", backend = 1 }]\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let bound = story.expect().get::<Latency>().unwrap().0[0];
//! assert_eq!((bound.percentile, bound.under, bound.backend), (99.0, Duration::from_millis(50), Some(1)));
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
use crate::scenario::suggest::did_you_mean;
use crate::scenario::values::{backend_index, positive};
use crate::scenario::window::{Written, window};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;

/// A percentile of the calls' latency (the OK ones, or all) under a bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyExpectation {
    /// Which percentile: above 0, at most 100 (100 is the slowest call).
    pub percentile: f64,
    /// The percentile is below this.
    pub under: Duration,
    /// Of the calls this backend served (its index); of every OK call when `None`.
    pub backend: Option<usize>,
    /// Of the calls started from this time on (since the cluster started); zero when not given.
    pub after: Duration,
    /// Which calls: the OK ones (the default), or all of them, a timed-out call at its
    /// deadline.
    pub of: LatencyOf,
}

/// Which calls a latency bound measures: `[expect] latency` `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LatencyOf {
    /// The OK calls, at their measured latency: `"ok"`, the default.
    #[default]
    Ok,
    /// Every call: a timed-out one at the load's deadline, any other (OK or failed) at its
    /// measured latency: `"all"`, the latency a client's dashboard shows.
    All,
}

impl LatencyOf {
    /// The names a file may write, in the order of [`LatencyOf::ALL`].
    pub const NAMES: [&'static str; 2] = ["ok", "all"];

    /// Both, in the order of [`LatencyOf::NAMES`].
    pub const ALL: [LatencyOf; 2] = [LatencyOf::Ok, LatencyOf::All];
}

/// Every `[expect] latency` bound, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Latency(pub Vec<LatencyExpectation>);

/// One of `[expect] latency`.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `percentile`, `under`, `backend`, `after`, `of` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
struct RawLatencyBound {
    percentile: Spanned<f64>,
    under: Spanned<Dur>,
    backend: Option<Spanned<i64>>,
    after: Option<Spanned<Dur>>,
    of: Option<Spanned<String>>,
}

/// Reads `latency`.
pub(super) const READER: Reader =
    Reader { name: "latency", keys: &["latency"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn Rule>>, ScenarioError> {
    let source = table.source();
    let bounds = table.each("latency", |bound: &RawLatencyBound| {
        let RawLatencyBound { percentile, under, backend, after, of } = bound;
        let of = calls_of(of.as_ref(), table)?;
        if let (LatencyOf::All, Some(backend)) = (of, backend) {
            return Err(table.error(
                backend.span(),
                "`backend` with `of = \"all\"`: a call that timed out or failed before a backend answered names no backend",
                "no `backend` (all calls, over every backend), or `of = \"ok\"`",
            ));
        }
        Ok(LatencyExpectation {
            percentile: self::percentile(percentile, table)?,
            under: positive(under, "under", source)?,
            backend: backend
                .as_ref()
                .map(|b| backend_index(b, table.backends, source))
                .transpose()?,
            after: starts_in_the_load(after.as_ref(), table)?,
            of,
        })
    })?;
    Ok(bounds.map(|bounds| Arc::new(Latency(bounds)) as Arc<dyn Rule>))
}

/// A bound's `after` (zero when not given), read as the start of a window: a start when a load
/// bounded by a duration is over is an error at it (no call can start then).
fn starts_in_the_load(
    after: Option<&Spanned<Dur>>,
    table: &Table<'_>,
) -> Result<Duration, ScenarioError> {
    let written = Written { after, from: None, until: None, keys: ["after", "until"] };
    Ok(window(&written, table.source(), table.load_end)?.0)
}

/// `of`: `ok` (the default) or `all`.
fn calls_of(
    value: Option<&Spanned<String>>,
    table: &Table<'_>,
) -> Result<LatencyOf, ScenarioError> {
    let Some(value) = value else { return Ok(LatencyOf::Ok) };
    let names = LatencyOf::NAMES;
    let at = names.iter().position(|name| name == value.get_ref());
    at.map(|at| LatencyOf::ALL[at]).ok_or_else(|| {
        table
            .error(
                value.span(),
                format!("unknown `of` `{}`", value.get_ref()),
                "`ok` (the OK calls) or `all` (every call, a timed-out one at its deadline)",
            )
            .suggesting(did_you_mean(value.get_ref(), names))
    })
}

/// A percentile above 0 and at most 100.
fn percentile(value: &Spanned<f64>, table: &Table<'_>) -> Result<f64, ScenarioError> {
    let percentile = *value.get_ref();
    if !(percentile > 0.0 && percentile <= 100.0) {
        return Err(table.error(
            value.span(),
            format!("`percentile` is {percentile}"),
            "a percentile above 0 and at most 100 (99, 99.9; 100 is the slowest call)",
        ));
    }
    Ok(percentile)
}

impl Rule for Latency {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let judge = |bound: &LatencyExpectation| {
            let backend = bound.backend.map(|index| calls.names[index].as_str());
            let (log, after, context) = (calls.log, bound.after, calls.context);
            let (percentile, under) = (bound.percentile, bound.under);
            match bound.of {
                LatencyOf::Ok => check::latency(log, backend, after, percentile, under, context),
                LatencyOf::All => {
                    let deadline = calls.scenario.load_spec().deadline;
                    check::latency_of_all(log, deadline, after, percentile, under, context)
                }
            }
        };
        self.0.iter().map(judge).map(Judged::Check).collect()
    }

    fn write(&self, toml: &mut ExpectLines) {
        if self.0.is_empty() {
            toml.refuse_empty("latency");
        }
        let bounds: Vec<String> = self
            .0
            .iter()
            .map(|bound| {
                if let (LatencyOf::All, Some(backend)) = (bound.of, bound.backend) {
                    toml.refuse(
                        format!("a bound of all calls names backend {backend}"),
                        "no `backend` with `of = \"all\"` (a call that failed before a backend \
                         answered names none), or `of = \"ok\"`",
                    );
                }
                let mut text = format!(
                    "{{ percentile = {:?}, under = {}",
                    bound.percentile,
                    toml.duration("under", bound.under)
                );
                if let Some(backend) = bound.backend {
                    text.push_str(&format!(", backend = {backend}"));
                }
                if bound.of == LatencyOf::All {
                    text.push_str(", of = \"all\"");
                }
                if !bound.after.is_zero() {
                    text.push_str(&format!(", after = {}", toml.duration("after", bound.after)));
                }
                text + " }"
            })
            .collect();
        toml.push_str(&format!("latency = [{}]\n", bounds.join(", ")));
    }
}
