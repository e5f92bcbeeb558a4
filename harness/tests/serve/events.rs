//! `jostle ctl events`: every backend's state first, then each fault window opening and
//! closing and each change of state, as they happen, from a separate process.

use super::process::{self, Served, ctl};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long one event may take to arrive.
const WITHIN: Duration = Duration::from_secs(30);

#[test]
fn events_stream_states_then_fault_windows_and_state_changes_as_they_happen() {
    let mut served = Served::start(2);
    let mut child = Command::new(env!("CARGO_BIN_EXE_jostle"))
        .args(["ctl", "--control", &served.control(), "events", "--count", "6"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("jostle ctl events starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let (sender, events) = mpsc::channel::<Value>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let event = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
            if sender.send(event).is_err() {
                break;
            }
        }
    });
    let next = |what: &str| {
        events
            .recv_timeout(WITHIN)
            .unwrap_or_else(|_| panic!("ctl events must print {what} within {WITHIN:?}"))
    };
    // The stream is open once it has said every backend's state.
    for index in 0..2 {
        let state = next("every backend's state first");
        assert_eq!(
            (state["event"].as_str(), state["backend"].as_str(), state["state"].as_str()),
            (Some("state"), Some(format!("backend-{index}").as_str()), Some("running")),
            "first, each backend's state in order: {state}"
        );
    }
    let inject = ctl(
        &served,
        &[
            "inject",
            "status",
            "--on",
            "backend-0",
            "code=Unavailable",
            "probability=1",
            "for=200ms",
        ],
    );
    assert_eq!(inject.status.code(), Some(0), "{inject:?}");
    let opened = next("the fault window opening");
    assert_eq!(
        (opened["event"].as_str(), opened["backend"].as_str()),
        (Some("fault-opened"), Some("backend-0")),
        "{opened}"
    );
    assert_eq!(opened["window"]["kind"], "status", "the window comes with it: {opened}");
    let closed = next("the fault window closing after its 200 ms");
    assert_eq!(
        (closed["event"].as_str(), closed["backend"].as_str()),
        (Some("fault-closed"), Some("backend-0")),
        "{closed}"
    );
    assert!(closed["window"]["end_ms"].is_u64(), "a closed window has its end: {closed}");

    let crash = ctl(&served, &["crash", "backend-1"]);
    assert_eq!(crash.status.code(), Some(0), "{crash:?}");
    let stopped = next("backend-1 stopping");
    assert_eq!(
        (stopped["backend"].as_str(), stopped["state"].as_str()),
        (Some("backend-1"), Some("stopped")),
        "{stopped}"
    );
    let start = ctl(&served, &["start", "backend-1"]);
    assert_eq!(start.status.code(), Some(0), "{start:?}");
    let running = next("backend-1 running again");
    assert_eq!(
        (running["backend"].as_str(), running["state"].as_str()),
        (Some("backend-1"), Some("running")),
        "{running}"
    );

    let status = child.wait().expect("ctl events ends");
    assert!(status.success(), "after --count events ctl exits 0: {status:?}");
    reader.join().expect("the reader ends");
    let stopped = served.terminate();
    assert_eq!(
        stopped.status.code(),
        Some(0),
        "serve stops cleanly: {}",
        process::text(&stopped.stderr)
    );
}

#[test]
fn an_open_event_stream_does_not_hold_up_a_stop() {
    let mut served = Served::start(1);
    let mut child = Command::new(env!("CARGO_BIN_EXE_jostle"))
        .args(["ctl", "--control", &served.control(), "events"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("jostle ctl events starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("the first event");
    assert!(first.contains("\"state\""), "the stream is open: {first}");
    let stopped = served.terminate();
    assert_eq!(stopped.status.code(), Some(0), "{}", process::text(&stopped.stderr));
    let (sender, ended) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait());
    });
    let status = ended.recv_timeout(WITHIN).expect("ctl events ends when serving stops");
    assert!(status.is_ok_and(|s| s.success()), "the stream's end is a clean end");
}
