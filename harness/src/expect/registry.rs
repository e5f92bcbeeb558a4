//! [`READERS`]: every check a scenario can ask for, one line each, in report order; and
//! reading an `[expect]` table with them.

use super::rule::{Reader, Rule};
use super::table::Table;
use super::{
    accounting, avoidable, codes, connections, convergence, distribution, fail_fast, failure_rate,
    fallback, latency, leak_free, max_share, min_failure_rate, only_announced, recovery,
    served_nothing, settled, share, timeout,
};
use crate::scenario::ScenarioError;
use crate::scenario::suggest::did_you_mean;
use std::sync::Arc;

/// Every check's reader, in the order reports list the checks. The one list of checks: a new
/// check is its own file in this folder and one line here (a trait cannot list its
/// implementations, and a macro would hide the order that reports follow).
pub const READERS: [Reader; 19] = [
    accounting::READER,
    distribution::READER,
    failure_rate::READER,
    min_failure_rate::READER,
    codes::READER,
    share::READER,
    max_share::READER,
    served_nothing::READER,
    fallback::READER,
    fail_fast::READER,
    recovery::READER,
    convergence::READER,
    only_announced::READER,
    timeout::READER,
    latency::READER,
    connections::READER,
    avoidable::READER,
    settled::READER,
    leak_free::READER,
];

/// Every check a scenario can run, by the name reports give it, in report order.
pub const CHECKS: [&str; READERS.len()] = {
    let mut names = [""; READERS.len()];
    let mut index = 0;
    while index < READERS.len() {
        names[index] = READERS[index].name;
        index += 1;
    }
    names
};

/// The `[expect]` keys that are not a check's: what the story expects of its checks.
pub(crate) const OUTCOME_KEYS: [&str; 2] = ["outcome", "fails"];

/// Every rule `table` asks for, in report order (`accounting` always).
///
/// # Errors
///
/// The first key no check reads (in file order), then the first bad value, located.
pub(crate) fn read(table: &Table<'_>) -> Result<Vec<Arc<dyn Rule>>, ScenarioError> {
    let keys: Vec<&str> = OUTCOME_KEYS
        .into_iter()
        .chain(READERS.iter().flat_map(|reader| reader.keys.iter().copied()))
        .collect();
    let unknown = table
        .entries
        .iter()
        .filter(|(key, _)| !keys.contains(&key.get_ref().as_ref()))
        .min_by_key(|(key, _)| key.span().start);
    if let Some((key, _)) = unknown {
        let key_name: &str = key.get_ref().as_ref();
        let listed: Vec<String> = keys.iter().map(|key| format!("`{key}`")).collect();
        return Err(table
            .error(
                key.span(),
                format!("unknown field `{key_name}`"),
                format!("one of {}", listed.join(", ")),
            )
            .suggesting(did_you_mean(key_name, keys.iter().copied())));
    }
    let mut rules = Vec::new();
    for reader in READERS {
        if let Some(rule) = (reader.read)(table)? {
            rules.push(rule);
        }
    }
    Ok(rules)
}
