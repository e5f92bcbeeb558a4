//! An `InjectRequest` made into an [`Injection`]: written as the body of one scenario
//! `[[fault]]` table, one field a line, and checked by the scenario reader, so the kinds, the
//! parameters, their ranges and the error messages are the scenario files' own. An error names
//! the field by the line it was written on.

use super::proto::InjectRequest;
use crate::fault::Injection;
use crate::net::Transport;
use crate::scenario::{self, ScenarioError, toml_string};

/// Fields a request may not set as parameters: the target has its own field, and an injection
/// starts now.
const NOT_PARAMETERS: [&str; 3] = ["kind", "target", "at"];

/// The injection `request` asks for, on a cluster of `backends` (`targets` already resolved to
/// indices; empty for all), or a message saying what was wrong and what was expected.
pub(crate) fn injection(
    request: &InjectRequest,
    targets: &[usize],
    backends: usize,
) -> Result<Injection, String> {
    let mut fields = vec![("kind", toml_string(&request.kind))];
    let target = if targets.is_empty() {
        toml_string("all")
    } else {
        format!("[{}]", targets.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
    };
    fields.push(("target", target));
    let mut parameters: Vec<(&String, &String)> = request.parameters.iter().collect();
    parameters.sort();
    for (name, value) in parameters {
        if NOT_PARAMETERS.contains(&name.as_str()) {
            return Err(format!(
                "parameter `{name}` is not allowed; expected the fault kind's parameters or `for` \
                 (the kind and targets have their own fields, and a fault starts when injected)"
            ));
        }
        if !is_key(name) {
            return Err(format!(
                "parameter name `{name}` is invalid; expected a name of letters, digits and `_`"
            ));
        }
        fields.push((name.as_str(), toml_value(value)));
    }
    let text: String = fields.iter().map(|(name, value)| format!("{name} = {value}\n")).collect();
    scenario::fault_table(&text, "inject", backends, Transport::Tcp)
        .map_err(|error| message(&error, &fields))
}

/// `error` told by the field it is about rather than by a line of text the caller never saw.
fn message(error: &ScenarioError, fields: &[(&str, String)]) -> String {
    match error {
        ScenarioError::Invalid { line, problem, expected, suggestion, .. } => {
            let field = fields.get(line.saturating_sub(1)).map_or("fault", |(name, _)| name);
            let near = suggestion.as_ref().map(|s| format!("; did you mean `{s}`?"));
            format!("{field}: {problem}; expected {expected}{}", near.unwrap_or_default())
        }
        other => other.to_string(),
    }
}

/// A value as TOML: a number or boolean as written, anything else a string.
fn toml_value(value: &str) -> String {
    let number = value.parse::<i64>().is_ok()
        || (value.parse::<f64>().is_ok_and(f64::is_finite)
            && value.chars().all(|c| c.is_ascii_digit() || ".eE+-".contains(c)));
    if number || value == "true" || value == "false" {
        value.to_owned()
    } else {
        toml_string(value)
    }
}

fn is_key(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
