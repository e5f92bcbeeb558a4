//! Call records: a run's written records, judged by `jostle judge`'s code, give the run's own
//! check results byte for byte; the records match docs/calls.schema.json; every kind of bad
//! record is refused at its FILE:LINE:COLUMN.
//!
//! Rerun: `cargo test -p jostle-harness --test harness scenarios::records`.

use jostle_harness::calls::{self, Fit};
use jostle_harness::load::{CallLog, Progress};
use jostle_harness::report::{ExpectationReport, RunReport};
use jostle_harness::runner;
use jostle_harness::scenario::{self, Scenario};
use rstest::rstest;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// Checks only the run in process can judge: its recorder against the backends' counters,
/// the client's leftovers, the connections the backends accepted.
const IN_PROCESS_ONLY: [&str; 3] = ["accounting", "leak-free", "connections"];

/// Fixtures whose expectations together use every check the records can judge: distribution,
/// failure-rate, codes, share, max-share, fallback, fail-fast, recovery, convergence,
/// only-announced, timeout, latency, settled; many clients; a fault held to the end.
const STORIES: [&str; 10] = [
    "battery/healthy.toml",
    "battery/restart.toml",
    "battery/add-remove.toml",
    "k8s-rolling-deploy.toml",
    "slow-backend.toml",
    "grpc/xds-backends-restart.toml",
    "grpc/pf-sticky-transient-failure.toml",
    "grpc-go-addresses-removed.toml",
    "fifty-pick-first-clients.toml",
    "all-down.toml",
];

fn fixture(file: &str) -> Scenario {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "fixtures", file].iter().collect();
    scenario::load(path).unwrap_or_else(|error| panic!("fixtures/{file} must load: {error}"))
}

fn names(story: &Scenario) -> Vec<String> {
    (0..story.backends()).map(|i| format!("backend-{i}")).collect()
}

/// `story` run in process: its report, and its call log written as records to a file of
/// `dir` and read back.
fn run_and_record(story: &Scenario, dir: &std::path::Path, file: &str) -> (RunReport, CallLog) {
    let runtime = runner::runtime(story).expect("a runtime");
    let (report, log) = runtime
        .block_on(runner::run_with_log(story, "in process", &Progress::new()))
        .unwrap_or_else(|error| panic!("fixtures/{file} must run: {error}"));
    let deadline = story.load_spec().deadline;
    let path = dir.join(file.replace('/', "-") + ".jsonl");
    std::fs::write(&path, calls::lines(&log, Some(deadline))).expect("records are written");
    let names = names(story);
    let fit = Fit { clients: story.clients(), backends: &names, deadline };
    let read = calls::read(&path, &fit).unwrap_or_else(|error| panic!("{file}: {error}"));
    (report, read)
}

fn bytes(expectations: &[ExpectationReport]) -> Vec<String> {
    expectations.iter().map(|e| serde_json::to_string(e).expect("JSON")).collect()
}

#[test]
fn a_run_judged_from_its_written_records_gives_the_same_check_results_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Two at a time: the runs are independent, each on its own paused clock.
    std::thread::scope(|scope| {
        for pair in STORIES.chunks(STORIES.len().div_ceil(2)) {
            let dir = dir.path();
            scope.spawn(move || {
                for &file in pair {
                    let story = fixture(file);
                    let (run, log) = run_and_record(&story, dir, file);
                    let judged = runner::judge(&story, &log, None, "in process")
                        .unwrap_or_else(|error| panic!("{file} must be judged: {error}"));
                    let ran: Vec<ExpectationReport> = run
                        .expectations
                        .iter()
                        .filter(|e| !IN_PROCESS_ONLY.contains(&e.check.as_str()))
                        .cloned()
                        .collect();
                    assert!(!ran.is_empty(), "fixtures/{file} must have checks to compare");
                    assert_eq!(
                        bytes(&judged.expectations),
                        bytes(&ran),
                        "judging fixtures/{file} from its written records must give the run's \
                         own check results, byte for byte (seed {}; rerun: cargo test -p \
                         jostle-harness --test harness scenarios::records)",
                        story.seed()
                    );
                    assert_eq!(judged.faults, run.faults, "{file}: the replayed fault windows");
                    assert_eq!(judged.calls.sent, run.calls.sent, "{file}: every call");
                    assert_eq!(judged.as_expected, run.as_expected, "{file}: the verdict");
                    let skipped: Vec<&str> =
                        judged.not_judged.iter().map(|n| n.check.as_str()).collect();
                    assert!(skipped.contains(&"accounting"), "{file}: accounting not judged");
                }
            });
        }
    });
}

#[test]
fn records_that_tell_another_story_get_another_verdict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let story = fixture("battery/healthy.toml");
    let (run, mut log) = run_and_record(&story, dir.path(), "healthy");
    assert!(run.passed, "the healthy story passes in process:\n{run}");
    // Every tenth call failed Unavailable: the records, not the run, are judged.
    for call in log.calls.iter_mut().step_by(10) {
        call.outcome = jostle_harness::load::CallOutcome::Failed(tonic::Code::Unavailable);
        call.backend = None;
    }
    let judged = runner::judge(&story, &log, None, "tampered").expect("judged");
    let failed: Vec<&str> =
        judged.expectations.iter().filter(|e| !e.passed).map(|e| e.check.as_str()).collect();
    assert!(
        failed.contains(&"failure-rate"),
        "10% failed calls in the records must fail failure-rate: {failed:?}\n{judged}"
    );
    assert!(!judged.as_expected, "the story expects a pass: {judged}");
}

