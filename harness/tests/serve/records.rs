//! The reference Python client (examples/clients/python/grpcio_client.py, grpcio's own
//! `round_robin`) plays battery files against `jostle serve --scenario FILE --calls FILE`,
//! writing its call records; serve judges every expectation from them with the checks of
//! `jostle run`. A sample of two files runs in CI (about 6 s of wall clock, both at once);
//! the whole battery, with the table docs/SERVE.md shows, is `#[ignore]`d (about 40 s):
//! `cargo test -p jostle-harness --test harness serve::records -- --ignored --nocapture`.
//!
//! Needs python3 with grpcio and grpcio-tools; without them the tests are skipped, unless
//! JOSTLE_REQUIRE_PYTHON_GRPC is set.

use super::outside::{Play, Played, SLACK, Stop};
use super::process::Served;
use super::python::{generate_stubs, python_or_skip};
use jostle_harness::load::{Pace, Until};
use jostle_harness::scenario::{self, Scenario};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const CLIENT: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/clients/python/grpcio_client.py");
const BATTERY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/battery");

/// The checks no call record can judge: the runner's own recorder, the client's leftovers.
const NEVER_FROM_RECORDS: [&str; 2] = ["accounting", "leak-free"];

/// The client's load flags for `story`.
fn load_flags(story: &Scenario) -> Vec<String> {
    let spec = story.load_spec();
    let mut flags = match (spec.pace, spec.until) {
        (Pace::Open { per_second }, Until::Elapsed(length)) => vec![
            "--rate".to_owned(),
            per_second.to_string(),
            "--duration".to_owned(),
            length.as_secs_f64().to_string(),
        ],
        (Pace::Closed { concurrency }, Until::Calls(calls)) => vec![
            "--concurrency".to_owned(),
            concurrency.to_string(),
            "--count".to_owned(),
            calls.to_string(),
        ],
        other => panic!("{}: a load the reference client does not play: {other:?}", story.name()),
    };
    flags.extend([
        "--warm-up".to_owned(),
        story.warm_up().as_secs_f64().to_string(),
        "--deadline".to_owned(),
        spec.deadline.as_secs_f64().to_string(),
    ]);
    flags
}

/// grpcio's round_robin plays `file` against `jostle serve --scenario --calls`: serve's
/// report of the scenario, and the client's own counts.
fn served(python: &Path, stubs: &Path, file: &str) -> (Value, Value) {
    let path = Path::new(BATTERY).join(file);
    let story = scenario::load(&path).unwrap_or_else(|e| panic!("{file} must load: {e}"));
    let dir = tempfile::tempdir().expect("temp dir");
    let calls = dir.path().join("calls.jsonl");
    let mut client = Command::new(python);
    client
        .arg(CLIENT)
        .arg("--stubs")
        .arg(stubs)
        .args(["--ready", "-", "--policy", "round_robin", "--calls"])
        .arg(&calls)
        .args(load_flags(&story));
    let play = Play {
        file: &path,
        backends: story.backends(),
        calls: Some(&calls),
        go: Served::announced_line,
        counts_within: story.warm_up() + Duration::from_secs(120) + SLACK,
        // A load bounded by calls has no end serve knows of: stop it once the client is done.
        stop: match story.load_spec().until {
            Until::Elapsed(_) => Stop::AtItsEnd,
            Until::Calls(_) => Stop::Terminate,
        },
    };
    let Played { report, counts } = play.run(client, "the Python client");
    assert_eq!(counts["mismatched"], 0, "served_by and x-jostle-backend must agree: {counts}");
    (report["scenario"].clone(), counts)
}

/// Every expectation `file` lists is judged from the records: the client's report judges all
/// but the checks no record can, and serve's own list of what it could not judge names no
/// client-side check. The client's check verdicts, by name, in file order.
fn judged_from_records(file: &str, report: &Value) -> Vec<(String, bool)> {
    let client = &report["client"];
    assert!(client.is_object(), "{file}: serve must judge the client's records: {report}");
    for skipped in client["not_judged"].as_array().into_iter().flatten() {
        let check = skipped["check"].as_str().unwrap_or_default();
        assert!(
            NEVER_FROM_RECORDS.contains(&check),
            "{file}: with records, only {NEVER_FROM_RECORDS:?} may be not judged, not {check}: {report}"
        );
    }
    for skipped in report["not_judged"].as_array().into_iter().flatten() {
        let check = skipped["check"].as_str().unwrap_or_default();
        assert!(
            NEVER_FROM_RECORDS.contains(&check),
            "{file}: with records, serve must not leave {check} not judged: {report}"
        );
    }
    client["expectations"]
        .as_array()
        .expect("expectations")
        .iter()
        .map(|e| (e["check"].as_str().unwrap_or_default().to_owned(), e["passed"] == true))
        .collect()
}

