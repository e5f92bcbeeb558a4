//! The registry is the one place a check lives: every check it lists is read from `[expect]`,
//! written back as TOML that reads as the same check, and judged from the calls.

mod rate_windows;
mod written;

use super::{CHECKS, Calls, ExpectLines, Judged, Origin, READERS};
use crate::check::Context;
use crate::load::{CallLog, CallOutcome, CallRecord, Method};
use crate::record::StatsSnapshot;
use crate::scenario::{Expectations, Scenario};
use std::collections::BTreeSet;
use std::time::Duration;

/// Three backends, backend-2 withdrawn at 1 s.
pub(super) const STORY: &str = r#"name = "every check"
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

pub(super) fn read(expect: &str) -> Scenario {
    let text = format!("{STORY}{expect}");
    Scenario::parse(&text, "every.toml").unwrap_or_else(|error| panic!("{error}\n{text}"))
}

/// `expect` written back and read again.
fn round_trip(expect: &Expectations) -> Expectations {
    read(&written(expect)).expect().clone()
}

/// `expect` written back: every rule read from a file can be.
fn written(expect: &Expectations) -> String {
    expect.toml().unwrap_or_else(|error| panic!("a rule read from a file must write: {error}"))
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
        let written = written(story.expect());
        assert_eq!(
            round_trip(story.expect()),
            *story.expect(),
            "written back as\n{written}\nthe checks read as other checks"
        );
        assert_eq!(
            self::written(&round_trip(&round_trip(story.expect()))),
            written,
            "writing is stable"
        );
    }
    assert_eq!(read(OTHERS).expect().fails, ["connections"], "the story's outcome is written too");
}