#[test]
fn written_records_match_their_documented_schema() {
    let schema: Value = serde_json::from_str(include_str!("../../../docs/calls.schema.json"))
        .expect("docs/calls.schema.json is JSON");
    let dir = tempfile::tempdir().expect("temp dir");
    let story = fixture("grpc/pf-sticky-transient-failure.toml");
    let (_, log) = run_and_record(&story, dir.path(), "sticky");
    let text = calls::lines(&log, Some(story.load_spec().deadline));
    let mut statuses = std::collections::BTreeSet::new();
    for (number, line) in text.lines().enumerate() {
        let value: Value = serde_json::from_str(line).expect("a line is JSON");
        statuses.insert(value["status"].as_str().unwrap_or_default().to_owned());
        let mut errors = Vec::new();
        super::schema::validate(&schema, &schema, &value, "$", &mut errors);
        assert!(errors.is_empty(), "record {number} must match docs/calls.schema.json: {errors:?}");
    }
    assert!(statuses.len() > 1, "the records must show more than OK calls: {statuses:?}");
    let mut bad: Value = serde_json::from_str(text.lines().next().expect("a record")).unwrap();
    bad["status"] = Value::from(14);
    bad["retries"] = Value::from(1);
    let mut errors = Vec::new();
    super::schema::validate(&schema, &schema, &bad, "$", &mut errors);
    assert_eq!(errors.len(), 2, "a numeric status and an unknown field break it: {errors:?}");
}

const GOOD: &str = r#"{"client":0,"method":"CreateOrder","start_ms":1.5,"end_ms":2,"status":"OK","backend":"backend-1","deadline_ms":1000}"#;

#[rstest]
#[case::not_json("{\"client\":0,", 1, 12, "EOF while parsing a value")]
#[case::missing_field(&GOOD.replace(r#","deadline_ms":1000"#, ""), 1, 97, "missing field `deadline_ms`")]
#[case::unknown_field(&GOOD.replace(r#""client":0"#, r#""client":0,"retries":1"#), 1, 21, "unknown field `retries`")]
#[case::numeric_status(&GOOD.replace(r#""OK""#, "14"), 1, 72, "invalid type: integer `14`, expected a string")]
#[case::unknown_status(&GOOD.replace(r#""OK""#, r#""Unavailable""#), 1, 62, "status \"Unavailable\"; expected a gRPC status code name")]
#[case::negative_start(&GOOD.replace("1.5", "-1"), 1, 36, "start_ms -1; expected milliseconds since the scenario's origin, from 0 to 259200000")]
#[case::end_before_start(&GOOD.replace(r#""end_ms":2"#, r#""end_ms":1"#), 1, 51, "end_ms 1 before start_ms 1.5")]
#[case::unknown_method(&GOOD.replace("CreateOrder", "DeleteOrder"), 1, 13, "method \"DeleteOrder\"")]
#[case::client_beyond_the_scenario(&GOOD.replace(r#""client":0"#, r#""client":3"#), 1, 2, "client 3; expected a client number from 0 to 0")]
#[case::unknown_backend(&GOOD.replace("backend-1", "backend-9"), 1, 76, "backend \"backend-9\"; expected one of the scenario's backends (backend-0 to backend-2)")]
#[case::another_deadline(&GOOD.replace("1000", "250"), 1, 98, "deadline_ms 250; expected the scenario's deadline, 1000 ms")]
#[case::second_line(&format!("{GOOD}\n\n{}", GOOD.replace("OK", "NOPE")), 3, 62, "status \"NOPE\"")]
#[case::too_long(&format!("{GOOD}\n{}", " ".repeat(5000)), 2, 4097, "a line longer than 4096 bytes")]
#[case::empty("\n\n", 1, 1, "no call record; expected one call a line")]
#[case::huge_number(&GOOD.replace("1.5", "1e999"), 1, 51, "number out of range")]
fn a_bad_record_is_refused_at_its_line_and_column(
    #[case] text: &str,
    #[case] line: usize,
    #[case] column: usize,
    #[case] problem: &str,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("calls.jsonl");
    std::fs::write(&path, text).expect("written");
    let backends = ["backend-0".to_owned(), "backend-1".to_owned(), "backend-2".to_owned()];
    let fit = Fit { clients: 1, backends: &backends, deadline: Duration::from_secs(1) };
    let error = calls::read(&path, &fit).expect_err("a bad record must be refused").to_string();
    let place = format!("{}:{line}:{column}: {problem}", path.display());
    assert!(error.starts_with(&place), "expected `{place}...`, got `{error}`");
}

#[test]
fn a_good_record_reads_back_to_the_nanosecond() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("calls.jsonl");
    std::fs::write(&path, format!("{GOOD}\n")).expect("written");
    let backends = ["backend-0".to_owned(), "backend-1".to_owned()];
    let fit = Fit { clients: 1, backends: &backends, deadline: Duration::from_secs(1) };
    let log = calls::read(&path, &fit).expect("a good record");
    assert_eq!(log.calls[0].start, Duration::from_micros(1500), "1.5 ms");
    assert_eq!(log.calls[0].end, Duration::from_millis(2));
    assert_eq!(log.calls[0].backend.as_deref(), Some("backend-1"));
}
