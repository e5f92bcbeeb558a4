//! A real gRPC client as the reference: Python's grpcio (gRPC C-core) with its own
//! `round_robin` and `pick_first` plays files of the gRPC corpus (fixtures/grpc/) against
//! `jostle serve --scenario FILE`, and every check the backends' counters can judge (and
//! `codes`, judged from the client's own count of failures by code) must give the verdict that
//! the same file gives in process with `profile = "grpc"`.
//!
//! The client (`python/scenario_client.py`) is started and imported first, then told to go the
//! moment serve announces its addresses, so that its calls line up with serve's timeline. The
//! files' loads are a few seconds long: about 25 s of wall clock in all.
//!
//! Needs python3 with grpcio and grpcio-tools; without them the test is skipped, unless
//! JOSTLE_REQUIRE_PYTHON_GRPC is set. Rerun: `cargo test -p jostle-harness --test harness serve::
//! grpc_corpus`.

use super::outside::{Play, Played, SLACK, Stop};
use super::python::{generate_stubs, python_or_skip};
use jostle_harness::load::{Pace, Until};
use jostle_harness::report::RunReport;
use jostle_harness::scenario::{self, Scenario};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const CLIENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/serve/python/scenario_client.py");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/grpc");

/// The files grpcio's round_robin plays: no discovery change (grpcio is given the addresses
/// once and cannot hear of one), and checks the counters (or the client's own count of
/// failure codes) can judge.
const ROUND_ROBIN: &[&str] = &[
    "rr-basic.toml",
    "rr-one-server-down.toml",
    "rr-all-servers-down.toml",
    "xds-ping-pong.toml",
    "xds-round-robin.toml",
    "xds-backends-restart.toml",
];

/// The files grpcio's pick_first plays.
const PICK_FIRST: &[&str] = &[
    "pf-one-backend.toml",
    "pf-multiple-backends.toml",
    "pf-one-server-down.toml",
    "pf-all-servers-down.toml",
];

/// The file's open-loop load: calls per second, its length and each call's deadline.
fn load_of(story: &Scenario, file: &str) -> (f64, Duration, Duration) {
    let spec = story.load_spec();
    let (Pace::Open { per_second }, Until::Elapsed(length)) = (spec.pace, spec.until) else {
        panic!("fixtures/grpc/{file} must be an open-loop load bounded by time to be served");
    };
    (per_second, length, spec.deadline)
}

/// Each check's verdicts, in file order, by check name.
fn verdicts(expectations: impl Iterator<Item = (String, bool)>) -> BTreeMap<String, Vec<bool>> {
    let mut verdicts: BTreeMap<String, Vec<bool>> = BTreeMap::new();
    for (check, passed) in expectations {
        verdicts.entry(check).or_default().push(passed);
    }
    verdicts
}

fn in_process(report: &RunReport) -> BTreeMap<String, Vec<bool>> {
    verdicts(report.expectations.iter().map(|e| (e.check.clone(), e.passed)))
}

/// The `codes` check judged from the client's own count of failures by code: every code it
/// saw (grpcio's names, `UNAVAILABLE`) is one the file allows (`Unavailable`).
fn codes_verdict(allowed: &[tonic::Code], counts: &Value) -> bool {
    let failed = counts["failed"].as_object().expect("the client's failures by code");
    failed.keys().all(|seen| {
        let seen = seen.replace('_', "").to_lowercase();
        allowed.iter().any(|code| format!("{code:?}").to_lowercase() == seen)
    })
}

