//! An outside client (Python's grpcio, the article's Go program) played against `jostle serve
//! --scenario FILE`: the client starts first and says it waits (importing grpcio takes
//! seconds), serve starts and announces its addresses, the client is told to go, prints its
//! counts; serve stops, and its `--json` report is read. A test without the client's
//! toolchain is skipped with what to install, unless the variable that requires it is set.

use super::process::{self, Served};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// How long a step may take beyond the file's own load: importing grpcio, the last calls.
pub(crate) const SLACK: Duration = Duration::from_secs(60);

/// `found`, or `None` after saying on stderr why the test is skipped and what to install; a
/// failure instead when the environment variable `require` is set.
pub(crate) fn or_skip<T>(found: Result<T, String>, require: &str, install: &str) -> Option<T> {
    match found {
        Ok(found) => Some(found),
        Err(why) => {
            assert!(std::env::var_os(require).is_none(), "{require} is set but {why}: {install}");
            #[allow(clippy::print_stderr)]
            {
                eprintln!("skipped: {why} ({install})");
            }
            None
        }
    }
}

/// How a played story's `jostle serve` ends.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stop {
    /// By itself, at the end of the file's load (a load bounded by time).
    AtItsEnd,
    /// By SIGTERM once the client is done (a load bounded by calls: serve knows no end).
    Terminate,
}

/// One play of a scenario file by an outside client against `jostle serve`.
#[derive(Debug)]
pub(crate) struct Play<'a> {
    /// The scenario file serve plays.
    pub(crate) file: &'a Path,
    /// Its backends.
    pub(crate) backends: usize,
    /// Where the client writes its call records, for serve's `--calls`; `None`: no records.
    pub(crate) calls: Option<&'a Path>,
    /// What the client is told on stdin once serve announced itself (its announced line, or
    /// a `go` line with its addresses).
    pub(crate) go: fn(&Served) -> String,
    /// How long the client may take to print its counts after it was told to go.
    pub(crate) counts_within: Duration,
    /// How serve ends.
    pub(crate) stop: Stop,
}

/// What a [`Play`] gave: serve's whole `--json` report, and the client's own counts.
#[derive(Debug)]
pub(crate) struct Played {
    pub(crate) report: Value,
    pub(crate) counts: Value,
}

impl Play<'_> {
    /// Starts `client` (its stdin and stdout are piped here), plays the story, and reads both
    /// sides' accounts.
    pub(crate) fn run(&self, client: Command, what: &str) -> Played {
        let mut client = Lines::spawn(client, what);
        let waiting = client.next("that it waits", SLACK);
        assert_eq!(waiting["waiting"], true, "{what} must wait for serve: {waiting}");
        let dir = tempfile::tempdir().expect("temp dir");
        let json = dir.path().join("served.json");
        let mut args = vec!["--scenario", self.file.to_str().expect("a UTF-8 path")];
        if let Some(calls) = self.calls {
            args.extend(["--calls", calls.to_str().expect("a UTF-8 path")]);
        }
        args.extend(["--json", json.to_str().expect("a UTF-8 path")]);
        let mut serving = Served::start_with(self.backends, &args);
        client.say(&(self.go)(&serving));
        let counts = client.next("its counts", self.counts_within);
        client.wait();
        let output = match self.stop {
            Stop::AtItsEnd => serving.wait_for_end(SLACK),
            Stop::Terminate => serving.terminate(),
        };
        let stderr = process::text(&output.stderr);
        let report = std::fs::read_to_string(&json).unwrap_or_default();
        let report: Value = serde_json::from_str(&report).unwrap_or_else(|e| {
            panic!("serve must write --json for {} ({e}): {stderr}", self.file.display())
        });
        Played { report, counts }
    }
}

/// A child process that prints one JSON value a line and reads commands on stdin.
struct Lines {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    what: String,
}

impl Lines {
    fn spawn(mut command: Command, what: &str) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{what} must start: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let stdin = child.stdin.take().expect("piped stdin");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, stdin, lines, what: what.to_owned() }
    }

    /// The next line, as JSON, within `within`.
    fn next(&self, saying: &str, within: Duration) -> Value {
        let what = &self.what;
        let line = self
            .lines
            .recv_timeout(within)
            .unwrap_or_else(|_| panic!("{what} must print {saying} within {within:?}"));
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{what} printed {line:?}: {e}"))
    }

    fn say(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").and_then(|()| self.stdin.flush()).expect("the line is sent");
    }

    fn wait(mut self) {
        let _ = self.child.wait();
    }
}

impl Drop for Lines {
    fn drop(&mut self) {
        // A test that failed half-way leaves no client behind.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
