//! Out of file descriptors: a TCP run whose backends cannot accept their clients' connections
//! fails with the reason, within bounds; it neither spins nor hangs nor judges the balancer.

use super::{TempFile, text};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long the run may take before the test calls it hung (it takes well under a second).
const HUNG: Duration = Duration::from_secs(120);

#[test]
fn a_tcp_run_out_of_file_descriptors_fails_naming_the_backend_and_the_reason() {
    let story = TempFile::new(
        "descriptors.toml",
        "name = \"more connections than descriptors\"\nseed = 1\n\n[cluster]\nbackends = 4\n\
         transport = \"tcp\"\n\n[balancer]\npolicy = \"round_robin\"\n\n[load]\nconcurrency = 2\n\
         calls = 4\nclients = 30\n",
    );
    // 30 clients × 4 backends need 240 descriptors; the shell gives the run 60.
    let script = "ulimit -n 60 && exec \"$0\" run \"$1\"";
    let mut child = Command::new("sh")
        .args(["-c", script, env!("CARGO_BIN_EXE_jostle"), story.path()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    let started = Instant::now();
    while child.try_wait().expect("the run can be waited for").is_none() {
        if started.elapsed() > HUNG {
            child.kill().expect("the hung run can be killed");
            panic!("a run out of file descriptors must end, not hang ({HUNG:?} passed)");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("the run's output");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "a run that could not run fails, exit 1: {stderr}");
    assert!(
        stderr.contains("the run failed: backend-")
            && stderr.contains("could not accept connections: Too many open files"),
        "the error must name the backend and the system's reason: {stderr}"
    );
    assert!(text(&output.stdout).is_empty(), "no report of a run that did not run: {stderr}");
}
