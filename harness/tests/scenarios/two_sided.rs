//! Latency over all calls (`of = "all"`, a timed-out call at its deadline) beside the OK-only
//! form, and convergence over a chosen set of backends: each passing and failing where its rule
//! says, and malformed values refused at their place.

use jostle_harness::report::{ExpectationReport, RunReport};
use jostle_harness::scenario;
use rstest::rstest;

/// Three backends under round robin, 100 calls a second for 2 s, a 300 ms deadline; backend 2
/// hangs every call for the whole run, so its calls time out until the balancer ejects it.
fn hanging(expect: &str) -> String {
    format!(
        "name = \"all calls\"\nseed = 5\n[cluster]\nbackends = 3\n[balancer]\n\
         policy = \"round_robin\"\n[load]\nrate = 100\nduration = \"2s\"\ndeadline = \"300ms\"\n\
         [[fault]]\ntarget = [2]\nkind = \"hang\"\n[expect]\n{expect}\n"
    )
}

/// Four backends under round robin; backend 3 is announced at 1 s but refuses every
/// connection: a good client never sends it a call.
fn added_but_bad(expect: &str) -> String {
    format!(
        "name = \"chosen set\"\nseed = 5\n[cluster]\nbackends = 4\n[balancer]\n\
         policy = \"round_robin\"\n[load]\nrate = 100\nduration = \"3s\"\n\
         [discovery]\ninitial = [0, 1, 2]\n[[discovery.change]]\nat = \"1s\"\nadd = [3]\n\
         [[fault]]\ntarget = [3]\nkind = \"refuse\"\n[expect]\n{expect}\n"
    )
}

fn play(text: &str) -> RunReport {
    let story = scenario::parse(text, "s.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
    story.run_blocking().unwrap_or_else(|error| panic!("the story must run: {error}"))
}

fn results<'a>(report: &'a RunReport, name: &str) -> Vec<&'a ExpectationReport> {
    report.expectations.iter().filter(|e| e.check == name).collect()
}

#[test]
fn latency_of_all_calls_counts_a_timeout_at_its_deadline() {
    let report = play(&hanging(
        "latency = [\n  { percentile = 99, under = \"250ms\" },\n  \
         { percentile = 99, under = \"250ms\", of = \"all\" },\n  \
         { percentile = 50, under = \"250ms\", of = \"all\" },\n]",
    ));
    let latency = results(&report, "latency");
    assert!(
        latency[0].passed,
        "the OK calls never wait (no latency model): their p99 is under 250 ms (seed 5)\n{report}"
    );
    assert!(
        !latency[1].passed,
        "a third of all calls time out at the 300 ms deadline: p99 of all calls is the \
         deadline, not under 250 ms (seed 5)\n{report}"
    );
    let p99 = latency[1].measured["latency ms"];
    assert!(
        (300.0..=300.3).contains(&p99),
        "a timed-out call counts at its deadline, 300 ms (HDR reads at most 0.1 % high), not at \
         its measured end: got {p99} (seed 5)\n{report}"
    );
    let timed_out = latency[1].measured["timed out"];
    assert!(
        timed_out > 2.0 && latency[1].measured["calls"] == 200.0,
        "backend 2's calls time out until round robin ejects it: more than 1 % of the 200 \
         calls, so p99 lands on a timeout; all 200 are counted: {timed_out} (seed 5)\n{report}"
    );
    assert!(
        latency[1]
            .rule
            .contains("p99 latency of all calls, a timed-out call at its 300ms deadline"),
        "the rule says which calls and how a timeout counts: {}",
        latency[1].rule
    );
    assert!(latency[2].passed, "two thirds of the calls are fast: p50 of all is\n{report}");
}

#[test]
fn convergence_over_a_chosen_set_leaves_an_announced_bad_backend_out() {
    let every = play(&added_but_bad("convergence = { settle = \"500ms\" }"));
    let judged = results(&every, "convergence")[0];
    assert!(
        !judged.passed && judged.measured["members never reached"] == 1.0,
        "backend 3 refuses every connection: a good client never reaches it, so convergence \
         over every announced backend fails (seed 5)\n{every}"
    );
    let chosen = play(&added_but_bad("convergence = { backends = [0, 1, 2] }"));
    let judged = results(&chosen, "convergence")[0];
    assert!(
        judged.passed,
        "the calls after the change reach exactly backends 0, 1 and 2, the chosen set, and \
         each of them (seed 5)\n{chosen}"
    );
    let fewer = play(&added_but_bad("convergence = { backends = [0, 1] }"));
    let judged = results(&fewer, "convergence")[0];
    assert!(
        !judged.passed && judged.measured["calls outside the set"] > 0.0,
        "backend 2 keeps serving: calls reach a backend outside the chosen set (seed 5)\n{fewer}"
    );
}

#[rstest]
#[case::unknown_of(
    hanging("latency = [{ percentile = 99, under = \"1s\", of = \"al\" }]"),
    "s.toml:15:50: unknown `of` `al`; expected `ok` (the OK calls) or `all` (every call, a \
     timed-out one at its deadline); did you mean `all`?"
)]
#[case::all_on_one_backend(
    hanging("latency = [{ percentile = 99, under = \"1s\", backend = 1, of = \"all\" }]"),
    "s.toml:15:55: `backend` with `of = \"all\"`: a call that timed out or failed before a \
     backend answered names no backend; expected no `backend` (all calls, over every \
     backend), or `of = \"ok\"`"
)]
#[case::chosen_out_of_range(
    added_but_bad("convergence = { backends = [0, 4] }"),
    "s.toml:19:32: backend index 4 is out of range; expected an index in 0..4 (the cluster \
     has 4 backends)"
)]
#[case::chosen_not_announced(
    added_but_bad("convergence = { backends = [0, 1] }").replace("add = [3]", "remove = [1]"),
    "s.toml:19:32: backend 1 is not announced after the last discovery change; expected \
     backends announced then: [0, 2]"
)]
#[case::chosen_empty(
    added_but_bad("convergence = { backends = [] }"),
    "s.toml:19:28: `backends` lists no backend; expected the indexes of the backends the \
     calls must reach, at least one"
)]
#[case::chosen_twice(
    added_but_bad("convergence = { backends = [1, 1] }"),
    "s.toml:19:32: backend 1 is listed twice; expected each backend once"
)]
fn a_malformed_latency_of_or_chosen_set_is_refused_at_its_place(
    #[case] text: String,
    #[case] message: &str,
) {
    let error = scenario::parse(&text, "s.toml").expect_err("a malformed file must be refused");
    assert_eq!(
        error.to_string(),
        message,
        "the error names FILE:LINE:COLUMN and what was expected"
    );
}
