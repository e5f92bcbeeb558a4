//! The helpers of the `jostle drive` tests (drive.rs): the driver as a child process whose
//! stderr is read as it comes, and the client that calls the pods in rounds.

use super::process::Served;
use jostle_harness::control::TOKEN_ENV;
use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tonic::Code;
use tonic::transport::Channel;

pub(crate) const RERUN: &str = "rerun: cargo test -p jostle-harness --test harness drive";

/// How long anything here may take before the test gives up: far beyond what it needs.
pub(crate) const DEADLINE: Duration = Duration::from_secs(60);

/// The most CreateOrder calls the client makes to each pod.
pub(crate) const MAX_ROUNDS: u32 = 20_000;

/// How long one CreateOrder call may take.
pub(crate) const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// What the drive stories expect of round robin over three pods, one of which answers
/// UNAVAILABLE for a while: backend 0 serves its third, backend 1 no more than its third.
pub(crate) const SPLIT: &str = "[expect]\nshares = [{ backend = 0, at_least = 0.3 }]\n\
                                max_shares = [{ backend = 1, at_most = 0.34 }]\n";

/// `story` written as `story.toml` in `dir`.
pub(crate) fn write(dir: &Path, story: &str) -> PathBuf {
    let file = dir.join("story.toml");
    std::fs::write(&file, story).expect("the story can be written");
    file
}

/// `jostle drive args...`, without a token from the environment.
pub(crate) fn drive_command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jostle"));
    command.arg("drive").args(args).env_remove(TOKEN_ENV);
    command
}

/// Lists the pods' control addresses in `file`, replaced whole (written aside, renamed over),
/// as a sidecar would: the driver never reads half a file.
pub(crate) fn list(file: &Path, pods: &[&Served]) {
    let aside = file.with_extension("new");
    let mut text = "# the pods' control addresses\n".to_owned();
    for pod in pods {
        text.push_str(&pod.control());
        text.push('\n');
    }
    std::fs::write(&aside, text).expect("the pods file can be written");
    std::fs::rename(&aside, file).expect("the pods file can be replaced");
}

/// `jostle drive STORY --pods-file FILE` (read again every 100 ms) with its JSON report written
/// to `json`, once it drives.
pub(crate) fn drive_following(story: &Path, file: &Path, json: &Path) -> Driving {
    let mut driving = Driving::start(drive_command(&[
        story.to_str().unwrap(),
        "--pods-file",
        file.to_str().unwrap(),
        "--resolve-every",
        "100ms",
        "--json",
        json.to_str().unwrap(),
    ]));
    driving.wait_for("driving until Ctrl-C or SIGTERM");
    driving
}

/// A running `jostle drive`: its stderr read line by line as it comes.
pub(crate) struct Driving {
    pub(crate) child: Option<Child>,
    pub(crate) lines: mpsc::Receiver<String>,
    pub(crate) stderr: Vec<String>,
}

impl Driving {
    pub(crate) fn start(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("jostle drive starts");
        let stderr = child.stderr.take().expect("piped stderr");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child: Some(child), lines, stderr: Vec::new() }
    }

    /// Waits, bounded, for a line on stderr containing `text`.
    pub(crate) fn wait_for(&mut self, text: &str) {
        let until = Instant::now() + DEADLINE;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(text);
                    self.stderr.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => panic!(
                    "jostle drive must say `{text}` within {DEADLINE:?}; it said: {:?}; {RERUN}",
                    self.stderr
                ),
            }
        }
    }

    /// Whether it has exited.
    pub(crate) fn exited(&mut self) -> bool {
        let child = self.child.as_mut().expect("still running");
        child.try_wait().expect("the child's status can be read").is_some()
    }

    /// Sends SIGTERM, then waits as [`Driving::wait`] does.
    pub(crate) fn terminate(&mut self) -> (ExitStatus, String) {
        let id = self.child.as_ref().expect("still running").id().to_string();
        let sent = Command::new("kill").args(["-TERM", &id]).status();
        assert!(sent.is_ok_and(|status| status.success()), "kill -TERM must be delivered");
        self.wait()
    }

    /// Waits, bounded, for it to exit: its status and all it said on stderr.
    pub(crate) fn wait(&mut self) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("still running");
        // Stderr closes when the process exits.
        let until = Instant::now() + DEADLINE;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.stderr.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "jostle drive must exit within {DEADLINE:?}; it said: {:?}; {RERUN}",
                        self.stderr
                    );
                }
            }
        }
        let status = child.wait().expect("the child's status can be read");
        (status, self.stderr.join("\n"))
    }
}

impl Drop for Driving {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// What the client saw from one pod.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen {
    pub(crate) ok: u64,
    pub(crate) unavailable: u64,
    pub(crate) other: u64,
    /// Whether the last call was OK.
    pub(crate) last_ok: bool,
}

/// The client: one tonic client per pod, created once, and rounds of one CreateOrder call to
/// each pod in turn.
pub(crate) struct Client {
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) pods: Vec<OrderServiceClient<Channel>>,
    pub(crate) seen: Vec<Seen>,
    pub(crate) calls: u64,
}

impl Client {
    pub(crate) fn connect(pods: &[Served]) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let clients = runtime.block_on(async {
            let mut clients = Vec::new();
            for pod in pods {
                let address = format!("http://{}", pod.backend(0));
                let client = OrderServiceClient::connect(address.clone());
                clients.push(client.await.unwrap_or_else(|e| panic!("{address}: {e}; {RERUN}")));
            }
            clients
        });
        let seen = vec![Seen::default(); pods.len()];
        Self { runtime, pods: clients, seen, calls: 0 }
    }

    /// One call to each pod in turn.
    pub(crate) fn round(&mut self) {
        let Self { runtime, pods, seen, calls } = self;
        runtime.block_on(async {
            for (client, seen) in pods.iter_mut().zip(seen.iter_mut()) {
                *calls += 1;
                let mut request = tonic::Request::new(create_order_request(*calls));
                request.set_timeout(CALL_TIMEOUT);
                let code = match client.create_order(request).await {
                    Ok(_) => Code::Ok,
                    Err(status) => status.code(),
                };
                match code {
                    Code::Ok => seen.ok += 1,
                    Code::Unavailable => seen.unavailable += 1,
                    _ => seen.other += 1,
                }
                seen.last_ok = code == Code::Ok;
            }
        });
    }

    /// Rounds until `done` says so or `driving` exits, at most [`MAX_ROUNDS`] and
    /// [`DEADLINE`]; whether `done` said so.
    pub(crate) fn rounds_until(
        &mut self,
        driving: &mut Driving,
        done: impl Fn(&[Seen]) -> bool,
    ) -> bool {
        let until = Instant::now() + DEADLINE;
        for _ in 0..MAX_ROUNDS {
            if done(&self.seen) {
                return true;
            }
            if driving.exited() || Instant::now() >= until {
                return false;
            }
            self.round();
        }
        false
    }
}

/// The report `jostle drive --json` wrote.
pub(crate) fn report(file: &Path) -> Value {
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("drive must write its report to {}: {e}", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the report must be JSON: {e}: {text}"))
}

/// The pods' control addresses, comma-separated, in backend order.
pub(crate) fn controls(pods: &[Served]) -> String {
    pods.iter().map(Served::control).collect::<Vec<_>>().join(",")
}
