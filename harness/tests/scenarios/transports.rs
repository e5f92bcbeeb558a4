//! In memory looks like TCP to the client: every fixture and battery file, played on both
//! transports, fails its calls with the same status codes.
//!
//! Which of `Unknown` and `Unavailable` a call gets at a crash, and whether a call is in flight
//! at that instant at all, is a matter of microseconds over TCP: the two are one class here,
//! "the connection broke" (with TCP's `Cancelled`, which TCP gives a call queued on a connection
//! at the instant of its reset). Every other code the in-memory run gives, the TCP run must give
//! too, and in memory never gives `Cancelled`: that is an artefact no TCP client sees at a crash.
//! The other way round is not asserted: on the wall clock, with every story running at once on
//! a busy machine, TCP adds deadlines of its own, and one difference is known (docs/FAULTS.md:
//! over TCP a call racing a graceful drain's GOAWAY can end `Internal`; in memory it does not).

use jostle_harness::load::{CallLog, CallOutcome, Progress};
use jostle_harness::net::Transport;
use jostle_harness::runner;
use jostle_harness::scenario::{self, Scenario};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tonic::Code;

/// The codes of a run's failed calls (a call that ended at its deadline is `DeadlineExceeded`).
fn codes(log: &CallLog) -> BTreeSet<i32> {
    log.calls
        .iter()
        .filter_map(|call| match call.outcome {
            CallOutcome::Ok => None,
            CallOutcome::Failed(code) => Some(code as i32),
            CallOutcome::TimedOut => Some(Code::DeadlineExceeded as i32),
        })
        .collect()
}

fn names(set: &BTreeSet<i32>) -> Vec<String> {
    set.iter().map(|&code| format!("{:?}", Code::from_i32(code))).collect()
}

/// The codes that a broken connection gives, whichever one the race decides.
fn broke(code: i32) -> bool {
    [Code::Unknown, Code::Unavailable, Code::Cancelled].iter().any(|&broke| broke as i32 == code)
}

fn play(story: &Scenario, replay: &str) -> BTreeSet<i32> {
    let (_, log) = runner::runtime(story)
        .expect("a runtime")
        .block_on(runner::run_with_log(story, replay, &Progress::new()))
        .unwrap_or_else(|error| panic!("{replay} must run: {error}"));
    codes(&log)
}

fn stories() -> Vec<PathBuf> {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures"));
    let mut files = Vec::new();
    for folder in [root.to_path_buf(), root.join("battery")] {
        for entry in std::fs::read_dir(&folder).expect("fixtures/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.extension().is_some_and(|extension| extension == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn relative(path: &Path) -> String {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

#[test]
fn every_story_fails_its_calls_with_the_codes_tcp_gives() {
    let files = stories();
    assert!(files.len() >= 20, "fixtures/ and fixtures/battery/ hold the stories to compare");
    // Over TCP each story runs on the wall clock: all at once, each on its own thread.
    let mut tcp_runs = Vec::new();
    let mut skipped = Vec::new();
    for path in &files {
        let story = scenario::load(path).unwrap_or_else(|error| panic!("{error}"));
        match story.clone().with_transport(Transport::Tcp) {
            Ok(tcp) => {
                let replay = format!("jostle run --tcp {}", relative(path));
                tcp_runs.push((
                    path.clone(),
                    story,
                    std::thread::spawn(move || play(&tcp, &replay)),
                ));
            }
            Err(error) => {
                let reason = error.to_string();
                assert!(
                    reason.contains("in memory only"),
                    "{}: a story is skipped over TCP only for a fault that works in memory \
                     only; got {reason}",
                    relative(path)
                );
                skipped.push(format!("{}: {reason}", relative(path)));
            }
        }
    }
    let mut differences = Vec::new();
    for (path, story, tcp) in tcp_runs {
        let replay = format!("jostle run {}", relative(&path));
        let in_memory = play(&story, &replay);
        let tcp = tcp.join().expect("the TCP run does not panic");
        let others = |set: &BTreeSet<i32>| -> BTreeSet<i32> {
            set.iter().copied().filter(|&code| !broke(code)).collect()
        };
        if in_memory.contains(&(Code::Cancelled as i32))
            || !others(&in_memory).is_subset(&others(&tcp))
        {
            differences.push(format!(
                "{} (seed {}): in memory {:?}, over TCP {:?}; rerun: {replay} and \
                 {replay} --tcp",
                relative(&path),
                story.seed(),
                names(&in_memory),
                names(&tcp)
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "a story must fail its calls with the codes a TCP client gets (Unknown, Unavailable and \
         TCP's Cancelled are one class: a broken connection; in memory never Cancelled):\n{}\n\
         skipped over TCP: {skipped:?}",
        differences.join("\n")
    );
}
