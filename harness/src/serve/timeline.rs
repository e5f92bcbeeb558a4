//! [`Timeline`]: a scenario's fault and discovery timelines as steps on the wall clock, each
//! fault in the form the control API takes (`kind`, targets, `NAME=VALUE` parameters), so that
//! one player plays them on a cluster in this process or on pods elsewhere.

use super::PlayError;
use crate::fault::Backends;
use crate::load::Until;
use crate::net::Transport;
use crate::scenario::Scenario;
use std::collections::BTreeMap;
use std::time::Duration;

/// Keys of a `[[fault]]` table that are not parameters: the kind and targets have their own
/// fields of an inject request, and the player injects a fault at its `at`.
const NOT_PARAMETERS: [&str; 3] = ["kind", "target", "at"];

/// What one step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Inject a fault now, as `jostle ctl inject` does.
    Inject {
        /// The backends, by index; empty for every backend.
        targets: Vec<usize>,
        /// The fault kind, as a scenario file names it.
        kind: String,
        /// Its parameters as the file writes them, values as text (`for` among them).
        parameters: BTreeMap<String, String>,
    },
    /// Discovery announces `add` and withdraws `remove`, by index.
    Announce {
        /// Backends announced.
        add: Vec<usize>,
        /// Backends withdrawn.
        remove: Vec<usize>,
    },
}

/// One step of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Since serving started.
    pub at: Duration,
    /// What happens then.
    pub action: Action,
}

/// A scenario's timelines, in time order (file order at the same time, faults first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// How many backends the scenario has.
    pub backends: usize,
    /// The backends discovery announces at the start, by index.
    pub initial: Vec<usize>,
    /// Every step, in time order.
    pub steps: Vec<Step>,
    /// When the scenario's load ends (warm-up and duration), if it is bounded by time.
    pub end: Option<Duration>,
}

impl Timeline {
    /// The timelines of `scenario`, read from `text`, the file it was parsed from (for each
    /// fault's parameters as the file writes them).
    ///
    /// # Errors
    ///
    /// [`PlayError::Timeline`] when a fault cannot run on TCP (served backends are on TCP), or
    /// `text` is not the file `scenario` was parsed from.
    pub fn of(scenario: &Scenario, text: &str) -> Result<Self, PlayError> {
        let tables = fault_tables(text)?;
        let injections = scenario.injections();
        if tables.len() != injections.len() {
            return Err(PlayError::Timeline(format!(
                "the file has {} [[fault]] tables, the scenario {} faults; expected the file the \
                 scenario was read from",
                tables.len(),
                injections.len()
            )));
        }
        let mut steps = Vec::new();
        for (number, (table, injection)) in tables.iter().zip(&injections).enumerate() {
            if let Err(unsupported) = injection.fault.kind().runs_on(Transport::Tcp) {
                return Err(PlayError::Timeline(format!(
                    "[[fault]] number {}: {unsupported}, and served backends are on TCP; expected \
                     a story without `{}`",
                    number + 1,
                    unsupported.kind
                )));
            }
            let targets = match &injection.target {
                Backends::All => Vec::new(),
                Backends::One(index) => vec![*index],
                Backends::Many(indices) => indices.clone(),
            };
            let kind = injection.fault.kind().name().to_owned();
            let parameters = table
                .iter()
                .filter(|(key, _)| !NOT_PARAMETERS.contains(&key.as_str()))
                .map(|(key, value)| (key.clone(), text_of(value)))
                .collect();
            let at = injection.at.unwrap_or_default();
            steps.push(Step { at, action: Action::Inject { targets, kind, parameters } });
        }
        let discovery = scenario.discovery();
        for change in &discovery.changes {
            let action =
                Action::Announce { add: change.add.clone(), remove: change.remove.clone() };
            steps.push(Step { at: change.at, action });
        }
        // Stable: file order within a time, faults (pushed first) before discovery.
        steps.sort_by_key(|step| step.at);
        let end = match scenario.load_spec().until {
            Until::Elapsed(duration) => Some(scenario.warm_up().saturating_add(duration)),
            Until::Calls(_) => None,
        };
        Ok(Self { backends: scenario.backends(), initial: discovery.initial.clone(), steps, end })
    }

