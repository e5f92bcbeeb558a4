//! A client in another language: Python's grpcio, with its own `round_robin` policy, over three
//! served backends (`python/round_robin_client.py`). The backends' counters must equal the split
//! the client saw; after `jostle ctl crash`, the client must move its calls to the others, and
//! the summary written at SIGTERM must say so.
//!
//! Needs python3 with grpcio and grpcio-tools (`python3 -m pip install grpcio grpcio-tools`;
//! .ci/run does). Without them the test is skipped, unless JOSTLE_REQUIRE_PYTHON_GRPC is set.

use super::listed;
use super::process::{self, Served, ctl, lines};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// How long one step of the Python side may take: an import check, stub generation, the
/// channel becoming READY, one phase of calls (300 calls take well under a second here).
const DEADLINE: Duration = Duration::from_secs(60);

const CLIENT: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/serve/python/round_robin_client.py");
const PROTO_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/proto");

const CALLS: u64 = 300;

/// `python3` from JOSTLE_PYTHON, else the PATH.
fn python() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("JOSTLE_PYTHON") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("python3")).find(|path| path.is_file())
}

/// Runs `command` to its end, killed and failing the test after `DEADLINE`.
fn within_deadline(mut command: Command, what: &str) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {what}: {error}"));
    let started = Instant::now();
    while child.try_wait().expect("the child's status").is_none() {
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} must finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("the child's output")
}

/// python3 when grpcio and grpcio-tools import in it; otherwise why not.
pub(super) fn python_with_grpc() -> Result<PathBuf, String> {
    let python = python().ok_or("no python3 on the PATH")?;
    if !python.is_file() {
        return Err(format!("no python3 at {}", python.display()));
    }
    let mut check = Command::new(&python);
    check.args(["-c", "import grpc, grpc_tools.protoc"]);
    let output = within_deadline(check, "the grpcio import check");
    if output.status.success() {
        Ok(python)
    } else {
        Err(format!(
            "{} cannot import grpc and grpc_tools: {}",
            python.display(),
            process::text(&output.stderr).lines().last().unwrap_or("")
        ))
    }
}

/// python3 with grpcio, or `None` after saying why the test is skipped; a failure instead when
/// JOSTLE_REQUIRE_PYTHON_GRPC is set.
pub(super) fn python_or_skip() -> Option<PathBuf> {
    super::outside::or_skip(
        python_with_grpc(),
        "JOSTLE_REQUIRE_PYTHON_GRPC",
        "python3 -m pip install grpcio grpcio-tools; .ci/run does",
    )
}

/// Generates the Python stubs of proto/orders.proto into `dir` with grpcio-tools' protoc.
pub(super) fn generate_stubs(python: &Path, dir: &Path) {
    let mut protoc = Command::new(python);
    protoc
        .args(["-m", "grpc_tools.protoc", "-I", PROTO_DIR])
        .arg(format!("--python_out={}", dir.display()))
        .arg(format!("--grpc_python_out={}", dir.display()))
        .arg(format!("{PROTO_DIR}/orders.proto"));
    let output = within_deadline(protoc, "grpc_tools.protoc");
    assert!(output.status.success(), "grpc_tools.protoc must generate the stubs: {output:?}");
    for stub in ["orders_pb2.py", "orders_pb2_grpc.py"] {
        assert!(dir.join(stub).is_file(), "grpc_tools.protoc must write {stub}");
    }
}

