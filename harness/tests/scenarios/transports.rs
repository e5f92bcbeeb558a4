//! In memory looks like TCP to the client: every fixture and battery file, played on both
//! transports, fails its calls with the same set of status codes, both ways, and gives the same
//! verdict on every check whose verdict is not bound to the clock ([`timing_bound`] holds the
//! rule and says why of each check it leaves out; the test prints what it left out).
//!
//! What the comparison treats as one:
//! - A broken or refused connection: `Unknown`, `Unavailable` and `Cancelled` are one class.
//!   Which of them a call gets at a crash, and whether a call is in flight at its instant at
//!   all, is a matter of microseconds over TCP: a TCP call takes real time, so one can be in
//!   flight at a crash (an in-memory call takes no virtual time, and the paused clock rarely
//!   puts one there), a busy machine makes TCP connects fail where the paused clock never
//!   does, and the other way round a lone closed-loop call in memory can sit exactly on a
//!   crash's instant where over TCP it did not (fixtures/article-restart.toml). The class is
//!   not compared; what each code of it means at each instant, on both transports, is held
//!   by harness/tests/faults/instants.rs.
//! - `Internal` in a story that sends GOAWAY (`drain`, `terminate`, `connection-age`): a call
//!   racing the GOAWAY (docs/FAULTS.md); either transport may show it.
//!
//! Every other code either transport gives, the other must give too, but for TCP's own
//! `DeadlineExceeded`: on a busy machine (measured at a load average of 14 on 2 cores) TCP's
//! wall clock stretches calls past their deadline, where the paused clock never does.
//!
//! The stories play 8 legs at a time, the longest first; a story whose load runs longer than
//! [`TCP_LOAD_LIMIT`] plays in memory only (fixtures/stale-dns.toml, 58 s: its codes come
//! from a restart, which shorter stories compare).

use jostle_harness::load::{CallLog, CallOutcome, Progress, Until};
use jostle_harness::net::Transport;
use jostle_harness::runner;
use jostle_harness::scenario::{self, Scenario};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
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

fn play(story: &Scenario, replay: &str) -> (BTreeSet<i32>, Verdicts) {
    let (report, log) = runner::runtime(story)
        .expect("a runtime")
        .block_on(runner::run_with_log(story, replay, &Progress::new()))
        .unwrap_or_else(|error| panic!("{replay} must run: {error}"));
    (codes(&log), verdicts(&report))
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

/// How many legs (a story on one transport) play at once.
const AT_ONCE: usize = 8;

/// The longest load (warm-up and duration) a TCP leg is given (on the wall clock).
const TCP_LOAD_LIMIT: Duration = Duration::from_secs(21);

/// Why a check's verdict is bound to the clock, or `None` when it is not and is compared.
///
/// The rule: a verdict that only counts calls, codes or connections left behind is compared; a
/// verdict that judges a duration (latency, deadline overrun, time to recover or converge, how
/// fast failures come) or the calls inside windows tied to instants on the clock (after a
/// crash, a discovery change, a reconnect backoff) is timing-bound: over TCP the wall clock
/// stretches calls and moves them against the timeline on a busy machine, where the paused
/// clock never does. A check this rule does not know fails the test: classify it here.
fn timing_bound(check: &str) -> Option<&'static str> {
    match check {
        "accounting" | "leak-free" | "codes" | "distribution" | "served-nothing" => None,
        "latency" | "timeout" => Some("judges call durations"),
        "fail-fast" => Some("judges how long failed calls took"),
        "convergence" | "recovery" | "settled" => Some("judges how long until a change took hold"),
        "fallback" | "share" | "max-share" | "only-announced" | "avoidable-failures" => {
            Some("judges the calls inside windows tied to faults or discovery changes")
        }
        "connections" => Some("counts reconnects, which follow the backoff's clock"),
        "failure-rate" | "min-failure-rate" => {
            Some("counts failures at a crash, which depend on the calls in flight at its instant")
        }
        "load" => Some("says the driver started calls late, on a busy machine's clock"),
        other => panic!(
            "check {other} is not classified: say in timing_bound (harness/tests/scenarios/\
             transports.rs) whether its verdict is bound to the clock"
        ),
    }
}

/// Each check's verdict, by name (a name that occurs twice: failed if either failed).
type Verdicts = BTreeMap<String, bool>;

fn verdicts(report: &jostle_harness::report::RunReport) -> Verdicts {
    let mut verdicts = Verdicts::new();
    for expectation in &report.expectations {
        let passed = verdicts.entry(expectation.check.clone()).or_insert(true);
        *passed &= expectation.passed;
    }
    verdicts
}

/// One story on one transport, to play.
struct Leg {
    path: PathBuf,
    story: Scenario,
    replay: String,
    /// How long it runs, at most (to play the longest first).
    length: Duration,
}

