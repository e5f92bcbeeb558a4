//! `fail-fast` judges a call only when the client can know that nothing is up: a correct
//! balancer (gRPC's semantics: a call waits over a READY connection, or while a first
//! connection attempt is CONNECTING, and fails at once only in TRANSIENT_FAILURE) passes
//! stories in which backends are taken down around connections it still holds or attempts it
//! still makes, and a balancer that waits for its deadline while the client knows nothing is
//! up still fails.
//!
//! Before `check::KnownDown`, the check counted a backend as down whenever a `refuse`,
//! `reset`, `restart`, `terminate` or `flap` window was open at a call's start, and read only
//! the announced set: the first four stories made it fail correct balancers.
//!
//! Rerun: `cargo test -p jostle-harness --test harness scenarios::fail_fast`.

use jostle::balance::policy::RoundRobin;
use jostle::balance::{BalanceConfig, BalancedChannel};
use jostle_harness::channel::{Target, boxed};
use jostle_harness::report::{ExpectationReport, RunReport};
use jostle_harness::scenario::{self, Scenario};
use std::time::Duration;
use tonic::transport::Endpoint;
use tower::Service;

fn story(text: &str) -> Scenario {
    scenario::parse(text, "story.toml").unwrap_or_else(|error| panic!("the story parses: {error}"))
}

fn play(scenario: &Scenario) -> RunReport {
    scenario.run_blocking().unwrap_or_else(|error| panic!("{} must run: {error}", scenario.name()))
}

fn fail_fast(report: &RunReport) -> &ExpectationReport {
    report
        .expectations
        .iter()
        .find(|e| e.check == "fail-fast")
        .unwrap_or_else(|| panic!("fail-fast must be judged:\n{report}"))
}

/// Two backends; from 1 s backend 0 is crashed for good and backend 1 refuses new connections
/// and never answers a call; from 2 s backend 1 is crashed too. Between 1 s and 2 s the
/// client's connection to backend 1, made before the refusal, is READY: calls go over it and
/// end at their deadline, as gRPC's do.
const REFUSED_OVER_AN_OPEN_CONNECTION: &str = r#"
name = "a refusal over an open connection that hangs, then a crash"
seed = 7
[cluster]
backends = 2
[balancer]
policy = "round_robin"
profile = "PROFILE"
[load]
rate = 100
duration = "3s"
deadline = "200ms"
warm_up = "100ms"
[[fault]]
at = "1s"
target = [0]
kind = "restart"
down_for = "1h"
[[fault]]
at = "1s"
target = [1]
kind = "refuse"
[[fault]]
at = "1s"
target = [1]
kind = "hang"
[[fault]]
at = "2s"
target = [1]
kind = "restart"
down_for = "1h"
[expect]
fail_fast = { within = "10ms" }
"#;

#[test]
fn a_refusal_over_a_connection_the_client_still_holds_is_not_nothing_up() {
    for profile in ["grpc", "jostle"] {
        let report = play(&story(&REFUSED_OVER_AN_OPEN_CONNECTION.replace("PROFILE", profile)));
        assert!(
            report.calls.timed_out >= 2,
            "the story must send calls over the open connection to the hung backend, which \
             time out (profile {profile}, seed 7):\n{report}"
        );
        let check = fail_fast(&report);
        let measured = check.measured["failed calls while nothing was up"];
        assert!(
            check.passed && (95.0..=115.0).contains(&measured),
            "calls over a READY connection to a refusing backend may wait for their deadline; \
             fail-fast judges the calls from the second crash on (about 110), each failing at \
             once; measured {measured} (profile {profile}, seed 7):\n{report}"
        );
    }
}

/// One backend that never answers a call from 500 ms; a SIGTERM at 1 s with a 300 ms grace.
/// The call started at the SIGTERM's very instant is sent before the client reads the GOAWAY
/// and runs until the grace resets it; calls after it are refused a connection at once.
const A_CALL_AT_THE_GOAWAY: &str = r#"
name = "a call handed over at the instant of a SIGTERM"
seed = 8
[cluster]
backends = 1
[balancer]
policy = "round_robin"
[load]
rate = 100
duration = "2s"
deadline = "1s"
warm_up = "100ms"
[[fault]]
at = "500ms"
target = [0]
kind = "hang"
[[fault]]
at = "1s"
target = [0]
kind = "terminate"
grace = "300ms"
[expect]
fail_fast = { within = "10ms" }
"#;

#[test]
fn a_call_made_at_the_instant_of_a_goaway_may_run_on_over_the_old_connection() {
    let report = play(&story(A_CALL_AT_THE_GOAWAY));
    let check = fail_fast(&report);
    let measured = check.measured["failed calls while nothing was up"];
    assert!(
        check.passed && (95.0..=110.0).contains(&measured),
        "the call made as the GOAWAY goes out runs until the grace ends; the calls after it \
         (about 109) fail at once and are judged; measured {measured} (seed 8):\n{report}"
    );
}

