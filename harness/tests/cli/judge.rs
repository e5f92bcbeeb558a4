//! `jostle run --calls` and `jostle judge`: a run's records judged by the command give the
//! run's own checks and verdict; the connection checks need and use serve's counters; bad
//! records, counters and output paths are refused before any work, exit 2.

use super::{FIXTURES, TempFile, jostle, text};
use serde_json::Value;
use std::path::Path;

/// The checks only a run in process judges (docs/SERVE.md, "Call records").
const IN_PROCESS_ONLY: [&str; 3] = ["accounting", "leak-free", "connections"];

fn expectations(path: &Path) -> Vec<Value> {
    let report: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("a report"))
        .expect("the report is JSON");
    report["expectations"].as_array().expect("expectations").clone()
}

#[test]
fn judge_gives_the_checks_and_verdict_of_the_run_that_wrote_the_records() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (calls, ran, judged) =
        (dir.path().join("c.jsonl"), dir.path().join("run.json"), dir.path().join("judge.json"));
    let story = format!("{FIXTURES}/article-restart.toml");
    let run = jostle(&[
        "run",
        &story,
        "--balancer",
        "round_robin",
        "--calls",
        calls.to_str().unwrap(),
        "--json",
        ran.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "round robin survives the story: {run:?}");
    let judge = jostle(&[
        "judge",
        &story,
        "--calls",
        calls.to_str().unwrap(),
        "--balancer",
        "round_robin",
        "--json",
        judged.to_str().unwrap(),
    ]);
    assert_eq!(judge.status.code(), Some(0), "the same verdict from the records: {judge:?}");
    let from_run: Vec<Value> = expectations(&ran)
        .into_iter()
        .filter(|e| !IN_PROCESS_ONLY.contains(&e["check"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(expectations(&judged), from_run, "judge must give the run's own check results");
    let stdout = text(&judge.stdout);
    assert!(stdout.contains("not judged leak-free: "), "what is not judged is said: {stdout}");
    // The article's own balancer, as the file says: the story's flaw shows, as expected.
    let flawed = jostle(&[
        "run",
        &format!("{FIXTURES}/article-restart.toml"),
        "--calls",
        calls.to_str().unwrap(),
    ]);
    assert_eq!(flawed.status.code(), Some(0), "{flawed:?}");
    let judge = jostle(&["judge", &story, "--calls", calls.to_str().unwrap()]);
    assert_eq!(judge.status.code(), Some(0), "the flaw the story expects: {judge:?}");
    assert!(text(&judge.stdout).contains("FAIL share"), "{}", text(&judge.stdout));
}

/// A counters file as `jostle serve --scenario FILE --json OUT` writes it.
fn counters(connections: &[u64]) -> String {
    let backends: Vec<Value> = connections
        .iter()
        .enumerate()
        .map(|(i, &accepted)| {
            serde_json::json!({ "name": format!("backend-{i}"), "address": "127.0.0.1:1",
                "served": 0, "failed": {}, "connections_accepted": accepted })
        })
        .collect();
    serde_json::json!({ "control": "127.0.0.1:2", "backends": backends, "faults": [] }).to_string()
}

#[test]
fn the_connection_checks_are_judged_from_serves_counters_and_only_from_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let calls = dir.path().join("c.jsonl");
    let story = format!("{FIXTURES}/connection-storm.toml");
    let run =
        jostle(&["run", &story, "--balancer", "round_robin", "--calls", calls.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let calls = calls.to_str().unwrap();
    let without = jostle(&["judge", &story, "--balancer", "round_robin", "--calls", calls]);
    let stdout = text(&without.stdout);
    assert!(stdout.contains("not judged connections: "), "no counters, no verdict: {stdout}");
    let few = TempFile::new("served.json", &counters(&[1, 1, 1]));
    let judged = jostle(&[
        "judge",
        &story,
        "--balancer",
        "round_robin",
        "--calls",
        calls,
        "--counters",
        few.path(),
    ]);
    assert_eq!(judged.status.code(), Some(0), "{judged:?}");
    assert!(text(&judged.stdout).contains("pass connections"), "{}", text(&judged.stdout));
    let storm = TempFile::new("served.json", &counters(&[5000, 5000, 5000]));
    let judged = jostle(&[
        "judge",
        &story,
        "--balancer",
        "round_robin",
        "--calls",
        calls,
        "--counters",
        storm.path(),
    ]);
    assert_eq!(
        judged.status.code(),
        Some(1),
        "a connection storm in the counters fails: {judged:?}"
    );
    assert!(text(&judged.stdout).contains("FAIL connections"), "{}", text(&judged.stdout));
    let short = TempFile::new("served.json", &counters(&[1]));
    let refused = jostle(&["judge", &story, "--calls", calls, "--counters", short.path()]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(
        text(&refused.stderr).contains("1 backends, the scenario 3"),
        "the counters must fit the scenario: {}",
        text(&refused.stderr)
    );
}

#[test]
fn bad_records_are_refused_at_their_place_before_any_work() {
    let good = r#"{"client":0,"method":"CreateOrder","start_ms":0,"end_ms":1,"status":"OK","backend":"backend-0","deadline_ms":500}"#;
    let bad =
        TempFile::new("calls.jsonl", &format!("{good}\n{}\n", good.replace("\"OK\"", "\"FINE\"")));
    let output =
        jostle(&["judge", &format!("{FIXTURES}/article-restart.toml"), "--calls", bad.path()]);
    assert_eq!(output.status.code(), Some(2), "bad records are bad input: {output:?}");
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: {}:2:60: status \"FINE\"; expected a gRPC status code name",
            bad.path()
        )),
        "the error must name FILE:LINE:COLUMN: {stderr}"
    );
    assert!(text(&output.stdout).is_empty(), "no report on bad input");
}

#[test]
fn no_output_is_written_over_an_input() {
    let story = std::fs::read_to_string(format!("{FIXTURES}/flaky-replica.toml")).unwrap();
    let copy = TempFile::new("story.toml", &story);
    let output = jostle(&["run", copy.path(), "--calls", copy.path()]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(text(&output.stderr).contains("error: --calls"), "{}", text(&output.stderr));
    assert_eq!(std::fs::read_to_string(copy.path()).unwrap(), story, "the scenario is intact");
    let records = TempFile::new("c.jsonl", "{}\n");
    let output =
        jostle(&["judge", copy.path(), "--calls", records.path(), "--json", records.path()]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(text(&output.stderr).contains("error: --json"), "{}", text(&output.stderr));
    assert_eq!(std::fs::read_to_string(records.path()).unwrap(), "{}\n", "the records are intact");
}
