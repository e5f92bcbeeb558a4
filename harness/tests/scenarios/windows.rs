//! Windowed expectations: `shares` and `max_shares` with `from` and `until`, judged over the
//! calls started inside the window; a window past the run, or holding no call, fails and says
//! so; malformed windows are refused at their place.

use jostle_harness::report::{ExpectationReport, RunReport};
use jostle_harness::scenario;
use rstest::rstest;

/// Three backends under round robin, 100 calls a second for 4 s; backend 2 restarts at 1 s and
/// is down for 2 s: it serves nothing from shortly after 1 s until shortly after 3 s.
fn story(expect: &str) -> String {
    story_on("[2]", expect)
}

/// The same story with the restart on `target`.
fn story_on(target: &str, expect: &str) -> String {
    format!(
        "name = \"window\"\nseed = 11\n[cluster]\nbackends = 3\n[balancer]\n\
         policy = \"round_robin\"\n[load]\nrate = 100\nduration = \"4s\"\ndeadline = \"500ms\"\n\
         [[fault]]\nat = \"1s\"\ntarget = {target}\nkind = \"restart\"\ndown_for = \"2s\"\n\
         [expect]\n{expect}\n"
    )
}

fn play(expect: &str) -> RunReport {
    play_on("[2]", expect)
}

fn play_on(target: &str, expect: &str) -> RunReport {
    run(&story_on(target, expect))
}

/// The story with its load bounded by a number of calls (the same 400 calls, the last started
/// at 3990 ms), whose end nobody knows before the run: a window past it is judged, not refused.
fn play_counted(expect: &str) -> RunReport {
    let counted = story(expect).replace("duration = \"4s\"", "calls = 400");
    assert_ne!(counted, story(expect), "the load must be bounded by calls");
    run(&counted)
}

fn run(text: &str) -> RunReport {
    let story = scenario::parse(text, "window.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
    story.run_blocking().unwrap_or_else(|error| panic!("the story must run: {error}"))
}

/// The results of check `name`, in file order.
fn results<'a>(report: &'a RunReport, name: &str) -> Vec<&'a ExpectationReport> {
    report.expectations.iter().filter(|e| e.check == name).collect()
}

#[test]
fn a_share_is_judged_over_the_calls_started_inside_its_window() {
    let report = play(
        "shares = [\n  { backend = 2, at_least = 0.2, from = \"1500ms\", until = \"2500ms\" },\n  \
         { backend = 2, at_least = 0.2, from = \"3500ms\" },\n  \
         { backend = 2, at_least = 0.2, after = \"3500ms\" },\n]\n\
         max_shares = [\n  { backend = 2, at_most = 0.0, from = \"1500ms\", until = \"2500ms\" },\n  \
         { backend = 2, at_most = 0.0 },\n]",
    );
    let shares = results(&report, "share");
    assert!(
        !shares[0].passed && shares[0].measured["share"] == 0.0,
        "backend 2 is down from 1 s to 3 s: inside 1.5 s..2.5 s it serves none of the calls, \
         so a share of at least 20 % there must fail (seed 11; rerun with this file)\n{report}"
    );
    assert!(
        shares[0].rule.contains("of the calls started from 1s 500ms until 2s 500ms"),
        "the rule names the window: {}",
        shares[0].rule
    );
    assert_eq!(
        shares[0].measured["calls"], 100.0,
        "the window holds the 100 calls started in its second, all OK on backends 0 and 1\n{report}"
    );
    assert!(shares[1].passed, "back from 3.5 s on, backend 2 serves its third\n{report}");
    assert_eq!(
        (shares[1].passed, &shares[1].measured),
        (shares[2].passed, &shares[2].measured),
        "`after` is the older name of `from`: the same window, the same verdict"
    );
    let max_shares = results(&report, "max-share");
    assert!(
        max_shares[0].passed,
        "inside 1.5 s..2.5 s backend 2 serves nothing: at most 0 % holds\n{report}"
    );
    assert!(
        !max_shares[1].passed,
        "over the whole run backend 2 serves about a sixth: at most 0 % fails\n{report}"
    );
}

