//! One malformed file per kind of mistake; each message names the place and what was expected.

use jostle_harness::scenario;
use rstest::rstest;

/// A valid scenario; each case replaces some of its lines (numbered from 1).
const BASE: [&str; 12] = [
    r#"name = "case""#,
    "[cluster]",
    "backends = 3",
    "[balancer]",
    r#"policy = "round_robin""#,
    "[load]",
    "rate = 100",
    r#"duration = "2s""#,
    "[[fault]]",
    "target = [1]",
    r#"kind = "restart""#,
    r#"down_for = "1s""#,
];

/// BASE with line `n` replaced by `text` (which may hold several lines, or none).
fn with(replacements: &[(usize, &str)]) -> String {
    let mut lines: Vec<&str> = BASE.to_vec();
    for (n, text) in replacements {
        lines[n - 1] = text;
    }
    lines.join("\n") + "\n"
}

#[test]
fn the_base_scenario_is_valid() {
    scenario::parse(&with(&[]), "case.toml").expect("the base of the malformed cases is valid");
}

#[rstest]
#[case::syntax_error(
    &[(2, "[cluster")],
    "case.toml:2:9: unclosed table; expected `]`"
)]
#[case::unknown_field(
    &[(3, "backend = 3")],
    "case.toml:3:1: unknown field `backend`; expected one of `backends`, `transport`, \
     `latency`, `latencies`; did you mean `backends`?"
)]
#[case::unknown_top_level_field(
    &[(1, "name = \"case\"\nseeds = 1")],
    "case.toml:2:1: unknown field `seeds`; expected one of `name`, `seed`, `cluster`, \
     `balancer`, `load`, `discovery`, `fault`, `expect`; did you mean `seed`?"
)]
#[case::wrong_type(
    &[(3, "backends = \"three\"")],
    "case.toml:3:12: invalid type: string \"three\"; expected a whole number"
)]
#[case::bad_duration(
    &[(8, "duration = \"2x\"")],
    "case.toml:8:12: bad duration \"2x\"; expected a duration like \"250ms\" or \"2s\" \
     (unknown unit `x`; units: ns, us, ms, s, m, h)"
)]
#[case::duration_written_as_a_number(
    &[(8, "duration = 2")],
    "case.toml:8:12: invalid type: integer `2`; expected a duration like \"250ms\" or \"2s\""
)]
#[case::zero_duration(
    &[(8, "duration = \"0s\"")],
    "case.toml:8:12: `duration` is zero; expected a duration above zero"
)]
#[case::probability_out_of_range(
    &[(11, "kind = \"status\""), (12, "code = \"Unavailable\"\nprobability = 1.5")],
    "case.toml:13:15: `probability` is 1.5; expected a probability in 0..=1"
)]
#[case::backend_index_out_of_range(
    &[(10, "target = [0, 3]")],
    "case.toml:10:14: backend index 3 is out of range; expected an index in 0..3 \
     (the cluster has 3 backends)"
)]
#[case::empty_timeline_target(
    &[(10, "target = []")],
    "case.toml:10:10: empty target list; expected at least one backend index, or \"all\""
)]
#[case::target_neither_list_nor_all(
    &[(10, "target = \"every\"")],
    "case.toml:10:10: invalid value: string \"every\"; \
     expected a list of backend indices like [0, 2], or \"all\""
)]
#[case::negative_rate(
    &[(7, "rate = -5")],
    "case.toml:7:8: `rate` is -5; expected calls per second in 0.001..=100000"
)]
#[case::zero_concurrency(
    &[(7, "concurrency = 0")],
    "case.toml:7:15: `concurrency` is 0; expected calls in flight in 1..=10000"
)]
#[case::both_rate_and_concurrency(
    &[(7, "rate = 100\nconcurrency = 4")],
    "case.toml:8:15: both `rate` and `concurrency` are set; expected one of them: \
     `rate` (calls started per second) or `concurrency` (calls in flight)"
)]
#[case::neither_duration_nor_calls(
    &[(8, "")],
    "case.toml:6:1: `[load]` sets neither `duration` nor `calls`; expected one of them: \
     `duration` (how long) or `calls` (how many)"
)]
#[case::zero_calls(
    &[(8, "calls = 0")],
    "case.toml:8:9: `calls` is 0; expected a number of calls in 1..=1000000"
)]
#[case::backends_out_of_range(
    &[(3, "backends = 0")],
    "case.toml:3:12: `backends` is 0; expected a number of backends in 1..=10000"
)]
#[case::unknown_transport(
    &[(3, "backends = 3\ntransport = \"tpc\"")],
    "case.toml:4:13: unknown transport `tpc`; expected `in-memory` or `tcp`; did you mean `tcp`?"
)]
#[case::unknown_balancer(
    &[(5, "policy = \"round_robbin\"")],
    "case.toml:5:10: unknown balancer `round_robbin`; expected one of `round_robin`, `random`, \
     `least_outstanding`, `p2c`, `pick_first`, `weighted_round_robin`, `tonic_balance_list`, \
     `round_robin_dialer` or `fallback_dialer`; did you mean `round_robin`?"
)]
#[case::jostle_option_on_a_dialer(
    &[(5, "policy = \"round_robin_dialer\"\nwait_for_ready = true")],
    "case.toml:6:18: `wait_for_ready` applies to jostle policies only, not to \
     `round_robin_dialer`; expected no `wait_for_ready`, or a jostle policy: `round_robin`, \
     `random`, `least_outstanding`, `p2c`, `pick_first` or `weighted_round_robin`"
)]
#[case::tonic_balancer_in_memory(
    &[(5, "policy = \"tonic_balance_list\"")],
    "case.toml:5:10: `tonic_balance_list` runs on tcp only (tonic's balancer takes endpoints, \
     not connectors), and this story runs in memory; expected `transport = \"tcp\"` in \
     [cluster], or another balancer"
)]
#[case::empty_name(
    &[(1, "name = \" \"")],
    "case.toml:1:8: the name is empty; expected a one-line story name"
)]
#[case::unknown_fault(
    &[(11, "kind = \"refuze\""), (12, "")],
    "case.toml:11:8: unknown fault `refuze`; expected one of `refuse`, `reset`, `blackhole`, \
     `blackhole-connect`, `connect-delay`, `connection-age`, `drain`, `restart`, `terminate`, \
     `flap`, `delay`, `status`, `hang` or `stream-break`; did you mean `refuse`?"
)]
#[case::parameter_the_fault_does_not_take(
    &[(11, "kind = \"delay\"")],
    "case.toml:12:12: fault `delay` takes no parameter `down_for`; expected its parameters: \
     `delay`, `min`, `max`, `base`, `jitter` or `phase`"
)]
#[case::missing_fault_parameter(
    &[(12, "")],
    "case.toml:11:8: fault `restart` is missing a parameter; expected `down_for`, a duration"
)]
#[case::flap_down_longer_than_period(
    &[(11, "kind = \"flap\"\nperiod = \"1s\""), (12, "down_for = \"2s\"")],
    "case.toml:13:12: `down_for` is 2s; expected less than the period (1s)"
)]
#[case::lasting_on_a_one_shot_fault(
    &[(12, "down_for = \"1s\"\nfor = \"3s\"")],
    "case.toml:13:7: fault `restart` happens once, so `for` means nothing; \
     expected no `for` on a one-shot fault (drain, restart)"
)]
#[case::unknown_status_code(
    &[(11, "kind = \"status\""), (12, "code = \"Unavailabel\"\nnext_calls = 3")],
    "case.toml:12:8: unknown status code `Unavailabel`; expected a failing gRPC code: \
     `Cancelled`, `Unknown`, `InvalidArgument`, `DeadlineExceeded`, `NotFound`, \
     `AlreadyExists`, `PermissionDenied`, `ResourceExhausted`, `FailedPrecondition`, \
     `Aborted`, `OutOfRange`, `Unimplemented`, `Internal`, `Unavailable`, `DataLoss` or \
     `Unauthenticated`; did you mean `Unavailable`?"
)]
#[case::unknown_outcome(
    &[(12, "down_for = \"1s\"\n[expect]\noutcome = \"fial\"")],
    "case.toml:14:11: unknown outcome `fial`; expected `pass` or `fail`; did you mean `fail`?"
)]
#[case::missing_section(
    &[(6, ""), (7, ""), (8, "")],
    "case.toml:1:1: missing field `load`; expected `load` in this table"
)]
#[case::duplicate_key(
    &[(7, "rate = 100\nrate = 200")],
    "case.toml:8:1: duplicate key; expected each key once"
)]
#[case::discovery_index_out_of_range(
    &[(12, "down_for = \"1s\"\n[discovery]\ninitial = [0, 3]")],
    "case.toml:14:15: backend index 3 is out of range; expected an index in 0..3 (the cluster has 3 backends)"
)]
#[case::discovery_backend_listed_twice(
    &[(12, "down_for = \"1s\"\n[discovery]\ninitial = [0, 0]")],
    "case.toml:14:15: backend 0 is listed twice; expected each backend once"
)]
#[case::discovery_changes_out_of_order(
    &[(12, "down_for = \"1s\"\n[[discovery.change]]\nat = \"1500ms\"\nadd = [2]\n[[discovery.change]]\nat = \"1s\"\nremove = [0]")],
    "case.toml:17:6: this change at 1s comes before the one above it (1.5s); expected changes in time order"
)]
#[case::discovery_change_of_nothing(
    &[(12, "down_for = \"1s\"\n[[discovery.change]]\nat = \"1s\"")],
    "case.toml:13:1: a change that adds and removes nothing; expected `add` or `remove` (or both), or `set`: lists of backend indices"
)]
#[case::discovery_added_and_removed(
    &[(12, "down_for = \"1s\"\n[[discovery.change]]\nat = \"1s\"\nadd = [2]\nremove = [2]")],
    "case.toml:13:1: backend 2 is both added and removed; expected each backend in `add` or in `remove`"
)]
#[case::discovery_unknown_field(
    &[(12, "down_for = \"1s\"\n[discovery]\nintial = [0]")],
    "case.toml:14:1: unknown field `intial`; expected one of `initial`, `via`, `ttl`, `min_ttl`, `change`; did you mean `initial`?"
)]
#[case::discovery_unknown_via(
    &[(12, "down_for = \"1s\"\n[discovery]\nvia = \"dsn\"")],
    "case.toml:14:7: unknown discovery path `dsn`; expected `stream` or `dns`; did you mean `dns`?"
)]
#[case::discovery_ttl_out_of_range(
    &[(12, "down_for = \"1s\"\n[discovery]\nvia = \"dns\"\nttl = \"2h\"")],
    "case.toml:15:7: `ttl` is 7200s; expected a TTL from \"0s\" to \"1h\" (CoreDNS's range)"
)]
#[case::discovery_min_ttl_out_of_range(
    &[(12, "down_for = \"1s\"\n[discovery]\nvia = \"dns\"\nmin_ttl = \"10ms\"")],
    "case.toml:15:11: `min_ttl` is 10ms; expected a duration from \"100ms\" to \"300s\""
)]
#[case::discovery_ttl_without_dns(
    &[(12, "down_for = \"1s\"\n[discovery]\nttl = \"5s\"")],
    "case.toml:14:7: `ttl` without DNS discovery; expected `via = \"dns\"` beside it, or no `ttl`"
)]
#[case::discovery_min_ttl_with_the_stream(
    &[(12, "down_for = \"1s\"\n[discovery]\nvia = \"stream\"\nmin_ttl = \"1s\"")],
    "case.toml:15:11: `min_ttl` without DNS discovery; expected `via = \"dns\"` beside it, or no `min_ttl`"
)]
#[case::discovery_set_beside_add(
    &[(12, "down_for = \"1s\"\n[[discovery.change]]\nat = \"1s\"\nset = [0, 1]\nadd = [2]")],
    "case.toml:16:7: `add` beside `set`; expected either `set` (the whole announced set from then on) or `add`/`remove`, not both"
)]
#[case::discovery_set_beside_remove(
    &[(12, "down_for = \"1s\"\n[[discovery.change]]\nat = \"1s\"\nremove = []\nset = [0, 1]")],
    "case.toml:15:10: `remove` beside `set`; expected either `set` (the whole announced set from then on) or `add`/`remove`, not both"
)]
#[case::discovery_set_of_what_is_announced(
    &[(12, "down_for = \"1s\"\n[[discovery.change]]\nat = \"1s\"\nset = [2, 1, 0]")],
    "case.toml:15:7: this `set` is the set already announced; expected a set other than the one announced before it, [0, 1, 2]"
)]
#[case::discovery_set_out_of_range(
    &[(12, "down_for = \"1s\"\n[[discovery.change]]\nat = \"1s\"\nset = [0, 3]")],
    "case.toml:15:11: backend index 3 is out of range; expected an index in 0..3 (the cluster has 3 backends)"
)]
#[case::failure_rate_from_alone(
    &[(12, "down_for = \"1s\"\n[expect]\nfailure_rate_from = \"1s\"")],
    "case.toml:14:21: `failure_rate_from` without `max_failure_rate` or `min_failure_rate`; expected `max_failure_rate` or `min_failure_rate` beside it"
)]
#[case::unknown_distribution(
    &[(12, "down_for = \"1s\"\n[expect]\ndistribution = \"evne\"")],
    "case.toml:14:16: unknown distribution `evne`; expected `exact-cycle` or `even`; did you mean `even`?"
)]
#[case::convergence_without_a_change(
    &[(12, "down_for = \"1s\"\n[expect]\nconvergence = { settle = \"1s\" }")],
    "case.toml:14:15: `convergence` with no discovery change to converge to; expected a `[[discovery.change]]`, or no `convergence`"
)]
#[case::recovery_of_an_unknown_backend(
    &[(12, "down_for = \"1s\"\n[expect]\nrecovery = { backend = 5, within = \"1s\", at_least = 0.5 }")],
    "case.toml:14:24: backend index 5 is out of range; expected an index in 0..3 (the cluster has 3 backends)"
)]
#[case::recovery_within_zero(
    &[(12, "down_for = \"1s\"\n[expect]\nrecovery = { backend = 1, within = \"0s\", at_least = 0.5 }")],
    "case.toml:14:36: `within` is zero; expected a duration above zero"
)]
#[case::flaw_naming_an_unknown_check(
    &[(12, "down_for = \"1s\"\n[expect]\noutcome = \"fail\"\nfails = [\"sahre\"]")],
    "case.toml:15:10: unknown check `sahre`; expected one of `accounting`, `distribution`, `failure-rate`, `min-failure-rate`, `codes`, `share`, `max-share`, `served-nothing`, `fallback`, `fail-fast`, `recovery`, `convergence`, `only-announced`, `timeout`, `latency`, `connections`, `avoidable-failures`, `settled` or `leak-free`; did you mean `share`?"
)]
#[case::flaw_naming_a_check_not_run(
    &[(12, "down_for = \"1s\"\n[expect]\noutcome = \"fail\"\nfails = [\"share\"]")],
    "case.toml:15:10: check `share` is not one this story runs; expected one of its checks: `accounting`"
)]
#[case::flaw_naming_no_check(
    &[(12, "down_for = \"1s\"\n[expect]\noutcome = \"fail\"")],
    "case.toml:14:11: a story of a flaw that does not name the checks it makes fail; expected `fails = [...]` beside it, with some of `accounting`"
)]
#[case::fails_in_a_story_expected_to_pass(
    &[(12, "down_for = \"1s\"\n[expect]\nfails = [\"accounting\"]")],
    "case.toml:14:9: `fails` in a story that expects every check to hold; expected `outcome = \"fail\"` beside it, or no `fails`"
)]
#[case::unknown_status_code_in_codes(
    &[(12, "down_for = \"1s\"\n[expect]\ncodes = [\"Unavailabel\"]")],
    "case.toml:14:10: unknown status code `Unavailabel`; expected a failing gRPC code: `Cancelled`, `Unknown`, `InvalidArgument`, `DeadlineExceeded`, `NotFound`, `AlreadyExists`, `PermissionDenied`, `ResourceExhausted`, `FailedPrecondition`, `Aborted`, `OutOfRange`, `Unimplemented`, `Internal`, `Unavailable`, `DataLoss` or `Unauthenticated`; did you mean `Unavailable`?"
)]
#[case::codes_listing_nothing(
    &[(12, "down_for = \"1s\"\n[expect]\ncodes = []")],
    "case.toml:14:9: `codes` lists no code; expected at least one gRPC code a call may fail with (for no failure at all: `max_failure_rate = 0`)"
)]
#[case::code_listed_twice(
    &[(12, "down_for = \"1s\"\n[expect]\ncodes = [\"Unavailable\", \"UNAVAILABLE\"]")],
    "case.toml:14:25: code `Unavailable` is listed twice; expected each code once"
)]
#[case::split_with_a_share_per_backend_missing(
    &[(12, "down_for = \"1s\"\n[expect]\nsplit = { shares = [0.5, 0.5] }")],
    "case.toml:14:20: 2 shares for 3 backends; expected one share per backend, in index order"
)]
#[case::split_not_summing_to_one(
    &[(12, "down_for = \"1s\"\n[expect]\nsplit = { shares = [0.5, 0.5, 0.5] }")],
    "case.toml:14:20: the shares sum to 1.5; expected shares that sum to 1"
)]
#[case::split_beside_distribution(
    &[(12, "down_for = \"1s\"\n[expect]\ndistribution = \"even\"\nsplit = { shares = [0.5, 0.25, 0.25] }")],
    "case.toml:14:16: both `distribution` and `split` are set; expected one of them: `distribution` (\"exact-cycle\" or \"even\") or `split` (shares of your own)"
)]
#[case::split_power_out_of_range(
    &[(12, "down_for = \"1s\"\n[expect]\nsplit = { shares = [0.5, 0.25, 0.25], power = 1.0 }")],
    "case.toml:14:47: `power` is 1; expected a probability strictly between 0 and 1"
)]
#[case::fail_fast_within_zero(
    &[(12, "down_for = \"1s\"\n[expect]\nfail_fast = { within = \"0s\" }")],
    "case.toml:14:24: `within` is zero; expected a duration above zero"
)]
#[case::recovery_bound_under_the_fair_share(
    &[(12, "down_for = \"1s\"\n[expect]\nrecovery = { backend = 1, within = \"1s\", at_least = 0.5, at_most = 0.5 }")],
    "case.toml:14:68: `at_most` is 0.5; expected a multiple of the fair share in 1..=1000 (2 for twice its fair share)"
)]
#[case::recovery_window_without_a_bound(
    &[(12, "down_for = \"1s\"\n[expect]\nrecovery = { backend = 1, within = \"1s\", at_least = 0.5, window = \"100ms\" }")],
    "case.toml:14:67: `window` without `at_most`; expected `at_most` beside it (the multiple of the fair share a window may reach)"
)]
#[case::connections_in_all_and_per_thousand(
    &[(12, "down_for = \"1s\"\n[expect]\nmax_connections = 5\nconnections_per_1000_calls = 2")],
    "case.toml:14:19: both `max_connections` and `connections_per_1000_calls` are set; expected one of them: connections in all, or per 1,000 calls"
)]
#[case::connections_per_thousand_zero(
    &[(12, "down_for = \"1s\"\n[expect]\nconnections_per_1000_calls = 0")],
    "case.toml:14:30: `connections_per_1000_calls` is 0; expected a number of connections above 0 and at most 1000"
)]
#[case::only_announced_unknown_field(
    &[(12, "down_for = \"1s\"\n[expect]\nonly_announced = { grcae = \"1s\" }")],
    "case.toml:14:20: unknown field `grcae`; expected `grace`; did you mean `grace`?"
)]
#[case::no_clients(
    &[(8, "duration = \"2s\"\nclients = 0")],
    "case.toml:9:11: `clients` is 0; expected a number of clients in 1..=1000"
)]
#[case::clients_beyond_the_call_limit(
    &[(7, "rate = 1000"), (8, "duration = \"2s\"\nclients = 1000")],
    "case.toml:6:1: 1000 clients of this load make up to 2000000 calls; expected at most 1000000 calls over all clients (docs/SCENARIOS.md, \"Limits\")"
)]
#[case::clients_times_backends_beyond_the_connection_limit(
    &[(3, "backends = 20"), (8, "duration = \"2s\"\nclients = 501")],
    "case.toml:9:11: 501 clients × 20 backends may open 10020 connections; expected at most 10000 connections, clients × backends (about 70 KB each; docs/SCENARIOS.md, \"Limits\")"
)]
#[case::clients_times_concurrency_beyond_the_in_flight_limit(
    &[(7, "concurrency = 200"), (8, "calls = 1000\nclients = 600")],
    "case.toml:9:11: 600 clients × `concurrency` 200 keep 120000 calls in flight; expected at most 100000 calls in flight over all clients (docs/SCENARIOS.md, \"Limits\")"
)]
#[case::fail_fast_for_calls_that_wait(
    &[(5, "policy = \"round_robin\"\nwait_for_ready = true"), (12, "down_for = \"1s\"\n[expect]\nfail_fast = { within = \"1ms\" }")],
    "case.toml:15:13: `fail_fast` with `wait_for_ready = true`: calls wait for a ready backend; expected `wait_for_ready = false` in [balancer], or no `fail_fast`"
)]
#[case::settled_bound_under_the_fair_share(
    &[(12, "down_for = \"1s\"\n[expect]\nsettled = { after = \"1s\", at_most = 0.5 }")],
    "case.toml:14:37: `at_most` is 0.5; expected a multiple of the fair share in 1..=10000 (2 for twice its fair share; the number of backends for no upper bound)"
)]
#[case::settled_least_share_over_one(
    &[(12, "down_for = \"1s\"\n[expect]\nsettled = { at_least = 1.5 }")],
    "case.toml:14:24: `at_least` is 1.5; expected a fraction in 0..=1 (0.2 for 20 %)"
)]
#[case::avoidable_failures_unknown_field(
    &[(12, "down_for = \"1s\"\n[expect]\navoidable_failures = { grcae = \"1s\" }")],
    "case.toml:14:24: unknown field `grcae`; expected `grace`; did you mean `grace`?"
)]
fn a_malformed_scenario_names_the_place_and_what_was_expected(
    #[case] replacements: &[(usize, &str)],
    #[case] message: &str,
) {
    let text = with(replacements);
    let error = scenario::parse(&text, "case.toml")
        .expect_err("a malformed scenario must be rejected, not accepted");
    assert_eq!(
        error.to_string(),
        message,
        "the error must name FILE:LINE:COLUMN and what was expected; the file was:\n{text}"
    );
}

#[rstest]
#[case::latency_as_a_duration(&[(3, "backends = 3\nlatency = \"8ms\"")], "a table with `base`")]
#[case::balancer_as_a_string(
    &[(1, "name = \"case\"\nbalancer = \"round_robin\""), (4, ""), (5, "")],
    "a table with the fields"
)]
#[case::fault_as_a_number(
    &[(1, "name = \"case\"\nfault = [3]"), (9, ""), (10, ""), (11, ""), (12, "")],
    "a table with the fields"
)]
fn a_value_of_the_wrong_shape_is_named_in_words_never_by_an_internal_type(
    #[case] replacements: &[(usize, &str)],
    #[case] expected: &str,
) {
    let text = with(replacements);
    let error = scenario::parse(&text, "case.toml")
        .expect_err("a value of the wrong shape must be rejected")
        .to_string();
    assert!(
        error.contains(expected) && !error.contains("Raw") && !error.contains("struct"),
        "the error must say in words what is expected (`{expected}`), never an internal type \
         name; got {error}"
    );
}
