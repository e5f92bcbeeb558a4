//! The expectations an incident story needs beyond the battery's: the split of the calls with
//! its own shares (`split`), the codes failures may have (`codes`), failing fast when nothing is
//! up (`fail_fast`), only announced backends serving (`only_announced`), connections per 1,000
//! calls, and recovery's upper bound (`at_most`, `window`).
//!
//! ```
//! let text = r#"
//! name = "s"
//! [cluster]
//! backends = 3
//! [balancer]
//! policy = "round_robin"
//! [load]
//! rate = 100
//! duration = "1s"
//! [expect]
//! codes = ["Unavailable", "deadline_exceeded"]
//! fail_fast = { within = "10ms" }
//! only_announced = { grace = "200ms" }
//! connections_per_1000_calls = 10
//! split = { shares = [0.5, 0.25, 0.25] }
//! "#;
//! let story = jostle_harness::scenario::parse(text, "s.toml")?;
//! assert_eq!(story.expect().codes, Some(vec![tonic::Code::Unavailable, tonic::Code::DeadlineExceeded]));
//! assert!(story.expect().checks().contains(&"only-announced"));
//! # Ok::<(), jostle_harness::scenario::ScenarioError>(())
//! ```

use super::error::{ScenarioError, Source};
use super::expectations::{Distribution, Expectations};
use super::raw::{RawExpect, RawRecovery};
use super::values::{positive, status_code};
use crate::check::stats::DistributionSpec;
use std::time::Duration;

/// The window recovery's upper bound is judged in, unless `window` says otherwise.
pub(super) const FLOOD_WINDOW: Duration = Duration::from_millis(250);

/// How close to 1 a `split`'s shares must sum.
const SUM_TOLERANCE: f64 = 1e-6;

/// The highest `connections_per_1000_calls`: one connection per call.
const MOST_PER_THOUSAND: f64 = 1000.0;

/// Reads the incident expectations of `raw` into `expect`.
pub(super) fn expectations(
    raw: &RawExpect,
    backends: usize,
    expect: &mut Expectations,
    source: &Source<'_>,
) -> Result<(), ScenarioError> {
    if let Some(split) = &raw.split {
        if let Some(distribution) = &raw.distribution {
            return Err(source.error(
                distribution.span(),
                "both `distribution` and `split` are set",
                "one of them: `distribution` (\"exact-cycle\" or \"even\") or `split` (shares of your own)",
            ));
        }
        expect.distribution = Some(self::split(split, backends, source)?);
    }
    if let Some(written) = &raw.codes {
        if written.get_ref().is_empty() {
            return Err(source.error(
                written.span(),
                "`codes` lists no code",
                "at least one gRPC code a call may fail with (for no failure at all: `max_failure_rate = 0`)",
            ));
        }
        let mut codes = Vec::new();
        for name in written.get_ref() {
            let code = status_code(name, source)?;
            if codes.contains(&code) {
                return Err(source.error(
                    name.span(),
                    format!("code `{code:?}` is listed twice"),
                    "each code once",
                ));
            }
            codes.push(code);
        }
        expect.codes = Some(codes);
    }
    if let Some(fail_fast) = &raw.fail_fast {
        expect.fail_fast = Some(positive(&fail_fast.get_ref().within, "within", source)?);
    }
    if let Some(only) = &raw.only_announced {
        expect.only_announced = Some(
            only.get_ref().grace.as_ref().map_or(Duration::from_millis(500), |g| g.get_ref().0),
        );
    }
    if let Some(per_thousand) = &raw.connections_per_1000_calls {
        if let Some(max) = &raw.max_connections {
            return Err(source.error(
                max.span(),
                "both `max_connections` and `connections_per_1000_calls` are set",
                "one of them: connections in all, or per 1,000 calls",
            ));
        }
        let value = *per_thousand.get_ref();
        if !(value > 0.0 && value <= MOST_PER_THOUSAND) {
            return Err(source.error(
                per_thousand.span(),
                format!("`connections_per_1000_calls` is {value}"),
                format!("a number of connections above 0 and at most {MOST_PER_THOUSAND}"),
            ));
        }
        expect.connections_per_1000_calls = Some(value);
    }
    Ok(())
}

/// `recovery`'s `at_most`: a multiple of the fair share, at least 1.
pub(super) fn flood_bound(
    recovery: &RawRecovery,
    source: &Source<'_>,
) -> Result<Option<f64>, ScenarioError> {
    let Some(at_most) = &recovery.at_most else {
        if let Some(window) = &recovery.window {
            return Err(source.error(
                window.span(),
                "`window` without `at_most`",
                "`at_most` beside it (the multiple of the fair share a window may reach)",
            ));
        }
        return Ok(None);
    };
    let value = *at_most.get_ref();
    if !(1.0..=1000.0).contains(&value) {
        return Err(source.error(
            at_most.span(),
            format!("`at_most` is {value}"),
            "a multiple of the fair share in 1..=1000 (2 for twice its fair share)",
        ));
    }
    Ok(Some(value))
}

/// `split = { shares, false_failure, min_skew, power }`.
fn split(
    written: &toml::Spanned<super::raw::RawSplit>,
    backends: usize,
    source: &Source<'_>,
) -> Result<Distribution, ScenarioError> {
    let raw = written.get_ref();
    let shares: Vec<f64> = raw.shares.get_ref().iter().map(|share| *share.get_ref()).collect();
    if shares.len() != backends {
        return Err(source.error(
            raw.shares.span(),
            format!("{} shares for {backends} backends", shares.len()),
            "one share per backend, in index order",
        ));
    }
    if let Some(bad) =
        raw.shares.get_ref().iter().find(|share| !(0.0..=1.0).contains(share.get_ref()))
    {
        return Err(source.error(
            bad.span(),
            format!("a share of {}", bad.get_ref()),
            "a fraction in 0..=1",
        ));
    }
    let sum: f64 = shares.iter().sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        return Err(source.error(
            raw.shares.span(),
            format!("the shares sum to {sum}"),
            "shares that sum to 1",
        ));
    }
    let defaults = DistributionSpec::default();
    let open = |value: &Option<toml::Spanned<f64>>, field: &str, default: f64| match value {
        None => Ok(default),
        Some(value) if *value.get_ref() > 0.0 && *value.get_ref() < 1.0 => Ok(*value.get_ref()),
        Some(value) => Err(source.error(
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
        return Err(source.error(
            written.span(),
            error.to_string(),
            "a split the chi-square test can size",
        ));
    }
    Ok(Distribution::Shares { shares, spec })
}