/// The Python client process: one grpcio channel for its whole life, phases sent on stdin.
pub(super) struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Client {
    /// Starts the client over `addresses` and waits for its `{"ready": true}`.
    pub(super) fn start(python: &Path, stubs: &Path, addresses: &[String]) -> Self {
        let target = format!("ipv4:{}", addresses.join(","));
        let mut child = Command::new(python)
            .arg(CLIENT)
            .arg("--stubs")
            .arg(stubs)
            .args(["--target", &target])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the Python client starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        let mut client = Self { child, stdin, lines };
        let ready = client.next_line("its channel READY");
        assert_eq!(ready["ready"], true, "the client must say its channel is READY: {ready}");
        client
    }

    fn next_line(&mut self, what: &str) -> Value {
        let line = self
            .lines
            .recv_timeout(DEADLINE)
            .unwrap_or_else(|_| panic!("the Python client must report {what} within {DEADLINE:?}"));
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("the client printed {line:?}: {e}"))
    }

    /// Sends `calls N` and reads the phase's counts.
    fn phase(&mut self, calls: u64) -> Phase {
        self.send(calls);
        self.counts(calls)
    }

    /// Sends `calls N`: the client starts the phase.
    pub(super) fn send(&mut self, calls: u64) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "calls {calls}").expect("the phase is sent");
        stdin.flush().expect("the phase is sent");
    }

    /// Reads the counts of the phase of `calls` sent last.
    pub(super) fn counts(&mut self, calls: u64) -> Phase {
        let counts = self.next_line("a phase's counts");
        assert_eq!(counts["calls"], calls, "the client must make the calls asked: {counts}");
        assert_eq!(counts["mismatched"], 0, "served_by and x-jostle-backend must agree: {counts}");
        Phase {
            served: by_name(&counts["served"]),
            failed: by_name(&counts["failed"]),
            seconds: counts["seconds"].as_f64().expect("the phase's seconds"),
        }
    }

    /// Sends `quit` and waits, bounded, for exit 0.
    pub(super) fn quit(mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            writeln!(stdin, "quit").expect("quit is sent");
        }
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("the client's status") {
                assert!(status.success(), "the Python client must exit 0: {status}");
                return;
            }
            assert!(started.elapsed() < DEADLINE, "the client must exit within {DEADLINE:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One phase as the client counted it: calls served by backend name, failures by code name.
pub(super) struct Phase {
    pub(super) served: BTreeMap<String, u64>,
    pub(super) failed: BTreeMap<String, u64>,
    seconds: f64,
}

impl Phase {
    fn served_by(&self, backend: &str) -> u64 {
        self.served.get(backend).copied().unwrap_or(0)
    }

    fn failures(&self) -> u64 {
        self.failed.values().sum()
    }
}

fn by_name(object: &Value) -> BTreeMap<String, u64> {
    object
        .as_object()
        .unwrap_or_else(|| panic!("an object of counts: {object}"))
        .iter()
        .map(|(name, count)| (name.clone(), count.as_u64().expect("a count")))
        .collect()
}

/// Each backend's `served` counter, by name, from `jostle ctl list` or the summary JSON.
pub(super) fn served_counters(backends: &[Value]) -> BTreeMap<String, u64> {
    backends
        .iter()
        .map(|backend| {
            let name = backend["name"].as_str().expect("a name").to_owned();
            (name, backend["served"].as_u64().expect("a served count"))
        })
        .collect()
}

/// Waits, bounded, until every backend holds the client's connection open. grpcio's
/// round_robin connects to every address at once, but rotates only over the connections that
/// are READY: a phase started before all three are up would give the first ones more calls.
pub(super) fn wait_for_connections(served: &Served, backends: usize) {
    let started = Instant::now();
    loop {
        let listed = listed(served);
        if listed.iter().filter(|backend| backend["connections_open"] == 1).count() == backends {
            return;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "the client must hold a connection to every backend within {DEADLINE:?}: {listed:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// How far apart two READY backends' shares can be after a phase of `seconds` in which a third
/// backend went down, under grpcio's round_robin (grpc core's `round_robin.cc` and
/// `pick_first.cc`). Each picker rotates strictly over the READY backends, so its calls split
/// between the two at most one apart; but round_robin builds a new picker, starting at a random
/// index, on every state report of any backend, also a down one's. The crashed backend reports
/// IDLE, CONNECTING and TRANSIENT_FAILURE once, then TRANSIENT_FAILURE again after each failed
/// reconnect, at most one per 0.8 s (grpc's backoff: 1 s first, 20 % jitter, growing by 1.6x).
/// So a phase spans at most 1 + 3 + (seconds / 0.8 + 1) pickers, each worth one call of
/// imbalance. (Measured here: 150/150 in 17 runs of 20; 151/149 seen.)
fn rotation_bound(seconds: f64) -> u64 {
    let reconnects = (seconds / 0.8).floor();
    assert!((0.0..1e6).contains(&reconnects), "a phase's seconds: {seconds}");
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let reconnects = reconnects as u64;
    1 + 3 + reconnects + 1
}

#[test]
fn python_grpcio_round_robin_splits_evenly_and_moves_its_calls_off_a_crashed_backend() {
    let Some(python) = python_or_skip() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let stubs = dir.path().join("stubs");
    std::fs::create_dir(&stubs).expect("stub dir");
    generate_stubs(&python, &stubs);
    let report = dir.path().join("summary.json");
    let mut served = Served::start_with(3, &["--json", report.to_str().expect("utf-8 path")]);
    let names: Vec<String> = (0..3).map(|index| format!("backend-{index}")).collect();

    // Phase 1: three READY connections, strict rotation.
    let mut client = Client::start(&python, &stubs, &served.addresses());
    wait_for_connections(&served, 3);
    // A connection the backend accepted is not yet a READY subchannel in the client (its
    // HTTP/2 settings may still be on the way): calls in threes until every backend has
    // served one, so that all three are READY, then the phase counts from there.
    for round in 0.. {
        let counts = served_counters(&listed(&served));
        if names.iter().all(|name| counts.get(name).copied().unwrap_or(0) > 0) {
            break;
        }
        assert!(round < 100, "grpcio never reached all three backends in 100 rounds: {counts:?}");
        client.phase(3);
    }
    let warmed = served_counters(&listed(&served));
    let first = client.phase(CALLS);
    let after_first = served_counters(&listed(&served));
    assert_eq!(
        first.failures(),
        0,
        "no call may fail while every backend serves: {:?}",
        first.failed
    );
    let phase_one: BTreeMap<String, u64> =
        names.iter().map(|name| (name.clone(), after_first[name] - warmed[name])).collect();
    assert_eq!(
        first.served, phase_one,
        "the backends' served counters must equal the split the client saw"
    );
    for name in &names {
        assert_eq!(
            first.served_by(name),
            CALLS / 3,
            "round_robin over three READY backends rotates strictly: {CALLS} calls are a third \
             each: {:?}",
            first.served
        );
    }

    // Phase 2: backend-1 crashed (every connection reset, connects refused), same channel.
    let crashed = ctl(&served, &["crash", "backend-1"]);
    assert_eq!(crashed.status.code(), Some(0), "crash must succeed: {crashed:?}");
    assert_eq!(lines(&crashed.stdout)[0]["state"], "stopped");
    let second = client.phase(CALLS);
    let after_second = served_counters(&listed(&served));
    let gained: BTreeMap<String, u64> =
        names.iter().map(|name| (name.clone(), after_second[name] - after_first[name])).collect();
    assert_eq!(gained["backend-1"], 0, "a crashed backend must serve nothing: {gained:?}");
    let nonzero: BTreeMap<String, u64> =
        gained.iter().filter(|(_, count)| **count > 0).map(|(n, c)| (n.clone(), *c)).collect();
    assert_eq!(
        second.served, nonzero,
        "after the crash too, the counters' increments must equal the split the client saw"
    );
    // grpcio reads the reset at once (the crash is over before the phase starts), so it
    // should lose no call; at most the first call after the crash may still have been sent on
    // backend-1's broken connection, which fails it and takes backend-1 out of the rotation.
    assert!(
        second.failures() <= 1,
        "at most the one call sent on the reset connection may fail: {:?}",
        second.failed
    );
    let (zero, two) = (second.served_by("backend-0"), second.served_by("backend-2"));
    assert_eq!(zero + two + second.failures(), CALLS, "every call is served or failed");
    let most = rotation_bound(second.seconds) + second.failures();
    assert!(
        zero.abs_diff(two) <= most,
        "round_robin must rotate the calls over the two backends left, the two shares apart by \
         at most one per picker it built during the phase ({most} in {} s): {:?}",
        second.seconds,
        second.served
    );
    client.quit();
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "grpcio round_robin: served {:?}; after crashing backend-1 served {:?}, failed {:?} \
             in {} s",
            first.served, second.served, second.failed, second.seconds
        );
    }

    // The summary, at SIGTERM: the same per-backend numbers.
    let output = served.terminate();
    assert_eq!(output.status.code(), Some(0), "SIGTERM must stop serving cleanly: {output:?}");
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("--json written"))
            .expect("summary JSON");
    let reported = served_counters(summary["backends"].as_array().expect("summary backends"));
    let expected: BTreeMap<String, u64> = names
        .iter()
        .map(|name| (name.clone(), warmed[name] + first.served_by(name) + second.served_by(name)))
        .collect();
    assert_eq!(
        reported, expected,
        "the summary must report what the client saw served, warm-up, phase 1 and phase 2: \
         {summary}"
    );
    let stderr = process::text(&output.stderr);
    for (name, count) in &expected {
        let line = stderr.lines().find(|line| line.trim_start().starts_with(&format!("{name} ")));
        assert!(
            line.is_some_and(|line| line.contains(&format!(": served {count}, "))),
            "the stderr summary must give {name} served {count}: {stderr}"
        );
    }
}
