//! `[[fault]]` entries: the fault kinds a scenario names, their parameters, and the
//! [`Injection`]s they become.

use super::duration::Dur;
use super::error::{ScenarioError, Source};
use super::parameters::Parameters;
use super::raw::RawFault;
use super::target::RawTarget;
use crate::fault::{Injection, Target};
use crate::net::Transport;
use std::time::Duration;
use toml::Spanned;

/// A fault kind as scenario files name it ([`Fault::kind`](crate::fault::Fault::kind)), with
/// the parameters it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultKind {
    /// The name, e.g. `restart`.
    pub name: &'static str,
    /// The parameters it takes (required or optional: see docs/SCENARIOS.md).
    pub parameters: &'static [&'static str],
}

/// Every fault kind, in the order of docs/FAULTS.md.
pub const FAULT_KINDS: &[FaultKind] = &[
    FaultKind { name: "refuse", parameters: &[] },
    FaultKind { name: "reset", parameters: &[] },
    FaultKind { name: "blackhole", parameters: &[] },
    FaultKind { name: "blackhole-connect", parameters: &[] },
    FaultKind { name: "connect-delay", parameters: &["delay"] },
    FaultKind { name: "connection-age", parameters: &["max_rpcs", "max_age"] },
    FaultKind { name: "drain", parameters: &[] },
    FaultKind { name: "restart", parameters: &["down_for"] },
    FaultKind { name: "flap", parameters: &["period", "down_for"] },
    FaultKind { name: "delay", parameters: &["delay", "min", "max", "base", "jitter", "phase"] },
    FaultKind { name: "status", parameters: &["code", "probability", "next_calls"] },
    FaultKind { name: "hang", parameters: &[] },
    FaultKind { name: "stream-break", parameters: &["after_messages"] },
];

/// The one-shot kinds: they happen when injected, so a `for` means nothing.
const ONE_SHOT: &[&str] = &["drain", "restart"];

/// Checks one `[[fault]]` against a cluster of `backends` on `transport`, and builds it.
pub(super) fn injection(
    raw: &Spanned<RawFault>,
    backends: usize,
    transport: Transport,
    source: &Source<'_>,
) -> Result<Injection, ScenarioError> {
    let entry = raw.get_ref();
    let fault = Parameters::new(entry, source).fault(transport)?;
    let mut injection = fault.on(target(&entry.target, backends, source)?);
    if let Some(at) = &entry.at {
        injection = injection.at(at.get_ref().0);
    }
    if let Some(lasting) = &entry.lasting {
        let kind = entry.kind.get_ref();
        if ONE_SHOT.contains(&kind.as_str()) {
            return Err(source.error(
                lasting.span(),
                format!("fault `{kind}` happens once, so `for` means nothing"),
                "no `for` on a one-shot fault (drain, restart)",
            ));
        }
        injection = injection.lasting(positive(lasting, "for", source)?);
    }
    Ok(injection)
}

fn target(
    raw: &Spanned<RawTarget>,
    backends: usize,
    source: &Source<'_>,
) -> Result<Target, ScenarioError> {
    let indices = match raw.get_ref() {
        RawTarget::All => return Ok(Target::All),
        RawTarget::Indices(indices) => indices,
    };
    if indices.is_empty() {
        return Err(source.error(
            raw.span(),
            "empty target list",
            "at least one backend index, or \"all\"",
        ));
    }
    let mut checked: Vec<usize> = Vec::with_capacity(indices.len());
    for index in indices {
        let value = backend_index(index, backends, source)?;
        if checked.contains(&value) {
            return Err(source.error(
                index.span(),
                format!("backend {value} is listed twice"),
                "each backend once",
            ));
        }
        checked.push(value);
    }
    Ok(match checked.as_slice() {
        [one] => Target::Backend(*one),
        _ => Target::Backends(checked),
    })
}

/// A backend index checked against the cluster's size.
pub(super) fn backend_index(
    index: &Spanned<i64>,
    backends: usize,
    source: &Source<'_>,
) -> Result<usize, ScenarioError> {
    usize::try_from(*index.get_ref()).ok().filter(|value| *value < backends).ok_or_else(|| {
        source.error(
            index.span(),
            format!("backend index {} is out of range", index.get_ref()),
            format!("an index in 0..{backends} (the cluster has {backends} backends)"),
        )
    })
}

/// A duration that must be above zero.
pub(super) fn positive(
    value: &Spanned<Dur>,
    field: &str,
    source: &Source<'_>,
) -> Result<Duration, ScenarioError> {
    let duration = value.get_ref().0;
    if duration.is_zero() {
        return Err(source.error(
            value.span(),
            format!("`{field}` is zero"),
            "a duration above zero",
        ));
    }
    Ok(duration)
}

/// `` `a`, `b` or `c` ``.
pub(super) fn quoted(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::FAULT_KINDS;
    use crate::fault::Fault;
    use std::time::Duration;

    #[test]
    fn every_fault_kind_is_listed_under_its_own_name() {
        let one = Duration::from_secs(1);
        let faults = [
            Fault::Refuse,
            Fault::Reset,
            Fault::Blackhole,
            Fault::BlackholeConnect,
            Fault::ConnectDelay(one),
            Fault::ConnectionAge { max_rpcs: Some(1), max_age: None },
            Fault::Drain,
            Fault::Restart { down_for: one },
            Fault::Flap { period: one, down_for: one },
            Fault::delay(one),
            Fault::status(tonic::Code::Unavailable, 1.0),
            Fault::Hang,
            Fault::StreamBreak { after_messages: 1 },
        ];
        let names: Vec<&str> = FAULT_KINDS.iter().map(|kind| kind.name).collect();
        let kinds: Vec<&str> = faults.iter().map(Fault::kind).collect();
        assert_eq!(names, kinds, "FAULT_KINDS must name every Fault, as Fault::kind does");
    }
}
