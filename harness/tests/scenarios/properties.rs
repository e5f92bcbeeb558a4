//! Properties: any text gives a scenario or errors located inside it, never a panic; any
//! valid file at the edges of the documented ranges runs to its end, within its bounds, with a
//! coherent report.
//!
//! CI runs a few cases each (a few seconds); a longer run:
//! `PROPTEST_CASES=2000 cargo test -p jostle-harness --test harness properties`.

use jostle_harness::load::limits::{MAX_CONCURRENCY, MAX_RATE, MAX_WEIGHT, MIN_RATE};
use jostle_harness::scenario::{self, ScenarioError};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Cases per property: `PROPTEST_CASES`, else `default`.
fn cases(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok());
    Config::with_cases(cases.unwrap_or(default))
}

const FIXTURE: &str = include_str!("../../../fixtures/article-restart.toml");

/// Pieces that sit at the edges of what the parser reads: numbers past every range, durations
/// of every unit and none, TOML punctuation, multi-byte and control characters.
const PIECES: &[&str] = &[
    "0",
    "-1",
    "1",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "1e-320",
    "18446744073709551616",
    "9223372036854775807",
    "0.001",
    "100000",
    "100001",
    "10000",
    "10001",
    "1000000",
    "1000001",
    "\"1M\"",
    "\"500us\"",
    "\"1ms\"",
    "\"24h\"",
    "\"25h\"",
    "\"0s\"",
    "\"1s 1ns\"",
    "\"\"",
    "\"all\"",
    "[]",
    "[0, 0]",
    "[99999]",
    "[",
    "]",
    "{",
    "}",
    "=",
    "\n",
    "\"",
    "'",
    "#",
    "é",
    "\u{1b}",
    "\u{0}",
    "[[fault]]",
    "[load]",
    "[expect]",
    "rate = ",
    "calls = ",
    "4294967296",
    "1e-17",
    "0.9999999999999999",
    "\"2ms\"",
    "[discovery]",
    "[[discovery.change]]\nat = \"1s\"\nremove = [0]\n",
    "remove = [",
    "kind = \"flap\"\nperiod = \"2ms\"\ndown_for = \"1ms\"\n",
    "mix = { create = 4294967296 }",
    "split = { shares = [0.5, 0.5], false_failure = 1e-17 }",
    "max_connections = ",
    "codes = [\"Unavailable\"]",
    "fallback = { max_failures = 0 }",
    "clients = ",
    "shares = [{ backend = 0, at_least = 0.5, from = \"1s\", until = \"2s\" }]",
    "max_shares = [{ backend = 1, at_most = 0.5, after = \"1s\", until = \"1s\" }]",
    "from = ",
    "until = ",
    "after = ",
    "[[expect.served_nothing]]\nbackend = 0\nfrom = \"1s\"\nuntil = \"2s\"\n",
    "[[expect.served_nothing]]\nbackend = 99\nuntil = \"0s\"\n",
    "min_failure_rate = ",
    "min_failure_rate = 0.5\nfailure_rate_until = \"1s\"",
    "failure_rate_until = ",
    "min_failure_rate = 0.5\nmin_failure_rate_from = \"1s\"\nmin_failure_rate_until = \"2s\"",
    "min_failure_rate_until = ",
    "latency = [{ percentile = 99, under = \"300ms\", of = \"all\" }]",
    "of = ",
    "\"ok\"",
    "convergence = { backends = [0, 1] }",
    "backends = [",
];

/// A second fixture to mutate: one with a discovery timeline.
const DISCOVERY_FIXTURE: &str = include_str!("../../../fixtures/scale-up.toml");

/// A fixture with a few of its byte ranges replaced by edge pieces or random text.
fn mutated() -> impl Strategy<Value = String> {
    prop_oneof![mutated_from(FIXTURE), mutated_from(DISCOVERY_FIXTURE)]
}