#[test]
fn a_check_written_back_with_another_setting_reads_as_another_check() {
    // The round trip above would pass if every check wrote nothing: it must not.
    let story = read(EVERY);
    for rule in story.expect().rules().filter(|rule| rule.name() != "accounting") {
        let mut line = ExpectLines::default();
        rule.append_to(&mut line);
        let line = line.into_string().expect("a rule read from a file writes");
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
pub(super) fn calls() -> CallLog {
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

/// What each check made of the calls, in report order: `pass: <explanation>`,
/// `FAIL: <explanation>`, `not judged` or `by the run`, one entry per result.
fn judged(origin: Origin) -> Vec<(&'static str, String)> {
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
    let mut seen = Vec::new();
    for (name, judgement) in story.expect().judge(&calls) {
        let verdict = match judgement {
            Judged::Check(result) => {
                assert_eq!(result.name, name, "a check's verdict carries its own name");
                let word = if result.passed { "pass" } else { "FAIL" };
                format!("{word}: {}", result.explanation)
            }
            Judged::Elsewhere(_) | Judged::Untold(_) => "not judged".to_owned(),
            Judged::ByTheRun => "by the run".to_owned(),
        };
        seen.push((name, verdict));
    }
    seen
}

/// What every check of [`EVERY`] must make of [`calls`], worked out by hand: 200 OK calls, one
/// every 10 ms, call `i` to backend `i % 3` before 1 s and `i % 2` from then on; the backends'
/// counters all zero.
const VERDICTS: [(&str, &str); 22] = [
    // The counters saw none of the client's 200 OK calls.
    ("accounting", "FAIL: CreateOrder: the client saw 200 OK, the backends completed only 0 OK"),
    ("distribution", "FAIL: 200 calls, 48440 needed for the stated power"),
    // Started in 100 ms..1.9 s: calls 10 to 189.
    ("failure-rate", "pass: 0 of 180 calls failed"),
    ("min-failure-rate", "pass: 0 of 180 calls failed (0.0%)"),
    ("codes", "pass: no call failed: all 200 were OK, so no code was seen to check"),
    // Calls 50 to 199 to backend-0: 17 of 50..99 (51, 54, .., 99) and 50 of 100..199.
    ("share", "pass: 67 of 150 calls"),
    // backend-1: 33 of 0..99 and 50 of 100..199.
    ("share", "pass: 83 of 200 calls"),
    ("max-share", "pass: 33 of 100 calls (33.0%)"),
    ("served-nothing", "pass: backend-2 served none of the 50 calls started in the window"),
    ("served-nothing", "pass: backend-1 served none of the 1 calls started in the window"),
    (
        "fallback",
        "FAIL: no backend failed during the run: no fault to fall back from, so nothing was \
         judged",
    ),
    (
        "fail-fast",
        "FAIL: no call to measure: a check over zero calls proves nothing (no call failed while \
         the client could know every backend was down)",
    ),
    (
        "recovery",
        "FAIL: backend-1 had no fault that ended and was not announced later: nothing to \
         recover from",
    ),
    // From 1.3 s: calls 130 to 199, all to backend-0 or backend-1.
    ("convergence", "pass: 70 calls, all inside the new set"),
    ("only-announced", "pass: 200 OK calls, each to an announced backend"),
    ("timeout", "pass: the longest call took 1ms"),
    (
        "latency",
        "FAIL: no call to measure: a check over zero calls proves nothing (no OK call on \
         backend-2 started from 1s on)",
    ),
    (
        "latency",
        "pass: p50 is 1.000 ms over 200 calls (0 timed out, 0 failed otherwise), under 10 ms",
    ),
    ("connections", "pass: 0 connections for 200 calls"),
    (
        "avoidable-failures",
        "pass: 0 of 200 calls failed, each while it met a fault or with no backend up",
    ),
    // From 1.2 s (200 ms after the change): calls 120 to 199, 40 to each of the two.
    (
        "settled",
        "pass: 80 OK calls from 1.2s on, each backend 0.4 to 3 times its fair share of 40.0 \
         (40, 40)",
    ),
    ("leak-free", "by the run"),
];

#[test]
fn every_check_judges_what_its_keys_ask_of_a_runs_calls() {
    let judged = judged(Origin::InProcess);
    let judged: Vec<(&str, &str)> = judged.iter().map(|(name, v)| (*name, v.as_str())).collect();
    for (i, expected) in VERDICTS.iter().enumerate() {
        assert_eq!(
            judged.get(i),
            Some(expected),
            "result {i} must judge what the file asks of the calls (backend, window, bound)"
        );
    }
    assert_eq!(judged.len(), VERDICTS.len(), "one result per bound asked: {judged:#?}");
    let mut names: Vec<&str> = judged.iter().map(|(name, _)| *name).collect();
    names.dedup();
    assert_eq!(names, CHECKS, "each check gives a verdict or says why not, in report order");
}

#[test]
fn every_check_judged_from_call_records_judges_as_in_process_but_what_records_cannot_show() {
    let in_process = judged(Origin::InProcess);
    let records = judged(Origin::Records { counters: false });
    assert_eq!(records.len(), in_process.len(), "one result per bound: {records:#?}");
    for ((name, verdict), (_, there)) in records.iter().zip(&in_process) {
        match *name {
            "accounting" | "connections" | "leak-free" => {
                assert_eq!(verdict, "not judged", "`{name}` needs the backends' counters")
            }
            _ => assert_eq!(verdict, there, "`{name}` reads the same calls from records"),
        }
    }
    let with_counters = judged(Origin::Records { counters: true });
    let connections = with_counters.iter().find(|(name, _)| *name == "connections");
    assert_eq!(
        connections.map(|(_, verdict)| verdict.as_str()),
        Some("pass: 0 connections for 200 calls"),
        "the counters give connections"
    );
}

#[test]
fn the_failure_rates_window_is_written_once_after_the_first_rate_of_the_file() {
    let both =
        "[expect]\nmin_failure_rate = 0.0\nfailure_rate_from = \"100ms\"\nmax_failure_rate = 0.1\n";
    assert_eq!(
        written(read(both).expect()),
        "[expect]\nmax_failure_rate = 0.1\nfailure_rate_from = \"100ms\"\nmin_failure_rate = 0.0\n",
        "both rates count in one window: its lines come once, after the first rate written"
    );
    let alone = "[expect]\nfailure_rate_until = \"1900ms\"\nmin_failure_rate = 0.5\n";
    assert_eq!(
        written(read(alone).expect()),
        "[expect]\nmin_failure_rate = 0.5\nfailure_rate_until = \"1900ms\"\n",
        "the lower bound alone writes the window itself"
    );
}
