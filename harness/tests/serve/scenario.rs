//! `jostle serve --scenario`: a scenario's fault and discovery timelines played on the wall
//! clock while this test, from outside, is the client; the report is judged from the backends'
//! own counters and must agree with what the client saw, call for call.
//!
//! Rerun: `cargo test -p jostle-harness --test harness scenario`.

use super::process::{self, Served, ctl, jostle, lines};
use jostle_harness::control::proto::control_client::ControlClient;
use jostle_harness::control::proto::{FaultLogRequest, ListBackendsRequest};
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};
use tonic::Code;
use tonic::transport::Channel;

/// Backend-1 answers Unavailable from 400 ms for 800 ms; discovery withdraws backend-2 at
/// 1800 ms. The load is long (60 s): the test ends it with SIGTERM once it has seen the whole
/// timeline, so that the last counters read are the last calls made.
const STORY: &str = r#"
name = "backend-1 fails for a while, then backend-2 is withdrawn"
[balancer]
policy = "round_robin"
[cluster]
backends = 3
[load]
rate = 100
duration = "60s"
[discovery]
initial = [0, 1, 2]
[[discovery.change]]
at = "1800ms"
remove = [2]
[[fault]]
kind = "status"
target = [1]
at = "400ms"
for = "800ms"
code = "Unavailable"
probability = 1
[expect]
shares = [{ backend = 0, at_least = 0.25 }]
only_announced = { grace = "300ms" }
max_failure_rate = 0.5
"#;

/// The client calls until serve's own clock (the control API's `FaultLog.now_ms`) reads this:
/// well past the withdrawal and its grace, so that the counters were read there at least twice.
const UNTIL_MS: u64 = 3_000;
/// The most calls the client makes in all: the loop is bounded whatever the timeline does.
const MAX_CALLS: u64 = 200_000;

/// What the client saw, per backend by index.
#[derive(Debug, Default)]
struct Seen {
    ok: [u64; 3],
    unavailable: [u64; 3],
    other: Vec<(usize, Code)>,
}

/// A client that rotates over the backends, following the control API's `announced` (or
/// ignoring it), until serve's clock reads [`UNTIL_MS`].
fn client(served: &Served, follow_discovery: bool) -> Seen {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let control = format!("http://{}", served.control());
    let addresses = served.addresses();
    runtime.block_on(async move {
        let mut control = ControlClient::connect(control).await.expect("the control API answers");
        let mut clients: Vec<OrderServiceClient<Channel>> = Vec::new();
        for address in &addresses {
            let channel = Channel::from_shared(format!("http://{address}")).unwrap().connect_lazy();
            clients.push(OrderServiceClient::new(channel));
        }
        let mut seen = Seen::default();
        let (mut turn, mut calls) = (0_usize, 0_u64);
        let started = Instant::now();
        loop {
            assert!(
                calls < MAX_CALLS && started.elapsed() < Duration::from_secs(120),
                "serve's clock must reach {UNTIL_MS} ms within {MAX_CALLS} calls and 120 s \
                 (made {calls}); rerun: cargo test -p jostle-harness --test harness scenario"
            );
            let log = control.fault_log(FaultLogRequest {}).await.unwrap().into_inner();
            if log.now_ms >= UNTIL_MS {
                break;
            }
            let listed = control.list_backends(ListBackendsRequest {}).await.unwrap().into_inner();
            let announced: Vec<bool> = listed.backends.iter().map(|b| b.announced).collect();
            let pick = (0..3)
                .map(|step| (turn + step) % 3)
                .find(|&index| !follow_discovery || announced[index])
                .expect("backends 0 and 1 stay announced");
            turn = pick + 1;
            calls += 1;
            match clients[pick].create_order(create_order_request(calls)).await {
                Ok(_) => seen.ok[pick] += 1,
                Err(status) if status.code() == Code::Unavailable => seen.unavailable[pick] += 1,
                Err(status) => seen.other.push((pick, status.code())),
            }
        }
        seen
    })
}