#[test]
fn a_window_past_the_run_fails_and_says_it_holds_no_call() {
    let report = play_counted(
        "shares = [{ backend = 0, at_least = 0.0, from = \"10s\", until = \"12s\" }]\n\
         max_shares = [{ backend = 0, at_most = 1.0, from = \"5s\" }]",
    );
    for name in ["share", "max-share"] {
        let result = results(&report, name)[0];
        assert!(
            !result.passed,
            "{name}: a window that holds no call judged nothing: it must fail, not pass on \
             nothing, even with a bound every share meets\n{report}"
        );
        assert!(
            result.explanation.contains("no call to measure")
                && result.explanation.contains("past the run: its last call started at 3990 ms"),
            "{name}: the verdict says the window holds no call and lies past the run: {}",
            result.explanation
        );
    }
}

#[rstest]
#[case::after_and_from(
    "shares = [{ backend = 0, at_least = 0.1, after = \"1s\", from = \"1s\" }]",
    "window.toml:17:63: both `after` and `from` are set; expected one of them: `from` (`after` \
     is its older name)"
)]
#[case::until_before_from(
    "max_shares = [{ backend = 0, at_most = 0.5, from = \"2s\", until = \"1s\" }]",
    "window.toml:17:66: `until` (1s) is not after `from` (2s); expected a time after the \
     window's start (`from`, 0 when not given)"
)]
#[case::until_zero(
    "shares = [{ backend = 0, at_least = 0.1, until = \"0s\" }]",
    "window.toml:17:50: `until` (0s) is not after `from` (0s); expected a time after the \
     window's start (`from`, 0 when not given)"
)]
#[case::unknown_key(
    "shares = [{ backend = 0, at_least = 0.1, untill = \"1s\" }]",
    "window.toml:17:42: unknown field `untill`; expected one of `backend`, `at_least`, `from`, \
     `until`, `after`; did you mean `until`?"
)]
#[case::share_from_after_the_load(
    "shares = [{ backend = 0, at_least = 0.0, from = \"10s\", until = \"12s\" }]",
    "window.toml:17:49: this window starts at 10s, when the load is over (it ends at 4s: \
     warm-up and duration), so no call can start in it; expected a `from` before 4s"
)]
#[case::max_share_after_at_the_load_end(
    "max_shares = [{ backend = 0, at_most = 1.0, after = \"4s\" }]",
    "window.toml:17:53: this window starts at 4s, when the load is over (it ends at 4s: \
     warm-up and duration), so no call can start in it; expected a `from` before 4s"
)]
#[case::latency_after_the_load(
    "latency = [{ percentile = 99.0, under = \"100ms\", after = \"6s\" }]",
    "window.toml:17:58: this window starts at 6s, when the load is over (it ends at 4s: warm-up \
     and duration), so no call can start in it; expected an `after` before 4s"
)]
fn a_malformed_window_is_refused_at_its_place(#[case] expect: &str, #[case] message: &str) {
    let error = scenario::parse(&story(expect), "window.toml")
        .expect_err("a malformed window must be refused, not judged");
    assert_eq!(
        error.to_string(),
        message,
        "the error names FILE:LINE:COLUMN and what was expected"
    );
}

#[test]
fn served_nothing_holds_for_a_backend_left_out_and_fails_for_one_that_served() {
    let report = play(
        "[[expect.served_nothing]]\nbackend = 2\nfrom = \"1500ms\"\nuntil = \"2500ms\"\n\
         [[expect.served_nothing]]\nbackend = 0\nfrom = \"1500ms\"\nuntil = \"2500ms\"\n\
         [[expect.served_nothing]]\nbackend = 2\nfrom = \"3500ms\"\n",
    );
    let nothing = results(&report, "served-nothing");
    assert!(
        nothing[0].passed && nothing[0].measured["calls"] == 100.0,
        "backend 2 is down from 1 s to 3 s: of the 100 calls started in 1.5 s..2.5 s it \
         serves none (seed 11)\n{report}"
    );
    assert!(
        !nothing[1].passed && nothing[1].explanation.contains("the first started at 1500 ms"),
        "backend 0 serves half the calls of the window: the check fails and names the first \
         (seed 11)\n{report}"
    );
    assert!(
        !nothing[2].passed,
        "backend 2 serves again after its restart: from 3.5 s on it serves (seed 11)\n{report}"
    );
}

#[test]
fn served_nothing_over_a_window_without_calls_fails_for_want_of_evidence() {
    let report =
        play_counted("[[expect.served_nothing]]\nbackend = 2\nfrom = \"5s\"\nuntil = \"6s\"\n");
    let nothing = results(&report, "served-nothing")[0];
    assert!(
        !nothing.passed
            && nothing.explanation.contains("no evidence: the client started no call")
            && nothing.explanation.contains("past the run"),
        "no call started in 5 s..6 s: nothing shows backend 2 was left out, so the check fails \
         and says why\n{report}"
    );
}

