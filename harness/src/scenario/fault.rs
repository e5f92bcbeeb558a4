//! `[[fault]]` entries: the fault kinds a scenario names and the [`Injection`]s they become.
//! What a kind takes and where it runs is the kind's own ([`Kind`]); this file only reads it.

use super::error::{ScenarioError, Source};
use super::parameters::Parameters;
use super::raw::RawFault;
use super::suggest::{did_you_mean, quoted};
use super::target::RawTarget;
use super::values::{backend_indices, positive};
use crate::fault::{Backends, Injection, Kind};
use crate::load::LoadSpec;
use crate::net::Transport;
use std::time::Duration;
use toml::Spanned;

/// Checks one `[[fault]]` against a cluster of `backends` on `transport`, and builds it.
pub(super) fn injection(
    raw: &Spanned<RawFault>,
    backends: usize,
    transport: Transport,
    source: &Source<'_>,
) -> Result<Injection, ScenarioError> {
    let entry = raw.get_ref();
    let kind = kind(&entry.kind, source)?;
    kind.runs_on(transport).map_err(|unsupported| {
        source.error(entry.kind.span(), unsupported.to_string(), unsupported.instead())
    })?;
    let fault = Parameters::new(entry, kind, source).fault()?;
    let mut injection = fault.on(target(&entry.target, backends, source)?);
    if let Some(at) = &entry.at {
        injection = injection.at(at.get_ref().0);
    }
    if let Some(lasting) = &entry.lasting {
        if kind.is_one_shot() {
            let one_shot: Vec<&str> =
                Kind::ALL.into_iter().filter(|k| k.is_one_shot()).map(Kind::name).collect();
            return Err(source.error(
                lasting.span(),
                format!("fault `{kind}` happens once, so `for` means nothing"),
                format!("no `for` on a one-shot fault ({})", one_shot.join(", ")),
            ));
        }
        injection = injection.lasting(positive(lasting, "for", source)?);
    }
    Ok(injection)
}

/// The faults that would start after a load bounded by a duration has ended (`warm_up` plus
/// `duration` from the cluster's start): they would never happen, so they are errors, each at
/// its `at`. A load bounded by a number of calls has no end known ahead.
pub(super) fn after_the_load(
    faults: &[Spanned<RawFault>],
    load: &LoadSpec,
    warm_up: Duration,
    source: &Source<'_>,
) -> Vec<ScenarioError> {
    let Some(end) = super::load::end(load, warm_up) else { return Vec::new() };
    faults
        .iter()
        .filter_map(|fault| fault.get_ref().at.as_ref())
        .filter(|at| at.get_ref().0 >= end)
        .map(|at| {
            source.error(
                at.span(),
                format!(
                    "this fault starts at {}, when the load is over (it ends at {}: warm-up and duration)",
                    humantime::format_duration(at.get_ref().0),
                    humantime::format_duration(end)
                ),
                format!("a time before {}", humantime::format_duration(end)),
            )
        })
        .collect()
}

/// The kind `written` names, or an error listing every kind with the nearest one.
fn kind(written: &Spanned<String>, source: &Source<'_>) -> Result<Kind, ScenarioError> {
    let name = written.get_ref().as_str();
    Kind::from_name(name).ok_or_else(|| {
        let names = Kind::ALL.map(Kind::name);
        source
            .error(
                written.span(),
                format!("unknown fault `{name}`"),
                format!("one of {}", quoted(&names)),
            )
            .suggesting(did_you_mean(name, names))
    })
}

fn target(
    raw: &Spanned<RawTarget>,
    backends: usize,
    source: &Source<'_>,
) -> Result<Backends, ScenarioError> {
    let indices = match raw.get_ref() {
        RawTarget::All => return Ok(Backends::All),
        RawTarget::Indices(indices) => indices,
    };
    if indices.is_empty() {
        return Err(source.error(
            raw.span(),
            "empty target list",
            "at least one backend index, or \"all\"",
        ));
    }
    let checked = backend_indices(indices, backends, source)?;
    Ok(match checked.as_slice() {
        [one] => Backends::One(*one),
        _ => Backends::Many(checked),
    })
}

/// The most times one `flap` may go down: each cycle is two lines of the fault log and two
/// changes a balancer must follow, so a 2 ms flap over an hour (1.8 million cycles) is refused.
pub(super) const MAX_FLAP_CYCLES: u64 = 10_000;

/// The `flap` faults that would cycle more than [`MAX_FLAP_CYCLES`] times over their life: their
/// `for`, or else until a load bounded by a duration ends. Each an error at its `period`. (A
/// flap without `for` under a load bounded by calls has no end known ahead: not checked.)
pub(super) fn too_frequent(
    faults: &[Spanned<RawFault>],
    load: &LoadSpec,
    warm_up: Duration,
    source: &Source<'_>,
) -> Vec<ScenarioError> {
    let end = super::load::end(load, warm_up);
    faults
        .iter()
        .map(Spanned::get_ref)
        .filter(|fault| fault.kind.get_ref() == Kind::Flap.name())
        .filter_map(|fault| {
            let period = fault.period.as_ref()?;
            let at = fault.at.as_ref().map_or(Duration::ZERO, |at| at.get_ref().0);
            let life = match (&fault.lasting, end) {
                (Some(lasting), _) => lasting.get_ref().0,
                (None, Some(end)) => end.saturating_sub(at),
                (None, None) => return None,
            };
            let nanos = period.get_ref().0.as_nanos().max(1);
            let cycles = life.as_nanos() / nanos;
            (cycles > u128::from(MAX_FLAP_CYCLES)).then(|| {
                let shortest = life / u32::try_from(MAX_FLAP_CYCLES).unwrap_or(u32::MAX);
                source.error(
                    period.span(),
                    format!(
                        "a flap every {} for {} goes down {cycles} times",
                        humantime::format_duration(period.get_ref().0),
                        humantime::format_duration(life)
                    ),
                    format!(
                        "at most {MAX_FLAP_CYCLES} cycles: a `period` of at least {} (or a shorter `for`)",
                        humantime::format_duration(shortest)
                    ),
                )
            })
        })
        .collect()
}
