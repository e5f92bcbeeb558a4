//! Each check fails for the reason it exists, on a whole run: a broken balancer or a story
//! that breaks the rule. The checks other tests already see fail are listed, by test, in
//! docs/CLAIMS.md; these are the ones no other test saw fail in the direction of their rule.
//!
//! Rerun: `cargo test -p jostle-harness --test harness every_check`.

use crate::wrap::{answer, pass, wrap};
use http::Response;
use jostle::balance::policy::RoundRobin;
use jostle::balance::{BalanceConfig, BalancedChannel};
use jostle_harness::channel::{BoxChannel, BoxError, Target, boxed};
use jostle_harness::report::{ExpectationReport, RunReport};
use jostle_harness::scenario::{self, Scenario};
use jostle_harness::service::Orders;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tonic::body::Body;

fn fixture(file: &str) -> Scenario {
    let path =
        [env!("CARGO_MANIFEST_DIR"), "..", "fixtures", file].iter().collect::<std::path::PathBuf>();
    scenario::load(path).unwrap_or_else(|error| panic!("fixtures/{file} must load: {error}"))
}

fn play(scenario: &Scenario) -> RunReport {
    scenario.run_blocking().unwrap_or_else(|error| panic!("{} must run: {error}", scenario.name()))
}

fn check<'a>(report: &'a RunReport, name: &str) -> &'a ExpectationReport {
    report
        .expectations
        .iter()
        .find(|e| e.check == name)
        .unwrap_or_else(|| panic!("{name} must be judged:\n{report}"))
}

/// jostle's round robin over `changes`, failing fast when nothing is ready.
fn round_robin(target: &Target, changes: jostle::discover::Changes) -> BoxChannel {
    let config = BalanceConfig {
        wait_for_ready: false,
        seed: Some(target.seed),
        ..BalanceConfig::default()
    };
    boxed(
        BalancedChannel::builder()
            .balancer(RoundRobin::new())
            .config(config)
            .build(changes, target.connector.clone()),
    )
}