/// Backend 0 announced at first; at 1 s the announced set becomes backend 1 only, which
/// resets every connection from 500 ms, and whose connects take 300 ms until 1.5 s. The
/// client's first attempt at backend 1 is CONNECTING for 300 ms: calls wait for it, as gRPC's
/// do, then fail. From 1.8 s no connect can still be held up, and calls fail at once.
const CONNECTING_TO_A_NEW_BACKEND: &str = r#"
name = "a first connection attempt held up, to a backend that resets it"
seed = 9
[cluster]
backends = 2
[balancer]
policy = "round_robin"
[load]
rate = 100
duration = "2500ms"
deadline = "1s"
warm_up = "100ms"
[discovery]
initial = [0]
[[discovery.change]]
at = "1s"
set = [1]
[[fault]]
at = "500ms"
target = [1]
kind = "reset"
[[fault]]
at = "500ms"
target = [1]
kind = "connect-delay"
delay = "300ms"
for = "1s"
[expect]
fail_fast = { within = "10ms" }
"#;

#[test]
fn calls_may_wait_for_a_first_connection_attempt_that_a_connect_delay_holds_up() {
    let report = play(&story(CONNECTING_TO_A_NEW_BACKEND));
    let check = fail_fast(&report);
    let measured = check.measured["failed calls while nothing was up"];
    assert!(
        check.passed && (75.0..=85.0).contains(&measured),
        "a call may wait while the first attempt at a new backend is CONNECTING; the calls \
         from 1.8 s (80) fail at once and are judged; measured {measured} (seed 9):\n{report}"
    );
}

/// Two backends, found through DNS by a client with gRPC's profile (it resolves again at most
/// every 30 s). At 1 s backend 0 is withdrawn and stops answering calls, and backend 1 is
/// crashed for good; at 2 s backend 0 is crashed too. Between 1 s and 2 s the client has not
/// heard of the withdrawal: its connection to backend 0 is READY and its calls there end at
/// their deadline.
const A_WITHDRAWAL_NOT_HEARD_OF: &str = r#"
name = "a withdrawal a DNS client has not heard of yet"
seed = 10
[cluster]
backends = 2
[balancer]
policy = "round_robin"
profile = "grpc"
[load]
rate = 100
duration = "3s"
deadline = "200ms"
warm_up = "100ms"
[discovery]
via = "dns"
ttl = "30s"
[[discovery.change]]
at = "1s"
remove = [0]
[[fault]]
at = "1s"
target = [0]
kind = "hang"
[[fault]]
at = "1s"
target = [1]
kind = "restart"
down_for = "1h"
[[fault]]
at = "2s"
target = [0]
kind = "restart"
down_for = "1h"
[expect]
fail_fast = { within = "10ms" }
"#;

#[test]
fn a_dns_client_may_still_send_calls_to_a_backend_withdrawn_since_it_last_resolved() {
    let report = play(&story(A_WITHDRAWAL_NOT_HEARD_OF));
    assert!(
        report.calls.timed_out >= 2,
        "the client must still send calls to the withdrawn, hung backend (seed 10):\n{report}"
    );
    let check = fail_fast(&report);
    let measured = check.measured["failed calls while nothing was up"];
    assert!(
        check.passed && (95.0..=115.0).contains(&measured),
        "a DNS client keeps a withdrawn backend until it resolves again; fail-fast judges the \
         calls from its crash at 2 s on (about 110), each failing at once; measured {measured} \
         (seed 10):\n{report}"
    );
}

/// fixtures/grpc/rr-all-servers-down.toml: every backend crashed for good at 1,005 ms.
fn all_servers_down() -> Scenario {
    let path = [env!("CARGO_MANIFEST_DIR"), "..", "fixtures", "grpc", "rr-all-servers-down.toml"]
        .iter()
        .collect::<std::path::PathBuf>();
    scenario::load(path).unwrap_or_else(|error| panic!("the fixture must load: {error}"))
}

fn assert_caught(report: &RunReport, what: &str) {
    let check = fail_fast(report);
    assert!(
        !check.passed && check.explanation.contains("failed slower than 10ms"),
        "{what} while the client knows every backend is down must fail fail-fast \
         (seed 105):\n{report}"
    );
}

#[test]
fn a_balancer_waiting_for_a_ready_backend_while_all_are_known_down_is_caught() {
    let waiting = all_servers_down().against("wait-for-ready", |target: &Target| {
        let config = BalanceConfig {
            wait_for_ready: true,
            seed: Some(target.seed),
            ..BalanceConfig::default()
        };
        boxed(
            BalancedChannel::builder()
                .balancer(RoundRobin::new())
                .config(config)
                .build(target.changes(), target.connector.clone()),
        )
    });
    assert_caught(&play(&waiting), "calls that wait for their deadline");
}

#[test]
fn a_dialer_retrying_a_refused_connect_for_ever_is_caught() {
    let retrying = all_servers_down().against("retrying-dialer", |target: &Target| {
        let connector = target.connector.clone();
        let dial = tower::service_fn(move |uri: http::Uri| {
            let mut connector = connector.clone();
            async move {
                loop {
                    match connector.call(uri.clone()).await {
                        Ok(stream) => return Ok::<_, std::io::Error>(stream),
                        Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
                    }
                }
            }
        });
        let endpoint = Endpoint::from(target.addresses[0].clone());
        boxed(endpoint.connect_with_connector_lazy(dial))
    });
    assert_caught(&play(&retrying), "a dial retried until the call's deadline");
}