    /// Whether discovery ever changes, or leaves a backend out at the start.
    pub fn has_discovery(&self) -> bool {
        self.initial.len() != self.backends
            || self.steps.iter().any(|step| matches!(step.action, Action::Announce { .. }))
    }

    /// The backends discovery announces at `at`, by index.
    pub fn announced_at(&self, at: Duration) -> Vec<bool> {
        let mut announced = vec![false; self.backends];
        self.initial.iter().for_each(|&index| announced[index] = true);
        for step in self.steps.iter().filter(|step| step.at <= at) {
            if let Action::Announce { add, remove } = &step.action {
                add.iter().for_each(|&index| announced[index] = true);
                remove.iter().for_each(|&index| announced[index] = false);
            }
        }
        announced
    }
}

/// The file's `[[fault]]` tables, in file order.
fn fault_tables(text: &str) -> Result<Vec<toml::Table>, PlayError> {
    /// Only the `[[fault]]` tables: the rest of the file (a seed above `i64::MAX`, which a
    /// `toml::Table` cannot hold) was read by the scenario reader already.
    #[derive(serde::Deserialize)]
    struct Faults {
        #[serde(default)]
        fault: Vec<toml::Table>,
    }
    let faults: Faults = toml::from_str(text).map_err(|error| {
        PlayError::Timeline(format!(
            "the [[fault]] tables cannot be read again: {}",
            error.message()
        ))
    })?;
    Ok(faults.fault)
}

/// A parameter's value as `jostle ctl` takes it: a string without its quotes, a number or a
/// boolean as written. (The scenario reader has checked every parameter: none is an array or a
/// table.)
fn text_of(value: &toml::Value) -> String {
    match value {
        toml::Value::String(text) => text.clone(),
        toml::Value::Integer(number) => number.to_string(),
        toml::Value::Float(number) => number.to_string(),
        toml::Value::Boolean(flag) => flag.to_string(),
        toml::Value::Datetime(at) => at.to_string(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Action, Timeline};
    use crate::scenario::Scenario;
    use std::time::Duration;

    const STORY: &str = r#"
name = "two faults and a re-point"
[balancer]
policy = "round_robin"
[cluster]
backends = 3
[discovery]
initial = [0, 1]
[[discovery.change]]
at = "2s"
add = [2]
remove = [0]
[load]
rate = 100
duration = "4s"
[[fault]]
kind = "status"
target = [1]
at = "1s"
for = "500ms"
code = "Unavailable"
probability = 0.5
[[fault]]
kind = "restart"
target = "all"
at = "2s"
down_for = "300ms"
"#;

    #[test]
    fn faults_become_inject_requests_with_the_files_parameters_in_time_order() {
        let scenario = Scenario::parse(STORY, "story.toml").unwrap();
        let timeline = Timeline::of(&scenario, STORY).unwrap();
        assert_eq!(timeline.end, Some(Duration::from_secs(4)), "the load's end");
        let at: Vec<u64> =
            timeline.steps.iter().map(|s| u64::try_from(s.at.as_millis()).unwrap()).collect();
        assert_eq!(at, [1000, 2000, 2000], "steps in time order");
        let Action::Inject { targets, kind, parameters } = &timeline.steps[0].action else {
            panic!("the first step must be the status fault: {timeline:?}")
        };
        assert_eq!((targets.as_slice(), kind.as_str()), (&[1][..], "status"));
        let parameters: Vec<(&str, &str)> =
            parameters.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(parameters, [("code", "Unavailable"), ("for", "500ms"), ("probability", "0.5")]);
        assert!(
            matches!(&timeline.steps[1].action, Action::Inject { targets, .. } if targets.is_empty()),
            "`all` is an empty target list, and a fault comes before discovery at the same time"
        );
        assert_eq!(timeline.announced_at(Duration::ZERO), [true, true, false]);
        assert_eq!(timeline.announced_at(Duration::from_secs(2)), [false, true, true]);
        assert!(timeline.has_discovery());
    }
}
