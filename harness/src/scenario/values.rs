//! Checks of single values that several sections share: durations above zero, backend indices
//! within the cluster, fractions, whole numbers.

use super::duration::Dur;
use super::error::{ScenarioError, Source};
use std::time::Duration;
use toml::Spanned;

/// A duration that must be above zero.
pub(crate) fn positive(
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

/// A backend index checked against the cluster's size.
pub(crate) fn backend_index(
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

/// A list of distinct backend indices, each within the cluster.
pub(crate) fn backend_indices(
    indices: &[Spanned<i64>],
    backends: usize,
    source: &Source<'_>,
) -> Result<Vec<usize>, ScenarioError> {
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
    Ok(checked)
}

/// A fraction in 0..=1.
pub(crate) fn fraction(
    value: &Spanned<f64>,
    field: &str,
    source: &Source<'_>,
) -> Result<f64, ScenarioError> {
    let fraction = *value.get_ref();
    if !(0.0..=1.0).contains(&fraction) {
        return Err(source.error(
            value.span(),
            format!("`{field}` is {fraction}"),
            "a fraction in 0..=1 (0.2 for 20 %)",
        ));
    }
    Ok(fraction)
}

/// A gRPC status code other than OK, by name (`"Unavailable"`; case, `_` and `-` ignored).
pub(crate) fn status_code(
    written: &Spanned<String>,
    source: &Source<'_>,
) -> Result<tonic::Code, ScenarioError> {
    use super::suggest::{did_you_mean, quoted};
    let codes: Vec<(String, tonic::Code)> =
        (1..=16).map(tonic::Code::from_i32).map(|code| (format!("{code:?}"), code)).collect();
    let normal = |name: &str| name.to_lowercase().replace(['_', '-'], "");
    let name = written.get_ref();
    codes.iter().find(|(known, _)| normal(known) == normal(name)).map(|(_, code)| *code).ok_or_else(
        || {
            let names: Vec<&str> = codes.iter().map(|(known, _)| known.as_str()).collect();
            source
                .error(
                    written.span(),
                    format!("unknown status code `{name}`"),
                    format!("a failing gRPC code: {}", quoted(&names)),
                )
                .suggesting(did_you_mean(name, names.iter().copied()))
        },
    )
}