/// The legs of every story: in memory, and over TCP unless the story cannot run there (a
/// fault that works in memory only) or runs longer than [`TCP_LOAD_LIMIT`].
fn legs(files: &[PathBuf]) -> (Vec<Leg>, Vec<String>) {
    let (mut legs, mut skipped) = (Vec::new(), Vec::new());
    for path in files {
        let story = scenario::load(path).unwrap_or_else(|error| panic!("{error}"));
        if story.transport() != Transport::InMemory {
            // tonic's balancer takes endpoints, not connectors: on TCP whatever the file says.
            skipped.push(format!("{}: its balancer runs on TCP only", relative(path)));
            continue;
        }
        let spec = story.load_spec();
        let length = story.warm_up() + spec.longest().min(Duration::from_secs(3600));
        let replay = format!("jostle run {}", relative(path));
        match story.clone().with_transport(Transport::Tcp) {
            Ok(_) if matches!(spec.until, Until::Elapsed(d) if story.warm_up() + d > TCP_LOAD_LIMIT) =>
            {
                skipped.push(format!("{}: longer than {TCP_LOAD_LIMIT:?}", relative(path)));
            }
            Ok(tcp) => legs.push(Leg {
                path: path.clone(),
                story: tcp,
                replay: format!("{replay} --tcp"),
                length,
            }),
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
        legs.push(Leg { path: path.clone(), story, replay, length });
    }
    legs.sort_by_key(|leg| std::cmp::Reverse(leg.length));
    (legs, skipped)
}

/// Plays every leg, [`AT_ONCE`] at a time; each leg's codes and verdicts, by file and
/// transport.
fn play_all(legs: Vec<Leg>) -> BTreeMap<(PathBuf, &'static str), (BTreeSet<i32>, Verdicts)> {
    let queue = Mutex::new(legs.into_iter());
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..AT_ONCE)
            .map(|_| {
                scope.spawn(|| {
                    let mut played = Vec::new();
                    loop {
                        // The lock is let go before the leg plays.
                        let next = queue.lock().unwrap().next();
                        let Some(leg) = next else { break };
                        let key = (leg.path.clone(), leg.story.transport().name());
                        played.push((key, play(&leg.story, &leg.replay)));
                    }
                    played
                })
            })
            .collect();
        workers.into_iter().flat_map(|worker| worker.join().expect("a leg panicked")).collect()
    })
}

/// Whether `story` has a fault of one of `kinds`.
fn has_fault(story: &Scenario, kinds: &[&str]) -> bool {
    story.injections().iter().any(|injection| kinds.contains(&injection.fault.kind().name()))
}

/// What differs between the two transports' codes of `story`, if anything.
fn code_difference(
    story: &Scenario,
    memory: &BTreeSet<i32>,
    tcp: &BTreeSet<i32>,
) -> Option<String> {
    let racing_goaway = has_fault(story, &["drain", "terminate", "connection-age"]);
    let others = |set: &BTreeSet<i32>, also: i32| -> BTreeSet<i32> {
        set.iter()
            .copied()
            .filter(|&code| !broke(code) && code != also)
            .filter(|&code| !(racing_goaway && code == Code::Internal as i32))
            .collect()
    };
    // TCP adds DeadlineExceeded on a busy machine: its wall clock stretches calls.
    let deadline = Code::DeadlineExceeded as i32;
    if !others(memory, -1).is_subset(&others(tcp, -1)) {
        return Some("in memory gave a code TCP did not".into());
    }
    if !others(tcp, deadline).is_subset(&others(memory, -1)) {
        return Some("over TCP a code came that memory did not give".into());
    }
    None
}

#[test]
fn every_story_fails_its_calls_with_the_codes_tcp_gives_and_the_same_verdicts_where_the_clock_does_not_decide()
 {
    let files = stories();
    assert!(files.len() >= 20, "fixtures/ and fixtures/battery/ hold the stories to compare");
    let (legs, skipped) = legs(&files);
    let stories: BTreeMap<PathBuf, Scenario> = legs
        .iter()
        .filter(|leg| leg.story.transport() == Transport::InMemory)
        .map(|leg| (leg.path.clone(), leg.story.clone()))
        .collect();
    let played = play_all(legs);
    let mut differences = Vec::new();
    let mut compared = 0;
    let (mut verdicts_compared, mut left_out) = (0, Vec::new());
    for (path, story) in &stories {
        let (memory, memory_verdicts) = &played[&(path.clone(), Transport::InMemory.name())];
        let Some((tcp, tcp_verdicts)) = played.get(&(path.clone(), Transport::Tcp.name())) else {
            continue;
        };
        compared += 1;
        let replay = format!("jostle run {}", relative(path));
        if let Some(why) = code_difference(story, memory, tcp) {
            differences.push(format!(
                "{} (seed {}): {why}: in memory {:?}, over TCP {:?}; rerun: {replay} and \
                 {replay} --tcp",
                relative(path),
                story.seed(),
                names(memory),
                names(tcp)
            ));
        }
        let checks: BTreeSet<&String> = memory_verdicts.keys().chain(tcp_verdicts.keys()).collect();
        for check in checks {
            if let Some(why) = timing_bound(check) {
                left_out.push(format!("{} {check}: {why}", relative(path)));
                continue;
            }
            let (a, b) = (memory_verdicts.get(check), tcp_verdicts.get(check));
            verdicts_compared += 1;
            if a != b {
                differences.push(format!(
                    "{} (seed {}): check {check} {a:?} in memory, {b:?} over TCP; rerun: \
                     {replay} and {replay} --tcp",
                    relative(path),
                    story.seed()
                ));
            }
        }
    }
    assert!(compared >= 18, "most stories play on both transports, {compared} did: {skipped:?}");
    assert!(
        verdicts_compared >= 2 * compared,
        "every story's counting verdicts are compared, only {verdicts_compared} were"
    );
    println!("verdicts not compared (timing-bound):\n{}", left_out.join("\n"));
    assert!(
        differences.is_empty(),
        "a story must fail its calls with the codes a TCP client gets, and give the same \
         verdicts on every check not bound to the clock (module docs say what counts as one):\n{}\n\
         skipped over TCP: {skipped:?}\nverdicts not compared (timing-bound):\n{}",
        differences.join("\n"),
        left_out.join("\n")
    );
}