/// Serves `STORY`, runs the client, stops serving; the exit code and the `--json` report.
fn served_story(follow_discovery: bool) -> (Option<i32>, String, Value, Seen) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (file, report) = (dir.path().join("story.toml"), dir.path().join("report.json"));
    std::fs::write(&file, STORY).unwrap();
    let mut served = Served::start_with(3, &["--scenario", path(&file), "--json", path(&report)]);
    let seen = client(&served, follow_discovery);
    let output = served.terminate();
    let stderr = process::text(&output.stderr);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap())
        .unwrap_or_else(|e| panic!("--json must write the report: {e}; stderr: {stderr}"));
    (output.status.code(), stderr, report["scenario"].clone(), seen)
}

fn path(file: &Path) -> &str {
    file.to_str().expect("a UTF-8 path")
}

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    let checks = report["expectations"].as_array().expect("expectations");
    checks.iter().find(|c| c["check"] == name).unwrap_or_else(|| panic!("no {name}: {report}"))
}

#[test]
fn a_served_scenario_plays_its_faults_and_discovery_and_the_backends_counters_agree_with_the_client()
 {
    let (code, stderr, report, seen) = served_story(true);
    assert_eq!(code, Some(0), "a story whose expectations hold must exit 0: {stderr}");
    assert!(seen.other.is_empty(), "no call may fail but with the injected Unavailable: {seen:?}");
    for index in 0..3 {
        let backend = &report["backends"][index];
        assert_eq!(
            backend["served"], seen.ok[index],
            "backend-{index}'s own count must equal the OK calls the client saw from it: {report}"
        );
        let failed = backend["failed"]["Unavailable"].as_u64().unwrap_or(0);
        assert_eq!(
            failed, seen.unavailable[index],
            "backend-{index}'s Unavailable count must equal the client's: {report}"
        );
    }
    assert!(seen.unavailable[1] > 0, "the status fault must have failed calls: {seen:?}");
    let faults = report["faults"].as_array().expect("faults");
    assert_eq!(faults.len(), 1, "one fault window, the status fault's: {report}");
    assert_eq!(
        (faults[0]["kind"].as_str(), faults[0]["backend"].as_str()),
        (Some("status"), Some("backend-1"))
    );
    let start = faults[0]["start_ms"].as_u64().expect("start_ms");
    let end = faults[0]["end_ms"].as_u64().expect("healed by its `for`: end_ms");
    assert!(start >= 400, "the status fault opens at the file's 400 ms, not before: {report}");
    assert!(end >= start + 800, "the status fault holds the file's 800 ms at least: {report}");
    assert_eq!(report["discovery"][0]["remove"][0], 2, "the withdrawal must be in the report");
    assert_eq!(report["ended"], "stopped", "SIGTERM ended it: {report}");
    assert_eq!(check(&report, "only-announced")["passed"], true, "{report}");
    assert_eq!(check(&report, "share")["passed"], true, "{report}");
    let not_judged = report["not_judged"].as_array().expect("not_judged");
    assert!(
        not_judged.iter().any(|n| n["check"] == "failure-rate"),
        "the failure rate is the client's to judge, and the report must say so: {report}"
    );
    assert_eq!(report["verdict"], "as expected");
    assert!(stderr.contains("verdict: as expected"), "the text report on stderr: {stderr}");
}

#[test]
fn a_client_that_ignores_a_withdrawal_fails_only_announced_and_serve_exits_1() {
    let (code, stderr, report, seen) = served_story(false);
    assert!(seen.ok[2] > 0, "the client calls the withdrawn backend: {seen:?}");
    let only = check(&report, "only-announced");
    assert_eq!(
        only["passed"], false,
        "a withdrawn backend served calls: the check must fail: {report}"
    );
    assert!(
        only["explanation"].as_str().unwrap().contains("backend-2, withdrawn at 1800 ms, served"),
        "the explanation must name the backend and when: {only}"
    );
    assert_eq!(report["verdict"], "not as expected");
    assert_eq!(code, Some(1), "a story not as expected must exit 1: {stderr}");
}

