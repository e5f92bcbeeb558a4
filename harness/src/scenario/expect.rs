//! `[expect]`: what a run must show, as [`Expectations`].

use super::error::{ScenarioError, Source};
use super::expectations::Expectations;
use super::expected::Expected;
use super::suggest::{did_you_mean, quoted};
use super::{BalancerChoice, Discovery};
use crate::expect::{CHECKS, Table};
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Reads `[expect]` (written at `span` of the file `source`) against a cluster of `backends`,
/// the file's discovery, the end of its load (when a duration bounds it) and its balancer when
/// they were read without error: each check's keys by the check's own reader, then `outcome`
/// and `fails`.
pub(super) fn expectations(
    span: Range<usize>,
    backends: usize,
    discovery: Option<&Discovery>,
    load_end: Option<std::time::Duration>,
    balancer: Option<&BalancerChoice>,
    source: &Source<'_>,
) -> Result<Expectations, ScenarioError> {
    let document = DeTable::parse(source.text()).map_err(|error| source.toml_error(&error))?;
    let section = document.get_ref().iter().find(|(key, _)| key.get_ref() == "expect");
    let Some(DeValue::Table(entries)) = section.map(|(_, value)| value.get_ref()) else {
        return Err(source.error(span, "`expect` is not a table", "an `[expect]` table"));
    };
    let wait_for_ready = match balancer {
        Some(BalancerChoice::Jostle { config, .. }) => Some(config.wait_for_ready),
        _ => None,
    };
    let table = Table { source, entries, backends, discovery, load_end, wait_for_ready };
    let mut expect = Expectations::of(crate::expect::read(&table)?);
    let outcome = table.get::<String>("outcome")?;
    if let Some(outcome) = &outcome {
        expect.outcome = self::outcome(outcome, source)?;
    }
    expect.fails = fails(table.get("fails")?, outcome.as_ref(), &expect, source)?;
    Ok(expect)
}

/// `[expect] fails`: required with `outcome = "fail"`, refused without it; each name a check
/// the file asks for, once.
fn fails(
    written: Option<Spanned<Vec<Spanned<String>>>>,
    outcome: Option<&Spanned<String>>,
    expect: &Expectations,
    source: &Source<'_>,
) -> Result<Vec<&'static str>, ScenarioError> {
    let Some(written) = &written else {
        if let (Expected::Fail, Some(outcome)) = (expect.outcome, outcome) {
            return Err(source.error(
                outcome.span(),
                "a story of a flaw that does not name the checks it makes fail",
                format!("`fails = [...]` beside it, with some of {}", quoted(&expect.checks())),
            ));
        }
        return Ok(Vec::new());
    };
    if expect.outcome != Expected::Fail {
        return Err(source.error(
            written.span(),
            "`fails` in a story that expects every check to hold",
            "`outcome = \"fail\"` beside it, or no `fails`",
        ));
    }
    if written.get_ref().is_empty() {
        return Err(source.error(
            written.span(),
            "`fails` names no check",
            format!("at least one of {}", quoted(&expect.checks())),
        ));
    }
    let asked = expect.checks();
    let mut names: Vec<&'static str> = Vec::new();
    for name in written.get_ref() {
        let Some(check) = CHECKS.into_iter().find(|check| *check == name.get_ref().as_str()) else {
            return Err(source
                .error(
                    name.span(),
                    format!("unknown check `{}`", name.get_ref()),
                    format!("one of {}", quoted(&CHECKS)),
                )
                .suggesting(did_you_mean(name.get_ref(), CHECKS)));
        };
        if !asked.contains(&check) {
            return Err(source.error(
                name.span(),
                format!("check `{check}` is not one this story runs"),
                format!("one of its checks: {}", quoted(&asked)),
            ));
        }
        if names.contains(&check) {
            return Err(source.error(
                name.span(),
                format!("check `{check}` is named twice"),
                "each check once",
            ));
        }
        names.push(check);
    }
    Ok(names)
}

fn outcome(written: &Spanned<String>, source: &Source<'_>) -> Result<Expected, ScenarioError> {
    let names = Expected::ALL.map(Expected::name);
    Expected::ALL.into_iter().find(|outcome| outcome.name() == written.get_ref()).ok_or_else(|| {
        source
            .error(
                written.span(),
                format!("unknown outcome `{}`", written.get_ref()),
                quoted(&names),
            )
            .suggesting(did_you_mean(written.get_ref(), names))
    })
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::Expected;

    fn with_expect(expect: &str) -> String {
        format!(
            "name = \"s\"\n[cluster]\nbackends = 1\n[balancer]\npolicy = \"round_robin\"\n\
             [load]\nconcurrency = 1\ncalls = 1\n{expect}"
        )
    }

    #[test]
    fn a_story_expects_to_pass_unless_it_says_otherwise() {
        for expect in ["", "[expect]\n", "[expect]\noutcome = \"pass\"\n"] {
            let story = parse(&with_expect(expect), "s.toml").unwrap();
            assert_eq!(story.expect().outcome, Expected::Pass, "default outcome with {expect:?}");
        }
        let flaw = "[expect]\noutcome = \"fail\"\nfails = [\"leak-free\"]\nno_leaks = true\n";
        let flaw = parse(&with_expect(flaw), "s.toml").unwrap();
        assert_eq!(flaw.expect().outcome, Expected::Fail, "`outcome = \"fail\"` is read");
    }

    #[test]
    fn a_story_of_a_flaw_must_name_the_checks_it_makes_fail() {
        let unnamed =
            parse(&with_expect("[expect]\noutcome = \"fail\"\nno_leaks = true\n"), "s.toml");
        let message = unnamed.unwrap_err().to_string();
        assert!(
            message.contains("does not name the checks it makes fail")
                && message.contains("`fails = [...]`"),
            "{message}"
        );
        let other = "[expect]\noutcome = \"fail\"\nfails = [\"share\"]\nno_leaks = true\n";
        let message = parse(&with_expect(other), "s.toml").unwrap_err().to_string();
        assert!(message.contains("check `share` is not one this story runs"), "{message}");
        let pass = "[expect]\nfails = [\"leak-free\"]\nno_leaks = true\n";
        let message = parse(&with_expect(pass), "s.toml").unwrap_err().to_string();
        assert!(message.contains("`fails` in a story that expects every check"), "{message}");
    }

    #[test]
    fn a_run_is_as_expected_when_exactly_the_named_checks_fail() {
        let pass = parse(&with_expect(""), "s.toml").unwrap();
        assert!(pass.expect().is_met_by(&[]), "pass expected, every check held");
        assert!(!pass.expect().is_met_by(&["accounting"]), "pass expected, a check failed");
        let flaw = "[expect]\noutcome = \"fail\"\nfails = [\"leak-free\"]\nno_leaks = true\n";
        let flaw = parse(&with_expect(flaw), "s.toml").unwrap();
        assert!(flaw.expect().is_met_by(&["leak-free"]), "the named flaw is there");
        assert!(!flaw.expect().is_met_by(&[]), "every check held: the flaw is gone");
        assert!(
            !flaw.expect().is_met_by(&["leak-free", "accounting"]),
            "another check failed too: not the story's flaw alone"
        );
    }
}
