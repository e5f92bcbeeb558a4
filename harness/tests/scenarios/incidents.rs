//! Staging incidents as scenario files: address churn (a Kubernetes rolling deploy, grpc-go's
//! AddressesRemoved and NewAddressWhileBlocking), many clients, and the expectations they need
//! (codes, fail-fast, only announced backends, connections per 1,000 calls, a split of your
//! own, recovery's upper bound). Each story's verdict in memory under the paused clock; the
//! rolling deploy on TCP too; a balancer with a fixed list fails the churn stories.
//!
//! Rerun: `cargo test -p jostle-harness --test harness incidents`.

use jostle_harness::load::{CallOutcome, Progress};
use jostle_harness::net::Transport;
use jostle_harness::report::RunReport;
use jostle_harness::runner;
use jostle_harness::scenario::{self, Scenario};
use std::time::Duration;

fn story(file: &str) -> Scenario {
    let path =
        [env!("CARGO_MANIFEST_DIR"), "..", "fixtures", file].iter().collect::<std::path::PathBuf>();
    scenario::load(path).unwrap_or_else(|error| panic!("fixtures/{file} must load: {error}"))
}

fn play(scenario: &Scenario) -> RunReport {
    scenario.run_blocking().unwrap_or_else(|error| panic!("{} must run: {error}", scenario.name()))
}

fn failed_checks(report: &RunReport) -> Vec<&str> {
    report.expectations.iter().filter(|e| !e.passed).map(|e| e.check.as_str()).collect()
}

#[test]
fn a_rolling_deploy_loses_no_call_and_old_pods_serve_nothing_after_their_withdrawal() {
    let report = play(&story("k8s-rolling-deploy.toml"));
    assert!(report.passed, "round robin must survive the rolling deploy (seed 31):\n{report}");
    assert_eq!(report.calls.failed + report.calls.timed_out, 0, "no call may fail:\n{report}");
    for new in ["backend-3", "backend-4", "backend-5"] {
        let served = report.backends.iter().find(|b| b.name == new).map_or(0, |b| b.served);
        assert!(served > 0, "the new pod {new} must serve (seed 31):\n{report}");
    }
}

#[test]
fn a_rolling_deploy_holds_over_tcp_too() {
    let over_tcp = story("k8s-rolling-deploy.toml").with_transport(Transport::Tcp).unwrap();
    let report = play(&over_tcp);
    // Verdicts only: a real-socket run is never judged on wall-clock figures.
    assert!(
        report.passed,
        "round robin must survive the rolling deploy on 127.0.0.1 (seed 31):\n{report}"
    );
    assert_eq!(report.transport, "tcp");
}

#[test]
fn a_fixed_address_list_fails_the_rolling_deploy_where_it_ignores_discovery() {
    let report =
        play(&story("k8s-rolling-deploy.toml").with_balancer("round_robin_dialer").unwrap());
    let failed = failed_checks(&report);
    // Each old pod drains before it goes: the dialer's one connection moves to another old pod
    // on the GOAWAY and loses no call (as over TCP: `jostle run fixtures/k8s-rolling-deploy.toml
    // --balancer round_robin_dialer --tcp`, 0 of 2,400 failed), but it never reaches a new pod.
    assert!(
        failed.contains(&"convergence") && !failed.contains(&"failure-rate"),
        "the article's dialer never hears of the deploy: it never reaches every new pod, and \
         it loses no call, each old pod draining before it goes (seed 31); failed {failed:?}:\n\
         {report}"
    );
}

#[test]
fn with_every_address_withdrawn_calls_fail_fast_with_unavailable_and_recover_when_they_return() {
    let incident = story("grpc-go-addresses-removed.toml");
    let report = play(&incident);
    assert!(report.passed, "round robin must pass grpc-go's AddressesRemoved (seed 41):\n{report}");
    let fail_fast = report.expectations.iter().find(|e| e.check == "fail-fast").unwrap();
    let measured = fail_fast.measured["failed calls while nothing was up"];
    // 2 s withdrawn at 200 calls/s: every call of those 2 s is measured, none waited.
    assert!(
        (399.0..=401.0).contains(&measured),
        "every call started while nothing was announced must be judged, measured {measured} (seed 41)"
    );
    let waiting = incident.with_balancer("round_robin_dialer").unwrap();
    let report = play(&waiting);
    assert!(
        failed_checks(&report).contains(&"fail-fast"),
        "a fixed list never hears that every address went away: its calls do not fail at all, \
         so fail-fast measured nothing and must fail (seed 41):\n{report}"
    );
}

