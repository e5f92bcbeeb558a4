//! `jostle judge`: a scenario file's expectations judged from a client's call records (and,
//! optionally, `jostle serve`'s counters), with the checks and the report of `jostle run`.

use crate::output::Output;
use crate::say;
use jostle_harness::calls::{self, Fit};
use jostle_harness::fault::{FaultWindow, Kind};
use jostle_harness::runner::{self, ServerSide};
use jostle_harness::scenario;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// The largest counters file read: serve's --json report of 10,000 backends and their faults
/// fits many times over.
const MAX_COUNTERS_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, clap::Args)]
pub(crate) struct JudgeArgs {
    /// The scenario file whose expectations judge the calls (TOML; docs/SCENARIOS.md).
    #[arg(value_name = "SCENARIO")]
    scenario: PathBuf,
    /// The client's call records: JSON Lines, one call a line (docs/calls.schema.json).
    #[arg(long, value_name = "FILE")]
    calls: PathBuf,
    /// `jostle serve --scenario ... --json FILE`'s report: the backends' connections and the
    /// fault windows as they were played (otherwise the file's faults are played again in
    /// memory for their windows, and the connection checks are not judged).
    #[arg(long, value_name = "FILE")]
    counters: Option<PathBuf>,
    /// The seed the run was made with, when `jostle run --seed N` replaced the file's.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// The built-in balancer the records' run played, when `jostle run --balancer NAME`
    /// replaced the file's; the story is then expected to pass, as with `jostle run`.
    #[arg(long, value_name = "NAME")]
    balancer: Option<String>,
    /// The calls went over real TCP on the wall clock (`jostle run --tcp`, a client of
    /// `jostle serve`; implied by --counters): judged with a run over TCP's allowances (a
    /// call may end up to 250 ms past its deadline, the scheduler's jitter).
    #[arg(long)]
    tcp: bool,
    /// Also write the report as JSON to this file (docs/REPORT.md).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Also write the report as a self-contained HTML page with the timeline chart.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

/// Exit 0 when the records give the outcome the story expects, 1 when not (or the report
/// cannot be written), 2 on bad input.
pub(crate) fn judge(args: &JudgeArgs) -> ExitCode {
    match judged(args) {
        Ok(code) => code,
        Err((message, code)) => say::fail(&message, code),
    }
}

fn judged(args: &JudgeArgs) -> Result<ExitCode, (String, u8)> {
    let bad = |message: String| (format!("error: {message}"), 2);
    let mut story = scenario::load(&args.scenario).map_err(|error| bad(error.to_string()))?;
    if let Some(seed) = args.seed {
        story = story.with_seed(seed);
    }
    if let Some(name) = &args.balancer {
        story = story
            .with_balancer(name)
            .map_err(|error| bad(format!("{}: {error}", args.scenario.display())))?;
    }
    let inputs: Vec<&Path> =
        [Some(args.scenario.as_path()), Some(args.calls.as_path()), args.counters.as_deref()]
            .into_iter()
            .flatten()
            .collect();
    let mut outputs: Vec<(&str, Output)> = Vec::new();
    for (flag, path) in [("--json", &args.json), ("--html", &args.html)] {
        if let Some(path) = path {
            let output = Output::check(flag, path, &inputs).map_err(bad)?;
            if let Some((_, other)) = outputs.iter().find(|(_, other)| other.same_as(&output)) {
                return Err(bad(format!(
                    "{} and {} are the same file; expected one file each",
                    other.name(),
                    output.name()
                )));
            }
            outputs.push((flag, output));
        }
    }
    let names: Vec<String> = (0..story.backends()).map(|i| format!("backend-{i}")).collect();
    let fit =
        Fit { clients: story.clients(), backends: &names, deadline: story.load_spec().deadline };
    let server = args
        .counters
        .as_deref()
        .map(|path| counters(path, story.backends()))
        .transpose()
        .map_err(bad)?;
    let log = calls::read(&args.calls, &fit).map_err(|error| bad(error.to_string()))?;
    let mut replay =
        format!("jostle judge {} --calls {}", args.scenario.display(), args.calls.display());
    if let Some(path) = &args.counters {
        replay.push_str(&format!(" --counters {}", path.display()));
    }
    if let Some(seed) = args.seed {
        replay.push_str(&format!(" --seed {seed}"));
    }
    if args.tcp {
        replay.push_str(" --tcp");
    }
    if let Some(name) = &args.balancer {
        replay.push_str(&format!(" --balancer {name}"));
    }
    let report = runner::judge(&story, &log, server.as_ref(), &replay)
        .map_err(|error| (format!("error: {error}"), 1))?;
    let lost =
        |why: std::io::Error| (format!("error: cannot write to stdout: {why}"), say::OUTPUT_LOST);
    say::line(&report).map_err(lost)?;
    for (flag, output) in &outputs {
        let contents = if *flag == "--json" { report.to_json() } else { report.to_html() };
        output
            .write(&contents)
            .map_err(|error| (format!("error: cannot write {}: {error}", output.name()), 1))?;
    }
    Ok(if report.as_expected { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The server side of `jostle serve --json`'s report at `path`: each backend's connections
/// and every fault window; the error names the file and what is wrong.
fn counters(path: &Path, backends: usize) -> Result<ServerSide, String> {
    let name = format!("--counters {}", path.display());
    let metadata =
        std::fs::metadata(path).map_err(|error| format!("{name}: cannot read: {error}"))?;
    if !metadata.is_file() {
        let kind = scenario::file_kind(&metadata);
        return Err(format!("{name}: it is {kind}; expected serve's --json report"));
    }
    if metadata.len() > MAX_COUNTERS_BYTES {
        return Err(format!(
            "{name}: larger than {MAX_COUNTERS_BYTES} bytes; expected serve's --json report"
        ));
    }
    let text =
        std::fs::read_to_string(path).map_err(|error| format!("{name}: cannot read: {error}"))?;
    let value: Value = serde_json::from_str(&text).map_err(|error| {
        format!(
            "{}:{}:{}: not JSON ({error}); expected serve's --json report",
            path.display(),
            error.line(),
            error.column()
        )
    })?;
    let wrong = |what: &str| {
        format!(
            "{name}: {what}; expected serve's --json report (`jostle serve --scenario FILE --json OUT`)"
        )
    };
    let listed = value["backends"].as_array().ok_or_else(|| wrong("no `backends` list"))?;
    if listed.len() != backends {
        return Err(wrong(&format!("{} backends, the scenario {backends}", listed.len())));
    }
    let mut connections = Vec::with_capacity(backends);
    for (index, backend) in listed.iter().enumerate() {
        let accepted = backend["connections_accepted"].as_u64().ok_or_else(|| {
            wrong(&format!("backends[{index}] has no `connections_accepted` count"))
        })?;
        connections.push(accepted);
    }
    let mut windows = Vec::new();
    for (index, window) in
        value["faults"].as_array().ok_or_else(|| wrong("no `faults` list"))?.iter().enumerate()
    {
        let field = |key: &str| wrong(&format!("faults[{index}] has no valid `{key}`"));
        let kind =
            window["kind"].as_str().and_then(Kind::from_name).ok_or_else(|| field("kind"))?;
        let backend = window["backend"].as_str().ok_or_else(|| field("backend"))?;
        let index = backend.strip_prefix("backend-").and_then(|n| n.parse::<usize>().ok());
        if index.is_none_or(|n| n >= backends) {
            return Err(field("backend"));
        }
        let end = match &window["end_ms"] {
            Value::Null => None,
            end => Some(Duration::from_millis(end.as_u64().ok_or_else(|| field("end_ms"))?)),
        };
        windows.push(FaultWindow {
            id: window["id"].as_u64().ok_or_else(|| field("id"))?,
            backend: backend.to_owned(),
            kind: kind.name(),
            detail: window["detail"].as_str().unwrap_or_default().to_owned(),
            start: Duration::from_millis(
                window["start_ms"].as_u64().ok_or_else(|| field("start_ms"))?,
            ),
            end,
        });
    }
    Ok(ServerSide { connections, windows })
}
