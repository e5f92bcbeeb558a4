//! Counted to the last call: Python grpcio calls three served backends one call after another
//! while `jostle serve` is stopped (SIGTERM) in the middle of its calls; the summary on stderr
//! and in `--json` must give each backend exactly the calls the client saw it answer since the
//! last `ctl reset`, the call answered as the stop began included, in every one of 10 runs.
//!
//! Needs python3 with grpcio and grpcio-tools, as `python` does (skipped without them unless
//! JOSTLE_REQUIRE_PYTHON_GRPC is set).

use super::listed;
use super::process::{self, Served, ctl};
use super::python::{
    Client, generate_stubs, python_or_skip, served_counters, wait_for_connections,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const RUNS: usize = 10;
/// More calls than can end before the stop: the stop always comes in the middle of them.
const CALLS: u64 = 20_000;
/// Calls made before the reset, which the summary must not count.
const BEFORE_RESET: u64 = 30;
const DEADLINE: Duration = Duration::from_secs(60);

#[test]
fn the_stop_summary_counts_every_call_the_client_saw_answered_since_the_reset_in_10_runs_of_10() {
    let Some(python) = python_or_skip() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let stubs = dir.path().join("stubs");
    std::fs::create_dir(&stubs).expect("stub dir");
    generate_stubs(&python, &stubs);
    for run in 1..=RUNS {
        let report = dir.path().join(format!("summary-{run}.json"));
        let mut served = Served::start_with(3, &["--json", report.to_str().expect("utf-8")]);
        let mut client = Client::start(&python, &stubs, &served.addresses());
        wait_for_connections(&served, 3);
        client.send(BEFORE_RESET);
        let _ = client.counts(BEFORE_RESET);
        let reset = ctl(&served, &["reset"]);
        assert_eq!(reset.status.code(), Some(0), "ctl reset must succeed: {reset:?}");
        client.send(CALLS);
        // Stop once the calls are under way.
        let started = Instant::now();
        while served_counters(&listed(&served)).values().sum::<u64>() < 20 {
            assert!(started.elapsed() < DEADLINE, "the client's calls must reach the backends");
            std::thread::sleep(Duration::from_millis(20));
        }
        let output = served.terminate();
        assert_eq!(output.status.code(), Some(0), "SIGTERM must stop serving: {output:?}");
        let seen = client.counts(CALLS);
        client.quit();
        assert!(
            seen.failed.values().sum::<u64>() > 0,
            "run {run}: the stop must come before the client's {CALLS} calls end: {:?}",
            seen.served
        );
        let summary: Value =
            serde_json::from_str(&std::fs::read_to_string(&report).expect("--json written"))
                .expect("summary JSON");
        let mut counted = served_counters(summary["backends"].as_array().expect("backends"));
        counted.retain(|_, count| *count > 0);
        let client_saw: BTreeMap<String, u64> = seen.served.clone();
        assert_eq!(
            counted, client_saw,
            "run {run} of {RUNS}: the --json summary must count exactly the calls the client saw \
             answered since `ctl reset`, the last one before the stop included"
        );
        let stderr = process::text(&output.stderr);
        for (name, count) in &client_saw {
            assert!(
                stderr.lines().any(|line| line.trim_start().starts_with(&format!("{name} "))
                    && line.contains(&format!(": served {count}, "))),
                "run {run}: the stderr summary must give {name} served {count}: {stderr}"
            );
        }
    }
}
