//! The latency model and the latency check: fixtures/slow-backend.toml under the load-aware
//! policies and round robin, report percentiles that follow the model, latency bounds that
//! hold and that break, replays, and malformed latency fields.

use jostle_harness::report::RunReport;
use jostle_harness::scenario::{self, Scenario};
use rstest::rstest;

const FIXTURE: &str = "slow-backend.toml";

fn story() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/slow-backend.toml");
    std::fs::read_to_string(path).unwrap()
}

fn play(story: &Scenario) -> RunReport {
    story.run_blocking().unwrap_or_else(|error| panic!("{} must run: {error}", story.name()))
}

fn against(balancer: &str) -> RunReport {
    let loaded = scenario::parse(&story(), FIXTURE).unwrap();
    play(&loaded.with_balancer(balancer).unwrap())
}

fn failed(report: &RunReport) -> Vec<&str> {
    report.expectations.iter().filter(|e| !e.passed).map(|e| e.check.as_str()).collect()
}

fn slow_share(report: &RunReport) -> f64 {
    report.backends[2].share
}

#[rstest]
#[case::p2c("p2c")]
#[case::least_outstanding("least_outstanding")]
fn load_aware_policies_shift_calls_away_from_the_slow_backend(#[case] balancer: &str) {
    let report = against(balancer);
    assert!(
        report.passed,
        "{balancer} must send backend-2 (3x slower) at most 25% of the calls and keep p75 under \
         20 ms\n{report}\nseed {}; rerun: jostle run fixtures/{FIXTURE} --balancer {balancer}",
        report.seed
    );
    assert!(
        slow_share(&report) < 0.25,
        "{balancer} must give the slow backend well under its third, got {:.3} (seed {})",
        slow_share(&report),
        report.seed
    );
    assert!(report.faults.is_empty(), "latency is not a fault: no fault window\n{report}");
}

#[test]
fn round_robin_keeps_sending_the_slow_backend_its_third() {
    let report = against("round_robin");
    assert_eq!(
        failed(&report),
        ["max-share", "latency"],
        "round robin ignores latency: backend-2 keeps a third of the calls, so more than a \
         quarter of the calls are slow\n{report}\nseed {}; rerun: jostle run fixtures/{FIXTURE} \
         --balancer round_robin",
        report.seed
    );
    let share = slow_share(&report);
    assert!(
        (share - 1.0 / 3.0).abs() < 0.01,
        "round robin must give backend-2 its third, got {share:.4} (seed {})",
        report.seed
    );
}

#[test]
fn report_percentiles_follow_the_latency_model() {
    // Round robin: every backend serves a third, so every backend's percentiles are well fed.
    let report = against("round_robin");
    let (fast, slow) = (report.backends[0].latency_ms, report.backends[2].latency_ms);
    let near = |measured: f64, model: f64, within: f64| (measured - model).abs() <= within;
    // Uniform whole milliseconds: 8..=12 ms for backends 0 and 1, 24..=36 ms for backend-2;
    // the HDR histogram reads at most 0.1 % high.
    for (name, latency, base, jitter) in [
        ("backend-0", fast, 10.0, 2.0),
        ("backend-1", report.backends[1].latency_ms, 10.0, 2.0),
        ("backend-2", slow, 30.0, 6.0),
    ] {
        assert!(
            near(latency.p50, base, 0.1 * jitter + 0.05),
            "{name}'s p50 must be its base {base} ms (jitter {jitter} ms), got {latency:?} \
             (seed {})",
            report.seed
        );
        assert!(
            near(latency.max, base + jitter, 0.05),
            "{name}'s slowest call must take base + jitter = {} ms, got {latency:?} (seed {})",
            base + jitter,
            report.seed
        );
    }
    let ratio = slow.p50 / fast.p50;
    assert!(
        (2.9..=3.1).contains(&ratio),
        "the slow backend's p50 must be 3x the others', got {ratio:.3} ({slow:?} vs {fast:?}, \
         seed {})",
        report.seed
    );
}

