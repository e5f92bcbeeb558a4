//! A `jostle serve` child process, killed if a test fails, and `jostle ctl` calls to it.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long serving may take to announce itself, or to stop after SIGTERM.
const DEADLINE: Duration = Duration::from_secs(60);

pub(crate) fn jostle(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jostle")).args(args).output().expect("jostle runs")
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every stdout line as JSON.
pub(crate) fn lines(stdout: &[u8]) -> Vec<Value> {
    text(stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}")))
        .collect()
}

/// `jostle ctl --control <served's control address> args...`.
pub(crate) fn ctl(served: &Served, args: &[&str]) -> Output {
    let control = served.control();
    let mut all = vec!["ctl", "--control", control.as_str()];
    all.extend_from_slice(args);
    jostle(&all)
}

/// A running `jostle serve` and what it announced.
pub(crate) struct Served {
    child: Option<Child>,
    announced: Value,
    addresses: Vec<String>,
}

impl Served {
    /// Starts `jostle serve --backends N` and waits for its JSON line.
    pub(crate) fn start(backends: usize) -> Self {
        Self::start_with(backends, &[])
    }

    /// Starts `jostle serve --backends N extra...` and waits for its JSON line.
    pub(crate) fn start_with(backends: usize, extra: &[&str]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_jostle"));
        command.args(["serve", "--backends", &backends.to_string()]).args(extra);
        Self::spawn(command, backends)
    }

    /// Runs `command`, a `jostle serve` of `backends` backends (perhaps behind a wrapper that
    /// execs it, such as `ip netns exec`), and waits for its JSON line.
    pub(crate) fn spawn(mut command: Command, backends: usize) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("jostle serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver.recv_timeout(DEADLINE).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("jostle serve must announce itself within {DEADLINE:?}")
        });
        let announced: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the first line must be JSON, got {line:?}: {e}"));
        let addresses: Vec<String> = announced["backends"]
            .as_array()
            .expect("a backends array")
            .iter()
            .enumerate()
            .map(|(index, backend)| {
                assert_eq!(backend["name"], format!("backend-{index}"), "backends in index order");
                backend["address"].as_str().expect("an address").to_owned()
            })
            .collect();
        assert_eq!(addresses.len(), backends, "one announced address per backend: {announced}");
        Self { child: Some(child), announced, addresses }
    }

    /// The process id (the `jostle serve` process itself, also behind an exec wrapper).
    pub(crate) fn id(&self) -> u32 {
        self.child.as_ref().expect("still running").id()
    }

    pub(crate) fn backend(&self, index: usize) -> &str {
        &self.addresses[index]
    }

    pub(crate) fn addresses(&self) -> Vec<String> {
        self.addresses.clone()
    }

    /// The line serve announced itself with, as JSON.
    pub(crate) fn announced_line(&self) -> String {
        self.announced.to_string()
    }

    pub(crate) fn control(&self) -> String {
        self.announced["control"].as_str().expect("a control address").to_owned()
    }

    /// Sends SIGTERM and waits, bounded, for the process to exit.
    pub(crate) fn terminate(&mut self) -> Output {
        let child = self.child.take().expect("still running");
        let sent = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        assert!(sent.is_ok_and(|status| status.success()), "kill -TERM must be delivered");
        let (sender, receiver) = mpsc::channel();
        let id = child.id();
        std::thread::spawn(move || {
            let _ = sender.send(child.wait_with_output());
        });
        let output = receiver.recv_timeout(DEADLINE).unwrap_or_else(|_| {
            let _ = Command::new("kill").args(["-KILL", &id.to_string()]).status();
            panic!("jostle serve must exit within {DEADLINE:?} of SIGTERM")
        });
        output.expect("the exit status can be read")
    }
}

impl Served {
    /// Waits, bounded, for serve to stop by itself (the end of its scenario's load).
    pub(crate) fn wait_for_end(&mut self, within: Duration) -> Output {
        let child = self.child.take().expect("still running");
        let id = child.id();
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(child.wait_with_output());
        });
        let output = receiver.recv_timeout(within).unwrap_or_else(|_| {
            let _ = Command::new("kill").args(["-KILL", &id.to_string()]).status();
            panic!("jostle serve must stop by itself at its scenario's end, within {within:?}")
        });
        output.expect("the exit status can be read")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