/// `fixture` with a few of its byte ranges replaced by edge pieces or random text.
fn mutated_from(fixture: &'static str) -> impl Strategy<Value = String> {
    let edit = (
        0..fixture.len(),
        0..12usize,
        prop_oneof![proptest::sample::select(PIECES).prop_map(str::to_owned), ".{0,8}",],
    );
    proptest::collection::vec(edit, 1..4).prop_map(|edits| {
        let mut text = fixture.to_owned();
        for (at, length, piece) in edits {
            let mut start = at.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + length).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(start..end, &piece);
        }
        text
    })
}

/// Whether `error`'s place, if it has one, lies inside `text`.
fn inside(error: &ScenarioError, text: &str) -> bool {
    let Some((line, column)) = error.location() else { return true };
    let lines: Vec<&str> = text.split('\n').collect();
    line >= 1 && column >= 1 && lines.get(line - 1).is_some_and(|l| column <= l.chars().count() + 1)
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn any_text_gives_a_scenario_or_errors_located_inside_it(
        text in prop_oneof![mutated(), ".{0,300}", proptest::sample::select(PIECES).prop_map(str::to_owned)]
    ) {
        match scenario::parse_all(&text, "p.toml") {
            Ok(_) => {}
            Err(errors) => {
                prop_assert!(!errors.is_empty(), "an Err holds at least one error");
                for error in &errors {
                    prop_assert!(
                        inside(error, &text),
                        "an error must point inside the file: {error} in {text:?}"
                    );
                }
            }
        }
    }
}

/// A probability at any scale: from the smallest normal f64 to just below 1, log-uniform, or
/// an edge.
fn probability() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-307.0_f64..0.0).prop_map(|exponent| 10_f64.powf(exponent).min(0.999_999)),
        proptest::sample::select(vec![1e-17, 1e-300, 0.5, 0.999_999_999_999_999_9, 1.0 - 1e-16]),
    ]
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn any_split_is_sized_or_refused_at_its_place_never_a_panic(
        shares in proptest::collection::vec(0.0_f64..1.0, 2..8),
        false_failure in probability(),
        min_skew in probability(),
        power in probability(),
    ) {
        let sum: f64 = shares.iter().sum();
        let shares: Vec<String> = shares.iter().map(|share| format!("{:?}", share / sum.max(1e-300))).collect();
        let text = format!(
            "name = \"split\"\n[cluster]\nbackends = {}\n[balancer]\npolicy = \"random\"\n\
             [load]\nconcurrency = 1\ncalls = 10\n[expect]\nsplit = {{ shares = [{}], \
             false_failure = {false_failure:?}, min_skew = {min_skew:?}, power = {power:?} }}\n",
            shares.len(),
            shares.join(", ")
        );
        if let Err(errors) = scenario::parse_all(&text, "split.toml") {
            for error in &errors {
                prop_assert!(inside(error, &text), "an error must point inside the file: {error} in {text:?}");
            }
        }
    }
}

/// The pace of a generated load: an open loop's rate or a closed loop's concurrency.
#[derive(Debug, Clone, Copy)]
enum Pace {
    Rate(f64),
    Concurrency(u32),
}

/// The `[load]` lines of `pace` run for calls or a duration, at most `budget` calls.
#[allow(clippy::cast_possible_truncation, reason = "small positive values, clamped")]
fn load_lines(pace: Pace, by_calls: bool, budget: f64) -> String {
    match (pace, by_calls) {
        (Pace::Rate(rate), true) => {
            // An open loop of N calls lasts N / rate: within 24h at the lowest rate.
            format!("rate = {rate}\ncalls = {}", budget.min(rate * 3600.0).max(1.0) as u64)
        }
        (Pace::Rate(rate), false) => {
            let ms = (budget / rate * 1000.0).clamp(1.0, 86_400_000.0) as u64;
            format!("rate = {rate}\nduration = \"{ms}ms\"")
        }
        (Pace::Concurrency(c), true) => format!("concurrency = {c}\ncalls = {}", budget as u64),
        (Pace::Concurrency(c), false) => {
            format!(
                "concurrency = {c}\nduration = \"{}ms\"",
                (budget / f64::from(c)).max(1.0) as u64
            )
        }
    }
}