#[test]
fn a_latency_bound_above_the_percentile_holds_and_one_below_it_fails() {
    let text = story().replace(
        "latency = [\n    { percentile = 75, under = \"20ms\", after = \"1s\" },\n    \
         { percentile = 99, under = \"40ms\" },\n]",
        "latency = [\n    { percentile = 99.9, under = \"13ms\", backend = 0 },\n    \
         { percentile = 99, under = \"30ms\", backend = 2, after = \"2s\" },\n]",
    );
    assert_ne!(text, story(), "the fixture's latency bounds are as this test expects");
    let report = play(&scenario::parse(&text, FIXTURE).unwrap());
    let latency: Vec<_> = report.expectations.iter().filter(|e| e.check == "latency").collect();
    assert_eq!(latency.len(), 2, "one check per bound\n{report}");
    assert!(
        latency[0].passed,
        "backend-0 never takes more than 12 ms: its p99.9 is under 13 ms\n{report}"
    );
    assert!(latency[0].rule.contains("p99.9 latency of the OK calls on backend-0 is under 13ms"));
    assert!(
        !latency[1].passed,
        "backend-2 takes 24 to 36 ms: its p99 is not under 30 ms\n{report}"
    );
    assert!(latency[1].rule.contains("on backend-2 started from 2s on is under 30ms"));
    let measured = latency[1].measured["latency ms"];
    assert!(
        latency[1].explanation.contains(&format!("p99 is {measured:.3} ms over"))
            && latency[1].explanation.ends_with("calls, not under 30 ms"),
        "the failure states the measured percentile against the bound: {}",
        latency[1].explanation
    );
    assert!((35.0..=36.05).contains(&measured), "p99 of 24..=36 ms, got {measured}");
}

#[test]
fn a_latency_bound_over_no_call_fails_and_says_so() {
    // A load of a number of calls (the same 1,500 at 300 a second: 5 s), whose end is not
    // known before the run: a bound starting after a load bounded by a duration is refused at
    // parse (scenarios::windows).
    let text = story()
        .replace(
            "{ percentile = 99, under = \"40ms\" }",
            "{ percentile = 99, under = \"40ms\", after = \"6s\" }",
        )
        .replace("duration = \"5s\"", "calls = 1500");
    let report = play(&scenario::parse(&text, FIXTURE).unwrap());
    let check = report.expectations.iter().rfind(|e| e.check == "latency").unwrap();
    assert!(!check.passed, "no call starts after the load's 5 s: nothing is measured\n{report}");
    assert!(check.explanation.contains("a check over zero calls proves nothing"), "{report}");
    assert_eq!(check.measured["calls"], 0.0);
}

#[test]
fn the_same_latency_story_and_seed_give_byte_identical_json() {
    let loaded = scenario::parse(&story(), FIXTURE).unwrap();
    let first = play(&loaded).to_json();
    assert_eq!(
        first,
        play(&loaded).to_json(),
        "two runs of fixtures/{FIXTURE} (seed {}) must give the same bytes: latency draws come \
         from the seed",
        loaded.seed()
    );
    let reseeded = play(&loaded.clone().with_seed(loaded.seed() + 1)).to_json();
    assert_ne!(first, reseeded, "another seed draws other latencies and picks");
}

/// The fixture's text with `from` replaced by `to` (which must be there).
fn broken(from: &str, to: &str) -> String {
    let text = story();
    assert!(text.contains(from), "fixtures/{FIXTURE} holds `{from}`");
    text.replace(from, to)
}

