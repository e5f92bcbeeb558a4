//! Out of file descriptors: a TCP run whose backends cannot accept their clients' connections
//! fails with the reason, within bounds; it neither spins nor hangs nor judges the balancer.
//! The binary's log says so as it happens (a `WARN` line on stderr, `RUST_LOG` deciding).

use super::{TempFile, text};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long the run may take before the test calls it hung (it takes well under a second).
const HUNG: Duration = Duration::from_secs(120);

/// The warning the backends' accept loop logs the first time an accept fails.
const WARNING: &str = "WARN cannot accept connections; retrying";

/// `jostle run` of 30 clients × 4 backends (240 descriptors) under `ulimit -n 60`, with
/// `RUST_LOG` set to `rust_log` (unset for `None`).
fn run_out_of_descriptors(rust_log: Option<&str>) -> Output {
    let story = TempFile::new(
        "descriptors.toml",
        "name = \"more connections than descriptors\"\nseed = 1\n\n[cluster]\nbackends = 4\n\
         transport = \"tcp\"\n\n[balancer]\npolicy = \"round_robin\"\n\n[load]\nconcurrency = 2\n\
         calls = 4\nclients = 30\n",
    );
    let script = "ulimit -n 60 && exec \"$0\" run \"$1\"";
    let mut command = Command::new("sh");
    command
        .args(["-c", script, env!("CARGO_BIN_EXE_jostle"), story.path()])
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(rust_log) = rust_log {
        command.env("RUST_LOG", rust_log);
    }
    let mut child = command.spawn().expect("sh runs");
    let started = Instant::now();
    while child.try_wait().expect("the run can be waited for").is_none() {
        if started.elapsed() > HUNG {
            child.kill().expect("the hung run can be killed");
            panic!("a run out of file descriptors must end, not hang ({HUNG:?} passed)");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("the run's output")
}

#[test]
fn a_tcp_run_out_of_file_descriptors_fails_naming_the_backend_and_the_reason() {
    let output = run_out_of_descriptors(None);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "a run that could not run fails, exit 1: {stderr}");
    assert!(
        stderr.contains("the run failed: backend-")
            && stderr.contains("could not accept connections: Too many open files"),
        "the error must name the backend and the system's reason: {stderr}"
    );
    assert!(text(&output.stdout).is_empty(), "no report of a run that did not run: {stderr}");
}

#[test]
fn the_binary_logs_the_accept_failure_as_a_warning_by_default() {
    let stderr = text(&run_out_of_descriptors(None).stderr);
    let warning = stderr.lines().find(|line| line.contains(WARNING));
    assert!(
        warning
            .is_some_and(|line| line.contains("backend=") && line.contains("Too many open files")),
        "without RUST_LOG the binary logs warnings on stderr, naming the backend and the \
         reason: {stderr}"
    );
    assert!(
        warning.is_some_and(|line| line.starts_with(WARNING)),
        "a log line starts with its level, not with padding: {warning:?}"
    );
}

#[test]
fn rust_log_error_hides_the_accept_warning_and_keeps_the_failure() {
    let output = run_out_of_descriptors(Some("error"));
    let stderr = text(&output.stderr);
    assert!(!stderr.contains(WARNING), "RUST_LOG=error hides warnings: {stderr}");
    assert!(
        stderr.contains("could not accept connections: Too many open files"),
        "the run's own error is not a log line: RUST_LOG leaves it: {stderr}"
    );
}

#[test]
fn a_rust_log_that_is_not_a_filter_is_refused_before_any_work() {
    let output = Command::new(env!("CARGO_BIN_EXE_jostle"))
        .args(["check", super::GOOD])
        .env("RUST_LOG", "jostle=loud")
        .output()
        .expect("jostle runs");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "a bad RUST_LOG is bad input, exit 2: {stderr}");
    assert!(
        stderr.starts_with("error: RUST_LOG is \"jostle=loud\": ")
            && text(&output.stdout).is_empty(),
        "the error names RUST_LOG and its value, and nothing is checked: {stderr}"
    );
}