/// grpcio plays `file` with `policy` against `jostle serve --scenario`; serve's report.
fn served(python: &Path, stubs: &Path, file: &str, policy: &str) -> (Value, Value) {
    let path = Path::new(CORPUS).join(file);
    let story = scenario::load(&path).unwrap_or_else(|e| panic!("{file} must load: {e}"));
    let (rate, length, deadline) = load_of(&story, file);
    let mut client = Command::new(python);
    client
        .arg(CLIENT)
        .arg("--stubs")
        .arg(stubs)
        .args(["--policy", policy])
        .args(["--rate", &rate.to_string()])
        .args(["--duration", &length.as_secs_f64().to_string()])
        .args(["--warm-up", &story.warm_up().as_secs_f64().to_string()])
        .args(["--deadline", &deadline.as_secs_f64().to_string()]);
    let play = Play {
        file: &path,
        backends: story.backends(),
        calls: None,
        go: |serving| format!("go ipv4:{}", serving.addresses().join(",")),
        counts_within: story.warm_up() + length + SLACK,
        stop: Stop::AtItsEnd,
    };
    let Played { report, counts } = play.run(client, "the Python client");
    assert_eq!(counts["mismatched"], 0, "served_by and x-jostle-backend must agree: {counts}");
    // serve's own counts once every backend has stopped (the top-level `backends`). A backend
    // counts a call OK as its trailers leave, so every OK the client saw from a backend is in
    // that backend's count. The backends may count more: an answer the client never got (its
    // deadline ran out first, or the stop broke the connection under it) is one of the
    // client's failures. So per backend `client <= own`, and the excess over all backends is
    // at most what the client saw fail.
    let client_failed: u64 = counts["failed"]
        .as_object()
        .expect("the client's failures by code")
        .values()
        .map(|count| count.as_u64().unwrap_or(0))
        .sum();
    let mut excess = 0;
    for (index, backend) in report["backends"].as_array().expect("backends").iter().enumerate() {
        let name = format!("backend-{index}");
        let own = backend["served"].as_u64().unwrap_or(0);
        let seen = counts["served"][&name].as_u64().unwrap_or(0);
        assert!(
            seen <= own,
            "{name} must have counted every OK call the client saw from it on {file} \
             (client {seen}, {name} {own}): {counts}; {}",
            report["backends"]
        );
        excess += own - seen;
    }
    assert!(
        excess <= client_failed,
        "the backends' OK calls beyond the client's OKs must be calls the client saw fail on \
         {file} ({excess} more, {client_failed} failed): {counts}; {}",
        report["backends"]
    );
    (report["scenario"].clone(), counts)
}

/// Plays each of `files` both ways and compares the verdicts check by check.
fn plays_like_in_process(policy: &str, files: &[&str]) {
    let Some(python) = python_or_skip() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    generate_stubs(&python, dir.path());
    for file in files {
        let story = scenario::load(Path::new(CORPUS).join(file)).expect("a corpus file");
        let here = story.run_blocking().unwrap_or_else(|e| panic!("{file} must run: {e}"));
        let (report, counts) = served(&python, dir.path(), file, policy);
        let mut judged = verdicts(
            report["expectations"].as_array().expect("expectations").iter().map(|check| {
                (
                    check["check"].as_str().expect("a check name").to_owned(),
                    check["passed"].as_bool().expect("a verdict"),
                )
            }),
        );
        if let Some(jostle_harness::expect::Codes(allowed)) = story.expect().get() {
            judged.insert("codes".to_owned(), vec![codes_verdict(allowed, &counts)]);
        }
        assert!(
            !judged.is_empty(),
            "fixtures/grpc/{file} must have checks the backends' counters can judge: {report}"
        );
        let expected = in_process(&here);
        for (check, served) in &judged {
            assert_eq!(
                Some(served),
                expected.get(check),
                "grpcio's {policy} (gRPC C-core) and jostle's {policy} with profile grpc must \
                 give `{check}` the same verdicts on fixtures/grpc/{file} (served: {served:?}); \
                 the client counted {counts}\nserved report: {report}\nin process (seed {}; \
                 rerun: jostle run fixtures/grpc/{file}):\n{here}",
                story.seed()
            );
        }
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "{file}: grpcio {policy} {counts}; served verdict {}, judged {judged:?}",
                report["verdict"]
            );
        }
    }
}

#[test]
fn grpcio_round_robin_gives_the_corpus_verdicts_that_profile_grpc_gives_in_process() {
    plays_like_in_process("round_robin", ROUND_ROBIN);
}

#[test]
fn grpcio_pick_first_gives_the_corpus_verdicts_that_profile_grpc_gives_in_process() {
    plays_like_in_process("pick_first", PICK_FIRST);
}