/// A valid file whose numbers sit at the edges of their documented ranges, its load kept
/// small enough for a test (at most 600 calls).
fn edge_story() -> impl Strategy<Value = String> {
    let most = u32::try_from(MAX_CONCURRENCY).unwrap_or(u32::MAX);
    let pace = prop_oneof![
        proptest::sample::select(vec![MIN_RATE, 1.0, MAX_RATE]).prop_map(Pace::Rate),
        proptest::sample::select(vec![1, 7, most]).prop_map(Pace::Concurrency),
    ];
    let deadline = proptest::sample::select(vec!["1ms", "500ms", "24h"]);
    let warm_up = proptest::sample::select(vec!["0s", "1ms", "100ms"]);
    let weights = proptest::sample::select(vec![
        (1u32, 0u32, 0u32),
        (0, 1, 0),
        (0, 0, 1),
        (MAX_WEIGHT, MAX_WEIGHT, MAX_WEIGHT),
        (1, MAX_WEIGHT, 0),
    ]);
    let backends = proptest::sample::select(vec![1usize, 2, 5]);
    let fault = proptest::sample::select(vec![
        "",
        "[[fault]]\nat = \"0s\"\ntarget = \"all\"\nkind = \"hang\"\nfor = \"1ms\"\n",
        "[[fault]]\ntarget = [0]\nkind = \"restart\"\ndown_for = \"1ms\"\n",
        "[[fault]]\ntarget = [0]\nkind = \"status\"\ncode = \"Unavailable\"\nprobability = 1.0\n",
        "[[fault]]\ntarget = [0]\nkind = \"delay\"\ndelay = \"1ms\"\n",
    ]);
    (pace, any::<bool>(), deadline, warm_up, weights, backends, fault, any::<u64>()).prop_map(
        |(pace, by_calls, deadline, warm_up, (create, get, watch), backends, fault, seed)| {
            let load = load_lines(pace, by_calls, 600.0);
            format!(
                "name = \"edge\"\nseed = {seed}\n[cluster]\nbackends = {backends}\n\
                 [balancer]\npolicy = \"round_robin\"\n[load]\n{load}\n\
                 deadline = \"{deadline}\"\nwarm_up = \"{warm_up}\"\n\
                 mix = {{ create = {create}, get = {get}, watch = {watch} }}\n{fault}\
                 [expect]\nmax_failure_rate = 1.0\n"
            )
        },
    )
}

proptest! {
    #![proptest_config(cases(12))]

    #[test]
    fn a_valid_file_at_the_edges_runs_to_its_end_with_a_coherent_report(text in edge_story()) {
        let story = match scenario::parse(&text, "edge.toml") {
            Ok(story) => story,
            // A combination past the whole-load limits is refused up front: that is the rule.
            Err(error) => {
                prop_assert!(error.to_string().contains("[load]") || error.to_string().contains("this load"), "only the whole-load limits may refuse an edge file: {error}\n{text}");
                return Ok(());
            }
        };
        let spec = story.load_spec();
        let report = story.run_blocking().map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let calls = report.calls;
        prop_assert!(calls.sent >= 1, "a run sends at least one call:\n{text}");
        prop_assert!(calls.sent <= spec.most_calls(), "at most the load's calls: {} > {}\n{text}", calls.sent, spec.most_calls());
        prop_assert_eq!(calls.sent, calls.ok + calls.failed + calls.timed_out, "every call counted once");
        let served: u64 = report.backends.iter().map(|b| b.served).sum();
        prop_assert_eq!(served, calls.ok, "the backends' served calls are the OK calls");
        prop_assert!(report.expectations.iter().all(|e| e.check != "accounting" || e.passed), "the books balance:\n{report}");
        let bound = story.warm_up() + spec.longest() + spec.deadline * 2 + std::time::Duration::from_secs(1);
        prop_assert!(report.timeline.end_ms <= bound.as_secs_f64() * 1e3 + 1.0, "the run ends within its bound: {} ms > {bound:?}\n{text}", report.timeline.end_ms);
    }
}
