//! The registry is the one place a check lives: every check it lists is read from `[expect]`,
//! written back as TOML that reads as the same check, and judged from the calls.

use super::{CHECKS, Calls, Judged, Origin, READERS};
use crate::check::Context;
use crate::load::{CallLog, CallOutcome, CallRecord, Method};
use crate::record::StatsSnapshot;
use crate::scenario::{Expectations, Scenario};
use std::collections::BTreeSet;
use std::time::Duration;

/// Three backends, backend-2 withdrawn at 1 s.
const STORY: &str = r#"name = "every check"
[cluster]
backends = 3
[balancer]
policy = "round_robin"
[load]
rate = 100
duration = "2s"
[discovery]
initial = [0, 1, 2]
[[discovery.change]]
at = "1s"
remove = [2]
"#;

/// Every check asked for, each with every setting it has written out.
const EVERY: &str = r#"[expect]
split = { shares = [0.5, 0.25, 0.25], power = 0.9 }
max_failure_rate = 0.1
min_failure_rate = 0.0
failure_rate_from = "100ms"
failure_rate_until = "1900ms"
codes = ["Unavailable", "deadline_exceeded"]
shares = [{ backend = 0, at_least = 0.2, after = "500ms" }, { backend = 1, at_least = 0.1 }]
max_shares = [{ backend = 1, at_most = 0.9, until = "1s" }]
served_nothing = [{ backend = 2, from = "1500ms" }, { backend = 1, until = "1ms" }]
fallback = { max_failures = 3, grace = "200ms" }
fail_fast = { within = "10ms" }
recovery = { backend = 1, within = "1s", at_least = 0.5, at_most = 3.0, window = "100ms" }
convergence = { settle = "300ms", backends = [1, 0] }
only_announced = { grace = "200ms" }
max_latency_over_deadline = "5ms"
latency = [{ percentile = 99.9, under = "50ms", backend = 2, after = "1s" }, { percentile = 50, under = "10ms", of = "all" }]
connections_per_1000_calls = 10.0
avoidable_failures = { grace = "1500ms" }
settled = { after = "200ms", at_least = 0.4, at_most = 3.0 }
no_leaks = true
"#;

/// The other forms: a named distribution, connections in all, defaults, a story of a flaw.
const OTHERS: &str = r#"[expect]
min_failure_rate = 0.5
outcome = "fail"
fails = ["connections"]
distribution = "even"
max_connections = 5
recovery = { backend = 0, within = "1s", at_least = 0.5 }
only_announced = {}
settled = {}
"#;

fn read(expect: &str) -> Scenario {
    let text = format!("{STORY}{expect}");
    Scenario::parse(&text, "every.toml").unwrap_or_else(|error| panic!("{error}\n{text}"))
}

/// `expect` written back and read again.
fn round_trip(expect: &Expectations) -> Expectations {
    read(&expect.toml()).expect().clone()
}

#[test]
fn every_check_of_the_registry_is_read_from_its_keys_and_no_key_is_two_checks() {
    let names: BTreeSet<&str> = CHECKS.into_iter().collect();
    assert_eq!(names.len(), CHECKS.len(), "each check is listed once: {CHECKS:?}");
    let keys: Vec<&str> = READERS.iter().flat_map(|reader| reader.keys.iter().copied()).collect();
    let distinct: BTreeSet<&str> = keys.iter().copied().collect();
    assert_eq!(distinct.len(), keys.len(), "each `[expect]` key is one check's: {keys:?}");
    let every = read(EVERY);
    assert_eq!(
        every.expect().checks(),
        CHECKS,
        "a file asking for every check runs each, in order"
    );
    for rule in every.expect().rules() {
        let reader = READERS.iter().find(|reader| reader.name == rule.name());
        assert!(reader.is_some(), "rule `{}` has no reader in the registry", rule.name());
    }
}

#[test]
fn every_check_written_back_as_toml_reads_as_itself() {
    for expect in [EVERY, OTHERS] {
        let story = read(expect);
        let written = story.expect().toml();
        assert_eq!(
            round_trip(story.expect()),
            *story.expect(),
            "written back as\n{written}\nthe checks read as other checks"
        );
        assert_eq!(round_trip(&round_trip(story.expect())).toml(), written, "writing is stable");
    }
    assert_eq!(read(OTHERS).expect().fails, ["connections"], "the story's outcome is written too");
}