#[rstest]
#[case::jitter_above_base(
    "latency = { base = \"10ms\", jitter = \"2ms\" }",
    "latency = { base = \"10ms\", jitter = \"12ms\" }",
    "slow-backend.toml:15:37: `jitter` is 12ms, more than `base` (10ms); expected a jitter at \
     most the base (a call never takes less than no time)"
)]
#[case::backend_jitter_above_base(
    "backend = 2, base = \"30ms\", jitter = \"6ms\"",
    "backend = 2, base = \"3ms\", jitter = \"6ms\"",
    "slow-backend.toml:16:52: `jitter` is 6ms, more than `base` (3ms); expected a jitter at \
     most the base (a call never takes less than no time)"
)]
#[case::unknown_latency_field(
    "jitter = \"2ms\" }",
    "jiter = \"2ms\" }",
    "slow-backend.toml:15:28: unknown field `jiter`; expected `base` or `jitter`; did you mean \
     `jitter`?"
)]
#[case::latency_backend_out_of_range(
    "{ backend = 2, base",
    "{ backend = 3, base",
    "slow-backend.toml:16:26: backend index 3 is out of range; expected an index in 0..3 (the \
     cluster has 3 backends)"
)]
#[case::latency_backend_twice(
    "latencies = [{ backend = 2, base = \"30ms\", jitter = \"6ms\" }]",
    "latencies = [{ backend = 2, base = \"30ms\" }, { backend = 2, base = \"20ms\" }]",
    "slow-backend.toml:16:58: backend 2 is given a latency twice; expected each backend once \
     in `latencies`"
)]
#[case::zero_percentile(
    "{ percentile = 99, under",
    "{ percentile = 0, under",
    "slow-backend.toml:31:20: `percentile` is 0; expected a percentile above 0 and at most 100 \
     (99, 99.9; 100 is the slowest call)"
)]
#[case::negative_percentile(
    "{ percentile = 99, under",
    "{ percentile = -99.9, under",
    "slow-backend.toml:31:20: `percentile` is -99.9; expected a percentile above 0 and at most \
     100 (99, 99.9; 100 is the slowest call)"
)]
#[case::percentile_over_a_hundred(
    "{ percentile = 99, under",
    "{ percentile = 100.5, under",
    "slow-backend.toml:31:20: `percentile` is 100.5; expected a percentile above 0 and at most \
     100 (99, 99.9; 100 is the slowest call)"
)]
#[case::zero_bound(
    "under = \"40ms\"",
    "under = \"0ms\"",
    "slow-backend.toml:31:32: `under` is zero; expected a duration above zero"
)]
#[case::unknown_bound_field(
    "{ percentile = 99, under",
    "{ percentil = 99, under",
    "slow-backend.toml:31:7: unknown field `percentil`; expected one of `percentile`, \
     `under`, `backend`, `after`, `of`; did you mean `percentile`?"
)]
#[case::unknown_cluster_field(
    "latencies = [",
    "latencys = [",
    "slow-backend.toml:16:1: unknown field `latencys`; expected one of `backends`, \
     `transport`, `latency`, `latencies`; did you mean `latency`?"
)]
fn malformed_latency_fields_are_refused_with_their_place(
    #[case] from: &str,
    #[case] to: &str,
    #[case] expected: &str,
) {
    let message = scenario::parse(&broken(from, to), FIXTURE).unwrap_err().to_string();
    assert_eq!(message, expected, "the error names the place and what was expected");
}

#[test]
fn a_latency_story_runs_over_tcp_too() {
    // The same model in the server's service stack on both transports: on tcp (wall clock) the
    // calls wait their drawn latency as in memory.
    // Its share and latency windows start before the shortened load ends (one starting at
    // its end is refused: it could hold no call).
    let text = broken("duration = \"5s\"", "duration = \"1s\"")
        .replace("at_most = 0.25, after = \"1s\"", "at_most = 0.25, after = \"500ms\"")
        .replace("under = \"20ms\", after = \"1s\"", "under = \"20ms\", after = \"500ms\"");
    let loaded = scenario::parse(&text, FIXTURE).unwrap();
    let tcp = loaded.with_transport(jostle_harness::net::Transport::Tcp).unwrap();
    let report = play(&tcp);
    let fast = report.backends[0].latency_ms;
    let slow = report.backends[2].latency_ms;
    // Lower bounds only: on the wall clock a busy machine adds to every call, so neither the
    // percentiles' size nor their order is the model's (both backends measured p50 48.6 ms on a
    // starved machine).
    assert!(
        fast.p50 >= 8.0 && slow.p50 >= 24.0,
        "over tcp every call waits its drawn latency at least: backend-0 from 8 ms, backend-2 \
         from 24 ms; got {fast:?} and {slow:?}\n{report}"
    );
}
