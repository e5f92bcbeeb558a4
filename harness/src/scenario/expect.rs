//! `[expect]`: what a run must show, as [`Expectations`].

use super::error::{ScenarioError, Source};
use super::expectations::{
    CHECKS, ConvergenceExpectation, Distribution, Expectations, FallbackExpectation,
    MaxShareExpectation, RecoveryExpectation, ShareExpectation,
};
use super::expected::Expected;
use super::raw::RawExpect;
use super::suggest::{did_you_mean, quoted};
use super::values::{backend_index, backend_indices, fraction, positive};
use super::window::{KEYS, Written, window};
use std::time::Duration;
use toml::Spanned;

/// Checks `[expect]` against a cluster of `backends`.
pub(super) fn expectations(
    raw: &RawExpect,
    backends: usize,
    source: &Source<'_>,
) -> Result<Expectations, ScenarioError> {
    let mut expect = Expectations { no_leaks: raw.no_leaks, ..Expectations::default() };
    if let Some(outcome) = &raw.outcome {
        expect.outcome = self::outcome(outcome, source)?;
    }
    if let Some(rate) = &raw.max_failure_rate {
        expect.max_failure_rate = Some(fraction(rate, "max_failure_rate", source)?);
    }
    if let Some(written) = &raw.distribution {
        expect.distribution = Some(match written.get_ref().as_str() {
            "exact-cycle" => Distribution::ExactCycle,
            "even" => Distribution::even(backends),
            other => {
                return Err(source
                    .error(
                        written.span(),
                        format!("unknown distribution `{other}`"),
                        quoted(&Distribution::NAMES),
                    )
                    .suggesting(did_you_mean(other, Distribution::NAMES)));
            }
        });
    }
    for share in &raw.shares {
        let share = share.get_ref();
        let (after, until) = window(
            &Written {
                after: share.after.as_ref(),
                from: share.from.as_ref(),
                until: share.until.as_ref(),
                keys: KEYS,
            },
            source,
        )?;
        expect.shares.push(ShareExpectation {
            backend: backend_index(&share.backend, backends, source)?,
            at_least: fraction(&share.at_least, "at_least", source)?,
            after,
            until,
        });
    }
    for share in &raw.max_shares {
        let share = share.get_ref();
        let (after, until) = window(
            &Written {
                after: share.after.as_ref(),
                from: share.from.as_ref(),
                until: share.until.as_ref(),
                keys: KEYS,
            },
            source,
        )?;
        expect.max_shares.push(MaxShareExpectation {
            backend: backend_index(&share.backend, backends, source)?,
            at_most: fraction(&share.at_most, "at_most", source)?,
            after,
            until,
        });
    }
    if let Some(fallback) = &raw.fallback {
        let fallback = fallback.get_ref();
        let failures = &fallback.max_failures;
        expect.fallback = Some(FallbackExpectation {
            max_failures: u64::try_from(*failures.get_ref()).map_err(|_| {
                source.error(
                    failures.span(),
                    format!("`max_failures` is {}", failures.get_ref()),
                    "a number of calls, 0 or more",
                )
            })?,
            grace: fallback
                .grace
                .as_ref()
                .map_or(Duration::from_millis(500), |grace| grace.get_ref().0),
        });
    }
    if let Some(recovery) = &raw.recovery {
        let recovery = recovery.get_ref();
        expect.recovery = Some(RecoveryExpectation {
            backend: backend_index(&recovery.backend, backends, source)?,
            within: positive(&recovery.within, "within", source)?,
            at_least: fraction(&recovery.at_least, "at_least", source)?,
            at_most: super::expect_incident::flood_bound(recovery, source)?,
            window: match &recovery.window {
                Some(window) => positive(window, "window", source)?,
                None => super::expect_incident::FLOOD_WINDOW,
            },
        });
    }
    if let Some(convergence) = &raw.convergence {
        let settle = convergence.get_ref().settle.as_ref();
        let chosen = convergence.get_ref().backends.as_ref();
        expect.convergence = Some(ConvergenceExpectation {
            settle: settle.map_or(Duration::from_millis(500), |settle| settle.get_ref().0),
            backends: chosen.map(|set| chosen_set(set, backends, source)).transpose()?,
        });
    }
    if let Some(connections) = &raw.max_connections {
        expect.max_connections = Some(
            u64::try_from(*connections.get_ref()).ok().filter(|n| *n >= 1).ok_or_else(|| {
                source.error(
                    connections.span(),
                    format!("`max_connections` is {}", connections.get_ref()),
                    "a number of connections, at least 1",
                )
            })?,
        );
    }
    expect.max_latency_over_deadline =
        raw.max_latency_over_deadline.as_ref().map(|over| over.get_ref().0);
    super::expect_incident::expectations(raw, backends, &mut expect, source)?;
    super::expect_window::expectations(raw, backends, &mut expect, source)?;
    super::expect_explore::expectations(raw, &mut expect, source)?;
    expect.latency = super::latency::bounds(&raw.latency, backends, source)?;
    expect.fails = fails(raw, &expect, source)?;
    Ok(expect)
}

/// `convergence`'s `backends`: distinct indexes within the cluster, at least one.
fn chosen_set(
    written: &Spanned<Vec<Spanned<i64>>>,
    backends: usize,
    source: &Source<'_>,
) -> Result<Vec<usize>, ScenarioError> {
    if written.get_ref().is_empty() {
        return Err(source.error(
            written.span(),
            "`backends` lists no backend",
            "the indexes of the backends the calls must reach, at least one",
        ));
    }
    backend_indices(written.get_ref(), backends, source)
}

/// `[expect] fails`: required with `outcome = "fail"`, refused without it; each name a check
/// the file asks for, once.
fn fails(
    raw: &RawExpect,
    expect: &Expectations,
    source: &Source<'_>,
) -> Result<Vec<&'static str>, ScenarioError> {
    let Some(written) = &raw.fails else {
        if let (Expected::Fail, Some(outcome)) = (expect.outcome, &raw.outcome) {
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
        let Some(check) = CHECKS.into_iter().find(|check| check == name.get_ref()) else {
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
