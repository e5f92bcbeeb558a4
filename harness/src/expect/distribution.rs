//! `distribution`: how the OK calls split over the backends, `[expect] distribution`
//! (`"exact-cycle"`, `"even"`) or `[expect] split` (shares of your own, judged by the sized
//! chi-square test of [`check::distribution`]).
//!
//! ```
//! use jostle_harness::expect::Distribution;
//!
//! let text = "name = \"s\"\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n\
//!     [load]\nconcurrency = 1\ncalls = 10\n[expect]\nsplit = { shares = [0.75, 0.25] }\n";
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! let Some(Distribution::Shares { shares, .. }) = story.expect().get::<Distribution>() else {
//!     panic!("a split is read as shares");
//! };
//! assert_eq!(shares, &[0.75, 0.25]);
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::calls::Calls;
use super::counters::Counters;
use super::judged::Judged;
use super::lines::ExpectLines;
use super::rule::{Reader, Rule};
use super::table::Table;
use crate::check::distribution;
use crate::check::stats::DistributionSpec;
use crate::scenario::ScenarioError;
use crate::scenario::suggest::{did_you_mean, quoted};
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

/// How close to 1 a `split`'s shares must sum.
const SUM_TOLERANCE: f64 = 1e-6;

/// How the calls split over the backends: `[expect] distribution` or `split`.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// One call at a time rotates through the backends in index order (round robin):
    /// `"exact-cycle"`.
    ExactCycle,
    /// The OK calls split in these shares, one per backend, summing to 1, judged by a
    /// chi-square test at the sample size `spec` derives. `"even"` is an even split with
    /// [`DistributionSpec::default`].
    Shares {
        /// One share per backend.
        shares: Vec<f64>,
        /// The false-failure rate, smallest skew and power of the test.
        spec: DistributionSpec,
    },
}

impl Distribution {
    /// The names a file may write.
    pub const NAMES: [&'static str; 2] = ["exact-cycle", "even"];

    /// An even split over `backends`, with the default statistical spec.
    pub fn even(backends: usize) -> Self {
        Distribution::Shares {
            shares: vec![1.0 / backends.max(1) as f64; backends],
            spec: DistributionSpec::default(),
        }
    }
}

/// `split = { shares, false_failure, min_skew, power }`.
#[derive(Debug, Deserialize)]
#[serde(
    expecting = "a table with the fields `shares`, `false_failure`, `min_skew`, `power` (docs/SCENARIOS.md)"
)]
#[serde(deny_unknown_fields)]
struct RawSplit {
    shares: Spanned<Vec<Spanned<f64>>>,
    false_failure: Option<Spanned<f64>>,
    min_skew: Option<Spanned<f64>>,
    power: Option<Spanned<f64>>,
}

/// Reads `distribution` or `split`.
pub(super) const READER: Reader =
    Reader { name: "distribution", keys: &["distribution", "split"], read: |table| read(table) };

fn read(table: &Table<'_>) -> Result<Option<Arc<dyn super::Rule>>, ScenarioError> {
    let mut read = None;
    let named = table.get::<String>("distribution")?;
    if let Some(written) = &named {
        read = Some(match written.get_ref().as_str() {
            "exact-cycle" => Distribution::ExactCycle,
            "even" => Distribution::even(table.backends),
            other => {
                return Err(table
                    .error(
                        written.span(),
                        format!("unknown distribution `{other}`"),
                        quoted(&Distribution::NAMES),
                    )
                    .suggesting(did_you_mean(other, Distribution::NAMES)));
            }
        });
    }
    if let Some(split) = table.get::<RawSplit>("split")? {
        if let Some(named) = &named {
            return Err(table.error(
                named.span(),
                "both `distribution` and `split` are set",
                "one of them: `distribution` (\"exact-cycle\" or \"even\") or `split` (shares of your own)",
            ));
        }
        read = Some(self::split(&split, table)?);
    }
    Ok(read.map(|rule| Arc::new(rule) as Arc<dyn super::Rule>))
}

/// `split`'s shares (one per backend, each a fraction, summing to 1) and test parameters.
fn split(written: &Spanned<RawSplit>, table: &Table<'_>) -> Result<Distribution, ScenarioError> {
    let raw = written.get_ref();
    let backends = table.backends;
    let shares: Vec<f64> = raw.shares.get_ref().iter().map(|share| *share.get_ref()).collect();
    if shares.len() != backends {
        return Err(table.error(
            raw.shares.span(),
            format!("{} shares for {backends} backends", shares.len()),
            "one share per backend, in index order",
        ));
    }
    if let Some(bad) =
        raw.shares.get_ref().iter().find(|share| !(0.0..=1.0).contains(share.get_ref()))
    {
        return Err(table.error(
            bad.span(),
            format!("a share of {}", bad.get_ref()),
            "a fraction in 0..=1",
        ));
    }
    let sum: f64 = shares.iter().sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        return Err(table.error(
            raw.shares.span(),
            format!("the shares sum to {sum}"),
            "shares that sum to 1",
        ));
    }
    let defaults = DistributionSpec::default();
    let open = |value: &Option<Spanned<f64>>, field: &str, default: f64| match value {
        None => Ok(default),
        Some(value) if *value.get_ref() > 0.0 && *value.get_ref() < 1.0 => Ok(*value.get_ref()),
        Some(value) => Err(table.error(
            value.span(),
            format!("`{field}` is {}", value.get_ref()),
            "a probability strictly between 0 and 1",
        )),
    };
    let spec = DistributionSpec {
        false_failure: open(&raw.false_failure, "false_failure", defaults.false_failure)?,
        min_skew: open(&raw.min_skew, "min_skew", defaults.min_skew)?,
        power: open(&raw.power, "power", defaults.power)?,
    };
    if let Err(error) = spec.sample_size(&shares) {
        return Err(table.error(
            written.span(),
            error.to_string(),
            "a split the chi-square test can size",
        ));
    }
    Ok(Distribution::Shares { shares, spec })
}

impl Rule for Distribution {
    fn name(&self) -> &'static str {
        READER.name
    }

    fn judge(&self, calls: &Calls<'_>) -> Vec<Judged> {
        let (log, names, context) = (calls.log, calls.names, calls.context);
        vec![Judged::Check(match self {
            Distribution::ExactCycle => distribution::exact_cycle(log, names, context),
            Distribution::Shares { shares, spec } => {
                distribution::shares(log, names, shares, spec, context)
            }
        })]
    }

    fn judge_counters(&self, _: &dyn Counters) -> Vec<Judged> {
        vec![Judged::Elsewhere(
            "needs the client's count of its calls in the order it made them; the share \
             expectations judge each backend's part"
                .to_owned(),
        )]
    }

    fn write(&self, toml: &mut ExpectLines) {
        match self {
            Distribution::ExactCycle => toml.push_str("distribution = \"exact-cycle\"\n"),
            Distribution::Shares { shares, spec } => {
                let shares: Vec<String> = shares.iter().map(|share| format!("{share:?}")).collect();
                let DistributionSpec { false_failure, min_skew, power } = spec;
                toml.push_str(&format!(
                    "split = {{ shares = [{}], false_failure = {false_failure:?}, min_skew = {min_skew:?}, power = {power:?} }}\n",
                    shares.join(", ")
                ));
            }
        }
    }
}