#[test]
fn a_check_written_back_with_another_setting_reads_as_another_check() {
    // The round trip above would pass if every check wrote nothing: it must not.
    let story = read(EVERY);
    for rule in story.expect().rules().filter(|rule| rule.name() != "accounting") {
        let mut line = String::new();
        rule.write(&mut line);
        assert!(!line.is_empty(), "check `{}` writes no `[expect]` line", rule.name());
        let alone = read(&format!("[expect]\n{line}"));
        assert_eq!(alone.expect().checks(), ["accounting", rule.name()], "{line}");
    }
    let settled = read("[expect]\nsettled = { after = \"200ms\", at_least = 0.5 }\n");
    assert_ne!(
        *settled.expect(),
        *read("[expect]\nsettled = { after = \"200ms\", at_least = 0.4 }\n").expect(),
        "two thresholds are two expectations"
    );
}

#[test]
fn an_unknown_key_is_refused_at_its_place_with_the_nearest_check_key() {
    let error = Scenario::parse(&format!("{STORY}[expect]\nsetled = {{}}\n"), "every.toml");
    let message = error.unwrap_err().to_string();
    assert!(
        message.starts_with("every.toml:15:1: unknown field `setled`")
            && message.contains("did you mean `settled`?"),
        "{message}"
    );
}

/// OK calls, one every 10 ms for 2 s, round robin over the backends announced at its start.
fn calls() -> CallLog {
    let calls = (0..200_u64)
        .map(|index| {
            let backend = if index < 100 { index % 3 } else { index % 2 };
            CallRecord {
                index,
                method: Method::CreateOrder,
                start: Duration::from_millis(index * 10),
                end: Duration::from_millis(index * 10 + 1),
                outcome: CallOutcome::Ok,
                backend: Some(format!("backend-{backend}")),
                client: 0,
            }
        })
        .collect();
    CallLog { calls, seed: 1 }
}

/// What each check made of the calls, by name (several results of one check: its first).
fn judged(origin: Origin) -> Vec<(&'static str, &'static str)> {
    let story = read(EVERY);
    let log = calls();
    let names: Vec<String> = (0..3).map(|index| format!("backend-{index}")).collect();
    let counted = vec![StatsSnapshot::default(); 3];
    let context = Context::default();
    let calls = Calls {
        scenario: &story,
        windows: &[],
        log: &log,
        names: &names,
        before: &counted,
        after: &counted,
        context: &context,
        origin,
    };
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for (name, judgement) in story.expect().judge(&calls) {
        let kind = match judgement {
            Judged::Check(result) => {
                assert_eq!(result.name, name, "a check's verdict carries its own name");
                "judged"
            }
            Judged::Elsewhere(_) | Judged::Untold(_) => "not judged",
            Judged::ByTheRun => "by the run",
        };
        if seen.last().is_none_or(|(last, _)| *last != name) {
            seen.push((name, kind));
        }
    }
    seen
}

#[test]
fn every_check_is_judged_from_a_runs_calls_and_says_what_records_cannot_show() {
    let in_process = judged(Origin::InProcess);
    let names: Vec<&str> = in_process.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, CHECKS, "each check gives a verdict or says why not, in report order");
    for (name, kind) in &in_process {
        let expected = if *name == "leak-free" { "by the run" } else { "judged" };
        assert_eq!(kind, &expected, "check `{name}` over a run in process");
    }
    let records = judged(Origin::Records { counters: false });
    for (name, kind) in &records {
        let expected = match *name {
            "accounting" | "connections" | "leak-free" => "not judged",
            _ => "judged",
        };
        assert_eq!(kind, &expected, "check `{name}` over call records without counters");
    }
    let with_counters = judged(Origin::Records { counters: true });
    let connections = with_counters.iter().find(|(name, _)| *name == "connections");
    assert_eq!(connections, Some(&("connections", "judged")), "the counters give connections");
}
