//! `[load]`: the load a scenario drives, as a [`LoadSpec`].

use super::error::{ScenarioError, Source};
use super::raw::RawLoad;
use super::values::positive;
use crate::load::{LoadSpec, Mix, Pace, Until};
use std::ops::Range;
use std::time::Duration;
use toml::Spanned;

/// Checks `[load]` (at `span`) and builds the load (its seed is the scenario's, set when the
/// run starts) and the warm-up.
pub(super) fn spec(
    raw: &RawLoad,
    span: Range<usize>,
    source: &Source<'_>,
) -> Result<(LoadSpec, Duration), ScenarioError> {
    let pace = match (&raw.rate, &raw.concurrency) {
        (Some(rate), None) => {
            let per_second = *rate.get_ref();
            if !(per_second.is_finite() && per_second > 0.0) {
                return Err(source.error(
                    rate.span(),
                    format!("`rate` is {per_second}"),
                    "calls per second above 0",
                ));
            }
            Pace::Open { per_second }
        }
        (None, Some(concurrency)) => Pace::Closed {
            concurrency: usize::try_from(*concurrency.get_ref())
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    source.error(
                        concurrency.span(),
                        format!("`concurrency` is {}", concurrency.get_ref()),
                        "calls in flight, at least 1",
                    )
                })?,
        },
        (Some(_), Some(concurrency)) => {
            return Err(source.error(
                concurrency.span(),
                "both `rate` and `concurrency` are set",
                "one of them: `rate` (calls started per second) or `concurrency` (calls in flight)",
            ));
        }
        (None, None) => {
            return Err(source.error(
                span,
                "`[load]` sets neither `rate` nor `concurrency`",
                "one of them: `rate` (calls started per second) or `concurrency` (calls in flight)",
            ));
        }
    };
    let until = match (&raw.duration, &raw.calls) {
        (Some(duration), None) => Until::Elapsed(positive(duration, "duration", source)?),
        (None, Some(calls)) => Until::Calls(
            u64::try_from(*calls.get_ref()).ok().filter(|n| *n >= 1).ok_or_else(|| {
                source.error(
                    calls.span(),
                    format!("`calls` is {}", calls.get_ref()),
                    "a number of calls, at least 1",
                )
            })?,
        ),
        (Some(_), Some(calls)) => {
            return Err(source.error(
                calls.span(),
                "both `duration` and `calls` are set",
                "one of them: `duration` (how long) or `calls` (how many)",
            ));
        }
        (None, None) => {
            return Err(source.error(
                span,
                "`[load]` sets neither `duration` nor `calls`",
                "one of them: `duration` (how long) or `calls` (how many)",
            ));
        }
    };
    let deadline = match &raw.deadline {
        Some(deadline) => positive(deadline, "deadline", source)?,
        None => Duration::from_secs(1),
    };
    let mix = match &raw.mix {
        None => Mix::default(),
        Some(mix) => {
            let weights = mix.get_ref();
            if weights.create == 0 && weights.get == 0 && weights.watch == 0 {
                return Err(source.error(
                    Spanned::span(mix),
                    "every method's weight is 0",
                    "at least one of `create`, `get`, `watch` above 0",
                ));
            }
            Mix { create: weights.create, get: weights.get, watch: weights.watch }
        }
    };
    let warm_up = raw.warm_up.as_ref().map_or(Duration::ZERO, |warm_up| warm_up.get_ref().0);
    Ok((LoadSpec { pace, until, deadline, mix, seed: 0 }, warm_up))
}