#[test]
fn the_control_api_shows_discovery_as_the_scenario_plays_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("story.toml");
    std::fs::write(
        &file,
        STORY
            .replace("initial = [0, 1, 2]", "initial = [0, 1]")
            .replace("remove = [2]", "add = [2]"),
    )
    .unwrap();
    let served = Served::start_with(3, &["--scenario", path(&file)]);
    let listed = lines(&ctl(&served, &["list"]).stdout);
    assert_eq!(
        listed[2]["announced"], false,
        "backend-2 is not announced at the start: {listed:?}"
    );
    let events = ctl(&served, &["events", "--count", "7"]);
    let events = lines(&events.stdout);
    let names: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["event"].as_str().unwrap(), e["backend"].as_str().unwrap()))
        .collect();
    assert!(
        names.ends_with(&[("announced", "backend-2")]),
        "after the states, the initial withdrawal and the fault window, the change at 1800 ms must be the 7th event: {names:?}"
    );
    assert!(
        names.contains(&("withdrawn", "backend-2")),
        "the initial set is told as a withdrawal: {names:?}"
    );
}

#[test]
fn a_bad_scenario_or_flag_is_bad_input_naming_what_was_expected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        file.to_str().unwrap().to_owned()
    };
    let zero = write("zero.toml", &STORY.replace("backends = 3", "backends = 0"));
    let memory_only = write(
        "memory.toml",
        &STORY
            .replace("kind = \"status\"", "kind = \"blackhole-connect\"")
            .replace("code = \"Unavailable\"\nprobability = 1\n", ""),
    );
    let story = write("story.toml", STORY);
    let cases: [(Vec<&str>, &str); 4] = [
        (vec!["serve", "--scenario", "/nonexistent/story.toml"], "/nonexistent/story.toml"),
        (vec!["serve", "--scenario", &zero], "zero.toml:6:12"),
        (
            vec!["serve", "--scenario", &memory_only],
            "memory.toml: [[fault]] number 1: fault `blackhole-connect` works in memory only",
        ),
        (
            vec!["serve", "--scenario", &story, "--backends", "2"],
            "expected the scenario's own count (3)",
        ),
    ];
    for (args, message) in cases {
        let output = jostle(&args);
        let stderr = process::text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?} is bad input, exit 2: {stderr}");
        assert!(stderr.contains(message), "{args:?} must say `{message}`: {stderr}");
        assert!(output.stdout.is_empty(), "nothing may be announced: {args:?}");
    }
}

/// `--seed-from` (a pod's name) with `--scenario`: the backends' faults draw from the seed made
/// of the file's seed and the name, and the report names that seed, not the file's: a replay
/// with the file's seed would draw other faults.
#[test]
fn a_scenario_served_with_seed_from_reports_the_seed_it_used_not_the_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (file, report) = (dir.path().join("story.toml"), dir.path().join("report.json"));
    std::fs::write(&file, format!("seed = 5\n{STORY}")).unwrap();
    let name = "jostle-orders-7d9f-abcde";
    let args = ["--scenario", path(&file), "--seed-from", name, "--duration", "200ms"];
    let output = jostle(&[&["serve"][..], &args, &["--json", path(&report)]].concat());
    let stderr = process::text(&output.stderr);
    let used = super::fnv1a(5, name);
    assert_ne!(used, 5, "the pod's seed differs from the file's");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap())
        .unwrap_or_else(|e| panic!("--json must write the report: {e}; stderr: {stderr}"));
    let seed = &report["scenario"]["seed"];
    assert_eq!(*seed, used, "the report names the seed the faults drew from: {report}");
    let header = format!("), seed {used}, counters read every");
    assert!(stderr.contains(&header), "the text report's header names it too: {stderr}");
}
