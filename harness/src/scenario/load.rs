//! `[load]`: the load a scenario drives, as a [`LoadSpec`].

use super::error::{ScenarioError, Source};
use super::raw::RawLoad;
use super::values::positive;
use crate::error::Error;
use crate::load::limits::{
    BYTES_PER_CONNECTION, MAX_CALLS, MAX_CLIENTS, MAX_CONCURRENCY, MAX_CONNECTIONS, MAX_DURATION,
    MAX_DURATION_TEXT, MAX_IN_FLIGHT, MAX_RATE, MAX_WEIGHT, MIN_RATE,
};
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
            if !(MIN_RATE..=MAX_RATE).contains(&per_second) {
                return Err(source.error(
                    rate.span(),
                    format!("`rate` is {per_second}"),
                    format!("calls per second in {MIN_RATE}..={MAX_RATE}"),
                ));
            }
            Pace::Open { per_second }
        }
        (None, Some(concurrency)) => Pace::Closed {
            concurrency: usize::try_from(*concurrency.get_ref())
                .ok()
                .filter(|n| (1..=MAX_CONCURRENCY).contains(n))
                .ok_or_else(|| {
                    source.error(
                        concurrency.span(),
                        format!("`concurrency` is {}", concurrency.get_ref()),
                        format!("calls in flight in 1..={MAX_CONCURRENCY}"),
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
            u64::try_from(*calls.get_ref())
                .ok()
                .filter(|n| (1..=MAX_CALLS).contains(n))
                .ok_or_else(|| {
                    source.error(
                        calls.span(),
                        format!("`calls` is {}", calls.get_ref()),
                        format!("a number of calls in 1..={MAX_CALLS}"),
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
            let mut read = [0_u32; 3];
            for (slot, (name, weight)) in read.iter_mut().zip([
                ("create", &weights.create),
                ("get", &weights.get),
                ("watch", &weights.watch),
            ]) {
                let Some(weight) = weight else { continue };
                *slot = match u32::try_from(*weight.get_ref()) {
                    Ok(value) if value <= MAX_WEIGHT => value,
                    _ => {
                        return Err(source.error(
                            weight.span(),
                            format!("`{name}`'s weight is {}", weight.get_ref()),
                            format!("a whole number in 0..={MAX_WEIGHT}"),
                        ));
                    }
                };
            }
            let [create, get, watch] = read;
            if create == 0 && get == 0 && watch == 0 {
                return Err(source.error(
                    Spanned::span(mix),
                    "every method's weight is 0",
                    "at least one of `create`, `get`, `watch` above 0",
                ));
            }
            Mix { create, get, watch }
        }
    };
    let warm_up = raw.warm_up.as_ref().map_or(Duration::ZERO, |warm_up| warm_up.get_ref().0);
    let load = LoadSpec { pace, until, deadline, mix, seed: 0 };
    // Each value is in range; the whole load must also fit the limits.
    load.validate().map_err(|error| {
        let (problem, expected) = match &error {
            Error::InvalidParameter { expected, got, .. } => {
                (format!("this load makes {got}"), expected.clone())
            }
            other => (other.to_string(), "a load within docs/SCENARIOS.md's limits".to_owned()),
        };
        source.error(span.clone(), problem, expected)
    })?;
    if warm_up.saturating_add(load.longest()) > MAX_DURATION {
        return Err(source.error(
            span,
            format!(
                "this load runs until {} (warm-up included, every call lasting its deadline)",
                humantime::format_duration(warm_up.saturating_add(load.longest()))
            ),
            format!("a run that ends within {MAX_DURATION_TEXT}"),
        ));
    }
    Ok((load, warm_up))
}

/// When a load bounded by a duration is over, since the cluster started: its warm-up and its
/// duration; `None` for a number of calls (it ends when they are done, which nobody knows
/// before). Faults, discovery changes and `[expect]` windows must start before it.
pub(super) fn end(load: &LoadSpec, warm_up: Duration) -> Option<Duration> {
    match load.until {
        Until::Elapsed(duration) => Some(warm_up.saturating_add(duration)),
        Until::Calls(_) => None,
    }
}

/// Checks `[load] clients` (at `span` for a rule of the whole load): how many independent
/// clients run `load` at once, 1 by default; all their calls together within [`MAX_CALLS`],
/// their connections to the cluster's `backends` (each client may connect to every one)
/// within [`MAX_CONNECTIONS`], a closed loop's calls in flight within [`MAX_IN_FLIGHT`].
pub(super) fn clients(
    raw: &RawLoad,
    load: &LoadSpec,
    backends: Option<usize>,
    span: Range<usize>,
    source: &Source<'_>,
) -> Result<usize, ScenarioError> {
    let Some(written) = &raw.clients else { return Ok(1) };
    let clients = usize::try_from(*written.get_ref())
        .ok()
        .filter(|n| (1..=MAX_CLIENTS).contains(n))
        .ok_or_else(|| {
            source.error(
                written.span(),
                format!("`clients` is {}", written.get_ref()),
                format!("a number of clients in 1..={MAX_CLIENTS}"),
            )
        })?;
    let calls = load.most_calls().saturating_mul(clients as u64);
    if calls > MAX_CALLS {
        return Err(source.error(
            span,
            format!("{clients} clients of this load make up to {calls} calls"),
            format!("at most {MAX_CALLS} calls over all clients (docs/SCENARIOS.md, \"Limits\")"),
        ));
    }
    if let Some(backends) = backends
        && clients.saturating_mul(backends) > MAX_CONNECTIONS
    {
        return Err(source.error(
            written.span(),
            format!(
                "{clients} clients × {backends} backends may open {} connections",
                clients.saturating_mul(backends)
            ),
            format!(
                "at most {MAX_CONNECTIONS} connections, clients × backends (about {} KB each; docs/SCENARIOS.md, \"Limits\")",
                BYTES_PER_CONNECTION / 1000
            ),
        ));
    }
    if let Pace::Closed { concurrency } = load.pace
        && clients.saturating_mul(concurrency) > MAX_IN_FLIGHT
    {
        return Err(source.error(
            written.span(),
            format!(
                "{clients} clients × `concurrency` {concurrency} keep {} calls in flight",
                clients.saturating_mul(concurrency)
            ),
            format!(
                "at most {MAX_IN_FLIGHT} calls in flight over all clients (docs/SCENARIOS.md, \"Limits\")"
            ),
        ));
    }
    Ok(clients)
}
