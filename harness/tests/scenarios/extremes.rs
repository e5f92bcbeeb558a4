//! Round two of hostile input: values at the edge of their ranges end in a located error or a
//! run that says what it could not judge, never a panic or a pass on evidence never seen.

use jostle_harness::load::Progress;
use jostle_harness::runner;
use jostle_harness::scenario::{self, Scenario};

/// Runs `text` under the paused clock in memory, as `jostle run` does.
fn run(text: &str) -> jostle_harness::report::RunReport {
    let scenario = Scenario::parse(text, "s.toml").unwrap_or_else(|error| panic!("{error}"));
    runner::runtime(&scenario)
        .unwrap()
        .block_on(runner::run_with(&scenario, "jostle run s.toml", &Progress::new()))
        .unwrap()
}

const TWO: &str = "name = \"s\"\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n";

#[test]
fn a_split_with_a_false_failure_of_1e_17_is_read_not_a_panic() {
    let text = format!(
        "{}[load]\nconcurrency = 1\ncalls = 10\n[expect]\nsplit = {{ shares = [0.5, 0.5], false_failure = 1e-17 }}\n",
        TWO.replace("round_robin", "random")
    );
    let read = std::panic::catch_unwind(|| scenario::parse(&text, "s.toml"));
    match read {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => panic!("a false_failure of 1e-17 is in range (0, 1): {error}"),
        Err(_) => panic!("reading a split with false_failure = 1e-17 must not panic"),
    }
}

#[test]
fn fallback_with_no_fault_that_ever_started_fails_and_says_the_fault_was_dropped() {
    // 20 calls end within milliseconds; the restart at 60 s never comes.
    let text = format!(
        "{TWO}[load]\nconcurrency = 1\ncalls = 20\n[[fault]]\nkind = \"restart\"\ntarget = [0]\n\
         at = \"60s\"\ndown_for = \"1s\"\n[expect]\nfallback = {{ max_failures = 5 }}\n"
    );
    let report = run(&text);
    let fallback = report.expectations.iter().find(|c| c.check == "fallback").expect("judged");
    assert!(!fallback.passed, "a fallback with no fault must not pass: {fallback:?}");
    assert!(
        fallback.explanation.contains("no fault to fall back from")
            && fallback.explanation.contains("1 fault(s) of the file start at or after")
            && fallback.explanation.contains("were dropped"),
        "the check must say no fault happened, and why: {}",
        fallback.explanation
    );
    assert!(!report.as_expected, "a pass story whose fallback was never tested is not as expected");
}

#[test]
fn max_connections_over_200_calls_reads_as_a_total() {
    let text =
        format!("{TWO}[load]\nconcurrency = 1\ncalls = 200\n[expect]\nmax_connections = 10000\n");
    let report = run(&text);
    let connections = report.expectations.iter().find(|c| c.check == "connections").unwrap();
    assert_eq!(
        connections.rule, "at most 10000 connections opened over every backend in the run",
        "max_connections is a total; it must not read as 50000 per 1,000 calls"
    );
}

#[test]
fn a_mix_weight_past_u32_names_the_range_at_its_place() {
    for (weight, column) in [("4294967296", 18), ("-1", 18), ("1000001", 18)] {
        let text =
            format!("{TWO}[load]\nconcurrency = 1\ncalls = 10\nmix = {{ create = {weight} }}\n");
        let error = scenario::parse(&text, "s.toml").expect_err("out of range").to_string();
        assert_eq!(
            error,
            format!(
                "s.toml:9:{column}: `create`'s weight is {weight}; expected a whole number in 0..=1000000"
            ),
            "a weight out of range must say the range, at the weight"
        );
    }
}

/// The error `text` is refused with.
fn refused(text: &str) -> String {
    scenario::parse(text, "s.toml").expect_err("must be refused").to_string()
}

#[test]
fn impossible_discovery_changes_are_refused_at_their_place() {
    let load = "[load]\nrate = 10\nduration = \"2s\"\n";
    let late = format!("{TWO}{load}[discovery]\n[[discovery.change]]\nat = \"3s\"\nremove = [1]\n");
    assert_eq!(
        refused(&late),
        "s.toml:11:6: this discovery change comes at 3s, when the load is over (it ends at 2s: \
         warm-up and duration); expected a time before 2s",
        "a change after the load would never happen"
    );
    let absent = format!(
        "{TWO}{load}[discovery]\ninitial = [0]\n[[discovery.change]]\nat = \"1s\"\nremove = [1]\n"
    );
    assert_eq!(
        refused(&absent),
        "s.toml:13:10: backend 1 is removed at 1s, when it is not announced; expected backends \
         announced then: [0]",
        "removing a backend never announced changes nothing"
    );
}

#[test]
fn a_flap_that_would_cycle_more_than_10000_times_is_refused_at_its_period() {
    let load = "[load]\nrate = 10\nduration = \"1h\"\n";
    let flap = "[[fault]]\nat = \"0s\"\ntarget = [0]\nkind = \"flap\"\nperiod = \"2ms\"\ndown_for = \"1ms\"\n";
    let error = refused(&format!("{TWO}{load}{flap}"));
    assert_eq!(
        error,
        "s.toml:13:10: a flap every 2ms for 1h goes down 1800000 times; expected at most 10000 \
         cycles: a `period` of at least 360ms (or a shorter `for`)",
        "a flap's cycles are bounded against the load's length"
    );
    let short = flap.replace("down_for", "for = \"10s\"\ndown_for");
    assert!(
        scenario::parse(&format!("{TWO}{load}{short}"), "s.toml").is_ok(),
        "a 2 ms flap for 10 s (5,000 cycles) is within the bound"
    );
}