#[test]
fn most_calls_fail_while_every_backend_is_down_and_a_lower_bound_says_so() {
    let inside = "min_failure_rate = 0.9\nmax_failure_rate = 1.0\n\
                  failure_rate_from = \"1500ms\"\nfailure_rate_until = \"2500ms\"";
    let report = play_on("\"all\"", inside);
    let least = results(&report, "min-failure-rate")[0];
    assert!(
        least.passed && least.measured["rate"] == 1.0,
        "every backend is down from 1 s to 3 s: every call started in 1.5 s..2.5 s fails, so \
         at least 90 % fail there (seed 11)\n{report}"
    );
    assert!(
        least.rule.contains("at least 90% of the calls started from 1s 500ms until 2s 500ms"),
        "the rule names the bound and the window: {}",
        least.rule
    );
    let most = results(&report, "failure-rate")[0];
    assert!(most.passed, "the upper bound counts the same window\n{report}");
    let whole = play_on("\"all\"", "min_failure_rate = 0.9");
    let least = results(&whole, "min-failure-rate")[0];
    assert!(
        !least.passed && least.measured["rate"] < 0.9,
        "over the whole run only the calls of the 2 s outage (and a little after) fail: \
         fewer than 90 % (seed 11)\n{whole}"
    );
    let healthy = play("min_failure_rate = 0.5\nfailure_rate_from = \"3500ms\"");
    let least = results(&healthy, "min-failure-rate")[0];
    assert!(
        !least.passed && least.explanation.ends_with("calls failed (0.0%)"),
        "backend 2 is back by 3.5 s: no call fails, a lower bound of 50 % fails\n{healthy}"
    );
    let past = play_counted("min_failure_rate = 0.0\nfailure_rate_from = \"5s\"");
    let least = results(&past, "min-failure-rate")[0];
    assert!(
        !least.passed && least.explanation.contains("past the run"),
        "a window past the run holds no call: even a bound of 0 fails, never passing on \
         nothing\n{past}"
    );
}

#[rstest]
#[case::window_without_a_rate(
    "failure_rate_until = \"1s\"",
    "window.toml:17:22: `failure_rate_until` without `max_failure_rate` or `min_failure_rate`; \
     expected `max_failure_rate` or `min_failure_rate` beside it"
)]
#[case::rate_window_backwards(
    "min_failure_rate = 0.5\nfailure_rate_from = \"2s\"\nfailure_rate_until = \"2s\"",
    "window.toml:19:22: `failure_rate_until` (2s) is not after `failure_rate_from` (2s); \
     expected a time after the window's start (`failure_rate_from`, 0 when not given)"
)]
#[case::min_failure_rate_over_one(
    "min_failure_rate = 1.5",
    "window.toml:17:20: `min_failure_rate` is 1.5; expected a fraction in 0..=1 (0.2 for 20 %)"
)]
#[case::served_nothing_unknown_backend(
    "[[expect.served_nothing]]\nbackend = 3\nfrom = \"1s\"",
    "window.toml:18:11: backend index 3 is out of range; expected an index in 0..3 (the \
     cluster has 3 backends)"
)]
#[case::served_nothing_backwards(
    "[[expect.served_nothing]]\nbackend = 1\nfrom = \"3s\"\nuntil = \"1s\"",
    "window.toml:20:9: `until` (1s) is not after `from` (3s); expected a time after the \
     window's start (`from`, 0 when not given)"
)]
#[case::rate_window_after_the_load(
    "min_failure_rate = 0.0\nfailure_rate_from = \"5s\"",
    "window.toml:18:21: this window starts at 5s, when the load is over (it ends at 4s: warm-up \
     and duration), so no call can start in it; expected a `failure_rate_from` before 4s"
)]
#[case::served_nothing_after_the_load(
    "[[expect.served_nothing]]\nbackend = 2\nfrom = \"5s\"\nuntil = \"6s\"",
    "window.toml:19:8: this window starts at 5s, when the load is over (it ends at 4s: warm-up \
     and duration), so no call can start in it; expected a `from` before 4s"
)]
fn a_malformed_lower_bound_or_served_nothing_is_refused_at_its_place(
    #[case] expect: &str,
    #[case] message: &str,
) {
    let error = scenario::parse(&story(expect), "window.toml")
        .expect_err("a malformed expectation must be refused, not judged");
    assert_eq!(
        error.to_string(),
        message,
        "the error names FILE:LINE:COLUMN and what was expected"
    );
}