#[test]
fn calls_waiting_for_a_ready_backend_go_through_on_a_newly_announced_address() {
    let incident = story("grpc-go-new-address-while-blocking.toml");
    let runtime = runner::runtime(&incident).unwrap();
    let (report, log) =
        runtime.block_on(runner::run_with_log(&incident, "test", &Progress::new())).unwrap();
    assert!(
        report.passed,
        "round robin must pass grpc-go's NewAddressWhileBlocking (seed 43):\n{report}"
    );
    let (removed, added) = (Duration::from_secs(1), Duration::from_secs(2));
    let waited: Vec<_> =
        log.calls.iter().filter(|c| c.start > removed && c.start < added).collect();
    assert!(
        waited.len() >= 90,
        "about 100 calls start while nothing is announced, got {}",
        waited.len()
    );
    for call in waited {
        assert!(
            call.outcome == CallOutcome::Ok
                && call.backend.as_deref() == Some("backend-1")
                && call.end >= added,
            "a call started at {:?} with nothing announced must wait for backend-1, announced at \
             2 s, and succeed there: {call:?} (seed 43)",
            call.start
        );
    }
}

#[test]
fn fifty_pick_first_clients_pile_onto_one_backend_and_fifty_round_robin_clients_spread() {
    let incident = story("fifty-pick-first-clients.toml");
    let report = play(&incident);
    assert!(report.as_expected && !report.passed, "pick_first shows its flaw (seed 50):\n{report}");
    assert_eq!(report.clients.len(), 50, "one view per client");
    for client in &report.clients {
        assert_eq!(
            client.served.keys().collect::<Vec<_>>(),
            ["backend-0"],
            "each pick_first client connects to the first address (client {}, seed 50)",
            client.client
        );
    }
    let spread = play(&incident.with_balancer("round_robin").unwrap());
    assert!(spread.passed, "fifty round-robin clients must pass (seed 50):\n{spread}");
    for client in &spread.clients {
        assert!(
            client.served.len() == 3 && client.largest_share() < 0.34,
            "each round-robin client spreads its own calls (client {}: {:?}, seed 50)",
            client.client,
            client.served
        );
    }
    let connections: u64 = spread.backends.iter().map(|b| b.connections_opened).sum();
    assert_eq!(connections, 150, "each of 50 clients has its own connection to each of 3 backends");
}

/// Every expectation an incident can state, many clients and a discovery timeline, in one file.
const EVERYTHING: &str = r#"
name = "every incident feature at once"
seed = 12
[cluster]
backends = 4
latency = { base = "5ms", jitter = "2ms" }
latencies = [{ backend = 2, base = "15ms", jitter = "3ms" }]
[balancer]
policy = "random"
backoff = { initial = "100ms", max = "1s" }
[load]
clients = 3
rate = 100
duration = "4s"
deadline = "1s"
warm_up = "100ms"
[discovery]
initial = [0, 1, 2]
via = "dns"
ttl = "500ms"
min_ttl = "200ms"
[[discovery.change]]
at = "1500ms"
add = [3]
[[fault]]
at = "1s"
target = [1]
kind = "restart"
down_for = "500ms"
[expect]
codes = ["Unavailable", "Cancelled"]
fail_fast = { within = "1ms" }
only_announced = { grace = "10ms" }
connections_per_1000_calls = 20
recovery = { backend = 3, within = "1s", at_least = 0.3, at_most = 2.5, window = "500ms" }
latency = [{ percentile = 99, under = "50ms" }, { percentile = 50, under = "20ms", backend = 2 }]
"#;

#[test]
fn the_same_file_and_seed_give_a_byte_identical_json_report_with_every_incident_feature() {
    let story = scenario::parse(EVERYTHING, "everything.toml").unwrap();
    let first = play(&story).to_json();
    let second = play(&story).to_json();
    assert!(first == second, "two runs of the same file and seed 12 must give the same bytes");
    assert!(first.contains("\"clients\": ["), "the many-client view is in the JSON");
    assert!(first.contains("\"dns_queries\": ["), "the resolver's query log is in the JSON");
    let report = play(&story);
    let checks: Vec<&str> = report.expectations.iter().map(|e| e.check.as_str()).collect();
    for check in ["codes", "fail-fast", "recovery", "only-announced", "latency", "connections"] {
        assert!(checks.contains(&check), "{check} must be judged; checks run: {checks:?}");
    }
}
