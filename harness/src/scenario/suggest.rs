//! `did you mean`: the nearest valid name to a misspelt one; names listed for a message.

/// `` `a`, `b` or `c` ``.
pub(crate) fn quoted(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// The candidate nearest to `word` by edit distance (transpositions count once, case and
/// `-`/`_` are ignored), if it is near enough to be a typo: at most 2 edits, or a third of the
/// candidate's length.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let normal = |name: &str| name.to_lowercase().replace('-', "_");
    let word = normal(word);
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(&word, &normal(candidate)), candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 3))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate.to_owned())
}

/// `value` as a TOML basic string, quoted and escaped: a name from a user may hold any
/// character (JSON's string escapes are TOML's).
pub(crate) fn toml_string(value: &str) -> String {
    serde_json::Value::String(value.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_the_nearest_name_for_a_typo() {
        let kinds = ["refuse", "reset", "restart"];
        assert_eq!(did_you_mean("refuze", kinds).as_deref(), Some("refuse"), "one substitution");
        assert_eq!(did_you_mean("rsetart", kinds).as_deref(), Some("restart"), "a transposition");
        assert_eq!(
            did_you_mean("Round-Robin", ["round_robin"]).as_deref(),
            Some("round_robin"),
            "case and dashes do not count"
        );
    }

    #[test]
    fn suggests_nothing_for_a_name_far_from_every_candidate() {
        assert_eq!(did_you_mean("least_request", ["p2c", "random"]), None, "too far to be a typo");
    }
}