/// jostle's round robin, in process, on `file`: its check verdicts as the records' report
/// lists them (without the checks no record judges).
fn in_process(file: &str) -> Vec<(String, bool)> {
    let story = scenario::load(Path::new(BATTERY).join(file))
        .and_then(|story| story.with_balancer("round_robin"))
        .expect("a battery file");
    let report = story.run_blocking().unwrap_or_else(|e| panic!("{file} must run: {e}"));
    report
        .expectations
        .iter()
        .filter(|e| !NEVER_FROM_RECORDS.contains(&e.check.as_str()))
        .map(|e| (e.check.clone(), e.passed))
        .collect()
}

fn plays(files: &[&str]) -> Vec<(String, Value, Value)> {
    let Some(python) = python_or_skip() else { return Vec::new() };
    let dir = tempfile::tempdir().expect("temp dir");
    generate_stubs(&python, dir.path());
    let (python, stubs) = (&python, dir.path());
    std::thread::scope(|scope| {
        let plays: Vec<_> = files
            .iter()
            .map(|&file| {
                scope.spawn(move || {
                    let (report, counts) = served(python, stubs, file);
                    (file.to_owned(), report, counts)
                })
            })
            .collect();
        plays.into_iter().map(|play| play.join().expect("a play")).collect()
    })
}

#[test]
fn grpcio_round_robin_records_judge_every_expectation_as_jostles_round_robin_in_process() {
    for (file, report, counts) in plays(&["restart.toml", "one-down.toml"]) {
        let judged = judged_from_records(&file, &report);
        assert!(!judged.is_empty(), "{file}: checks must be judged from the records: {report}");
        assert_eq!(
            judged,
            in_process(&file),
            "grpcio's round_robin, judged from its records on served backends, and jostle's \
             round robin in process must give fixtures/battery/{file} the same verdicts (the \
             client counted {counts}); served report: {report}"
        );
    }
}

/// The table of docs/SERVE.md ("grpcio's round robin on the battery"): every battery file.
#[test]
#[ignore = "about 40 s of wall clock: the whole battery through grpcio, for docs/SERVE.md"]
fn grpcio_round_robin_plays_the_whole_battery_with_records() {
    let files: Vec<String> = std::fs::read_dir(BATTERY)
        .expect("the battery")
        .map(|entry| entry.expect("an entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    let mut table = vec![
        "| file | check | grpcio round_robin (records) | jostle round_robin (in process) |"
            .to_owned(),
        "|---|---|---|---|".to_owned(),
    ];
    for pair in names.chunks(2) {
        for (file, report, counts) in plays(pair) {
            let judged = judged_from_records(&file, &report);
            let here = in_process(&file);
            assert_eq!(
                judged.iter().map(|(check, _)| check).collect::<Vec<_>>(),
                here.iter().map(|(check, _)| check).collect::<Vec<_>>(),
                "{file}: the same checks judged both ways"
            );
            let explained: Vec<&Value> =
                report["client"]["expectations"].as_array().expect("checks").iter().collect();
            for (((check, served), (_, local)), detail) in judged.iter().zip(&here).zip(explained) {
                let verdict = |passed: &bool| if *passed { "pass" } else { "FAIL" };
                table.push(format!(
                    "| {file} | {check} | {} ({}) | {} |",
                    verdict(served),
                    detail["explanation"].as_str().unwrap_or_default(),
                    verdict(local)
                ));
            }
            #[allow(clippy::print_stderr)]
            {
                eprintln!("{file}: grpcio {counts}");
            }
        }
    }
    #[allow(clippy::print_stderr)]
    {
        eprintln!("{}", table.join("\n"));
    }
}