/// What a [`Doctored`] channel does to the calls of the channel it wraps.
#[derive(Clone, Copy)]
enum Harm {
    /// Answers the calls of these indices (counted from 0) with this code itself.
    Fail(&'static [u64], tonic::Code),
    /// Sends the calls of these indices to an order service outside the cluster.
    Impostor(&'static [u64]),
    /// Hands a failed call's answer back this much later.
    LateFailures(Duration),
}

/// Whether an answer is a failure: an error, or a gRPC status other than OK in its headers.
fn failed(answer: &Result<Response<Body>, BoxError>) -> bool {
    answer.as_ref().map_or(true, |response| {
        response.headers().get("grpc-status").is_some_and(|status| status.as_bytes() != b"0")
    })
}

/// `inner`, broken on purpose in one named way.
fn doctored(inner: BoxChannel, harm: Harm) -> BoxChannel {
    let calls = Arc::new(AtomicU64::new(0));
    wrap(inner, move |inner, request| {
        let index = calls.fetch_add(1, Ordering::Relaxed);
        match harm {
            Harm::Fail(indices, code) if indices.contains(&index) => {
                answer(tonic::Status::new(code, "failed on purpose"))
            }
            Harm::Impostor(indices) if indices.contains(&index) => {
                let call =
                    tower::Service::call(&mut Orders::new("impostor").into_server(), request);
                Box::pin(async move { call.await.map_err(Into::into) })
            }
            Harm::Fail(..) | Harm::Impostor(_) => pass(inner, request),
            Harm::LateFailures(late) => {
                let call = pass(inner, request);
                Box::pin(async move {
                    let answer = call.await;
                    if failed(&answer) {
                        tokio::time::sleep(late).await;
                    }
                    answer
                })
            }
        }
    })
}

#[test]
fn fail_fast_fails_a_channel_that_hands_its_failures_back_late_while_nothing_is_up() {
    let story = fixture("grpc-go-addresses-removed.toml").against("late", |target: &Target| {
        doctored(
            round_robin(target, target.changes()),
            Harm::LateFailures(Duration::from_millis(50)),
        )
    });
    let report = play(&story);
    let fail_fast = check(&report, "fail-fast");
    assert!(
        !fail_fast.passed && fail_fast.explanation.contains("failed slower than 1ms"),
        "calls failing 50 ms late while every address is withdrawn break fail-fast's 1 ms bound \
         (seed 41):\n{report}"
    );
}

#[test]
fn codes_fails_a_channel_answering_a_code_the_story_does_not_allow_and_names_it() {
    let story = fixture("grpc-go-addresses-removed.toml").against("internal", |target: &Target| {
        doctored(round_robin(target, target.changes()), Harm::Fail(&[10], tonic::Code::Internal))
    });
    let report = play(&story);
    let codes = check(&report, "codes");
    assert!(
        !codes.passed && codes.explanation.contains("Internal 1"),
        "only Unavailable is allowed; one call answered Internal must fail codes, named \
         (seed 41):\n{report}"
    );
}

#[test]
fn accounting_fails_a_channel_whose_ok_calls_no_backend_of_the_cluster_served() {
    let story = fixture("battery/connection-storm.toml").against("impostor", |target: &Target| {
        doctored(round_robin(target, target.changes()), Harm::Impostor(&[100]))
    });
    let report = play(&story);
    let accounting = check(&report, "accounting");
    assert!(
        !accounting.passed && accounting.explanation.contains("the backends completed only"),
        "one OK answer came from outside the cluster: the client's OK calls outnumber the \
         backends' (seed in fixtures/battery/connection-storm.toml):\n{report}"
    );
}

#[test]
fn only_announced_fails_a_balancer_that_ignores_discovery() {
    let story = fixture("grpc-go-addresses-removed.toml").against("deaf", |target: &Target| {
        round_robin(target, jostle::discover::fixed(target.addresses.clone()))
    });
    let report = play(&story);
    let only = check(&report, "only-announced");
    assert!(
        !only.passed && only.explanation.contains("not told about"),
        "a balancer that keeps every address after all were withdrawn at 2 s sends calls to \
         backends it was not told about (seed 41):\n{report}"
    );
}

#[test]
fn connection_storm_fails_a_balancer_that_fails_two_of_its_thousand_calls() {
    let story = fixture("battery/connection-storm.toml").against("two-lost", |target: &Target| {
        doctored(
            round_robin(target, target.changes()),
            Harm::Fail(&[300, 700], tonic::Code::Unavailable),
        )
    });
    let report = play(&story);
    let rate = check(&report, "failure-rate");
    assert!(
        !rate.passed && rate.explanation.contains("2 of 1000"),
        "healthy backends and calls one at a time: no call may fail, 2 did:\n{report}"
    );
}

/// Calls over two backends, judged against `shares` with a 20 % skew to detect.
fn split(shares: &str) -> Scenario {
    let text = format!(
        "name = \"split\"\nseed = 5\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n\
         [load]\nconcurrency = 2\ncalls = 4000\n[expect]\n\
         split = {{ shares = {shares}, min_skew = 0.2 }}\n"
    );
    scenario::parse(&text, "split.toml").unwrap()
}

#[test]
fn split_fails_a_round_robin_judged_against_an_uneven_split_and_passes_it_against_an_even_one() {
    let even = play(&split("[0.5, 0.5]"));
    assert!(check(&even, "distribution").passed, "round robin splits 2 backends evenly:\n{even}");
    let uneven = play(&split("[0.75, 0.25]"));
    let distribution = check(&uneven, "distribution");
    assert!(
        !distribution.passed && distribution.explanation.contains("is not"),
        "round robin's even split is not 75/25, on enough calls to say so (seed 5):\n{uneven}"
    );
}

/// Two backends, backend 1 refusing from 1 s (for `lasting`, or to the end), judged settled.
fn settling(lasting: &str) -> Scenario {
    let text = format!(
        "name = \"settled\"\nseed = 9\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n\
         backoff = {{ initial = \"100ms\", max = \"1s\" }}\n\
         [load]\nrate = 100\nduration = \"4s\"\ndeadline = \"500ms\"\n\
         [[fault]]\nat = \"1s\"\ntarget = [1]\nkind = \"refuse\"\n{lasting}\
         [expect]\nsettled = {{ after = \"1s\", at_least = 0.5, at_most = 2.0 }}\n"
    );
    scenario::parse(&text, "settled.toml").unwrap()
}

#[test]
fn settled_fails_a_run_whose_fault_holds_to_the_end() {
    let report = play(&settling(""));
    let settled = check(&report, "settled");
    assert!(
        !settled.passed && settled.explanation.contains("never settles"),
        "a refusal held to the end leaves nothing settled to judge: the check measured nothing \
         (seed 9):\n{report}"
    );
}

#[test]
fn settled_fails_a_channel_with_no_ok_call_once_all_is_quiet() {
    // It connects and sends (a channel that never connects is stopped as unreached), and
    // answers every call UNAVAILABLE whatever the backend said.
    let story = settling("for = \"500ms\"\n").against("always-down", |target: &Target| {
        let inner = round_robin(target, target.changes());
        boxed(tower::ServiceExt::map_response(inner, |_| {
            tonic::Status::unavailable("down").into_http()
        }))
    });
    let report = play(&story);
    let settled = check(&report, "settled");
    assert!(
        !settled.passed && settled.explanation.contains("no OK call started"),
        "a channel failing every call serves nothing once all is quiet (seed 9):\n{report}"
    );
    let correct = play(&settling("for = \"500ms\"\n"));
    assert!(check(&correct, "settled").passed, "round robin settles after the refusal:\n{correct}");
}

#[test]
fn recovery_says_added_for_a_backend_discovery_added() {
    let story = fixture("battery/add-remove.toml").against("deaf", |target: &Target| {
        round_robin(target, jostle::discover::fixed(target.addresses[..2].to_vec()))
    });
    let report = play(&story);
    let recovery = check(&report, "recovery");
    assert!(
        !recovery.passed
            && recovery.rule.contains("a backend added at")
            && recovery.explanation.contains("backend-2 never served a call after it was added"),
        "backend-2 is added at 1 s, not back from a fault, and a balancer that never hears of \
         it never serves it:\n{report}"
    );
}

#[tokio::test]
#[should_panic(expected = "Target::changes() taken twice")]
async fn a_second_take_of_a_targets_discovery_stream_fails_loudly() {
    let cluster = jostle_harness::cluster::Cluster::builder().backends(1).start().await.unwrap();
    let addresses = cluster.addresses();
    let target =
        Target::new(addresses.clone(), cluster.connector(), jostle::discover::fixed(addresses));
    let _first = target.changes();
    let _second = target.changes();
}
