//! `jostle run`: plays scenario files under the paused clock and reports each one; exit 0 when
//! every run gives the outcome its story expects, 1 when one does not, 2 on bad input.

use crate::bar::Bar;
use crate::output::Output;
use crate::{panics, say};
use jostle::balance::Profile;
use jostle_harness::calls;
use jostle_harness::load::{Progress, Until};
use jostle_harness::net::Transport;
use jostle_harness::runner;
use jostle_harness::scenario::{self, Scenario, ScenarioError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// The scenario files (TOML; docs/SCENARIOS.md).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Also write the report as JSON to this file (one scenario only; docs/REPORT.md).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Also write the report as a self-contained HTML page with the timeline chart: calls per
    /// backend over time with the fault windows shaded, failures and latency (one scenario
    /// only).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Also write the client's record of every call as JSON Lines to this file, one call a
    /// line (one scenario only; docs/calls.schema.json): what `jostle judge` reads.
    #[arg(long, value_name = "FILE")]
    calls: Option<PathBuf>,
    /// Run in memory on the wall clock instead of tokio's paused clock (TCP scenarios always
    /// run on the wall clock).
    #[arg(long)]
    wall_clock: bool,
    /// Replace the file's seed: every random choice of the run comes from N.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Run an in-memory scenario over real TCP on 127.0.0.1 (on the wall clock).
    #[arg(long)]
    tcp: bool,
    /// Replace the file's balancer with a built-in one (`jostle list`) and its default
    /// parameters; the story is then expected to pass: does that balancer survive it?
    #[arg(long, value_name = "NAME")]
    balancer: Option<String>,
    /// Play a jostle policy with `grpc`'s documented client defaults (no ejection on timeouts or
    /// UNAVAILABLE answers, DNS re-resolution at most every 30 s, transparent retry) or
    /// `jostle`'s own; replaces
    /// the file's `profile` (docs/GRPC.md).
    #[arg(long, value_name = "NAME", value_parser = crate::profile::parse)]
    profile: Option<Profile>,
}

/// Why `jostle run` stops early: the line to print and the exit code.
struct Stop {
    message: String,
    code: u8,
    replay: Option<String>,
}

impl Stop {
    fn bad_input(message: String) -> Self {
        Self { message, code: 2, replay: None }
    }

    fn failed(message: String) -> Self {
        Self { message, code: 1, replay: None }
    }
}

impl From<std::io::Error> for Stop {
    fn from(why: std::io::Error) -> Self {
        Self {
            message: format!("error: cannot write to stdout: {why}"),
            code: say::OUTPUT_LOST,
            replay: None,
        }
    }
}

pub(crate) fn run(args: &RunArgs) -> ExitCode {
    match play(args) {
        Ok(code) => code,
        Err(stop) => {
            if let Some(replay) = &stop.replay {
                say::error(&stop.message);
                say::fail(&format!("replay: {replay}"), stop.code)
            } else {
                say::fail(&stop.message, stop.code)
            }
        }
    }
}

/// Checks every input (files, flags, output paths) before running anything, then plays each
/// scenario and writes its report.
fn play(args: &RunArgs) -> Result<ExitCode, Stop> {
    if args.files.len() != 1 {
        for (flag, given) in [
            ("--json", args.json.is_some()),
            ("--html", args.html.is_some()),
            ("--calls", args.calls.is_some()),
        ] {
            if given {
                return Err(Stop::bad_input(format!(
                    "error: {flag} takes one scenario FILE, got several"
                )));
            }
        }
    }
    let mut scenarios = Vec::new();
    for file in &args.files {
        let loaded =
            scenario::load(file).map_err(|error| Stop::bad_input(format!("error: {error}")))?;
        let loaded = overridden(loaded, args)
            .map_err(|error| Stop::bad_input(format!("error: {}: {error}", file.display())))?;
        if let Some(why) = loaded.balancer().needs_factory() {
            let place =
                loaded.policy_place().map_or_else(|| file.display().to_string(), str::to_owned);
            return Err(Stop::bad_input(format!("error: {place}: {why}")));
        }
        scenarios.push((file, loaded));
    }
    let inputs: Vec<&Path> = args.files.iter().map(PathBuf::as_path).collect();
    let mut outputs = Vec::new();
    for (flag, path) in [("--json", &args.json), ("--html", &args.html), ("--calls", &args.calls)] {
        if let Some(path) = path {
            let output = Output::check(flag, path, &inputs)
                .map_err(|why| Stop::bad_input(format!("error: {why}")))?;
            if let Some(other) =
                outputs.iter().find(|(_, other): &&(_, Output)| other.same_as(&output))
            {
                return Err(Stop::bad_input(format!(
                    "error: {} and {} are the same file; expected one file each",
                    other.1.name(),
                    output.name()
                )));
            }
            outputs.push((flag, output));
        }
    }
    let runs = scenarios.len();
    let mut unexpected = Vec::new();
    for (index, (file, loaded)) in scenarios.into_iter().enumerate() {
        if index > 0 {
            say::line("")?;
        }
        let runtime =
            runner::runtime(&loaded).map_err(|error| Stop::failed(format!("error: {error}")))?;
        let replay = replay_command(file, args);
        let progress = Progress::new();
        // Every client's calls end up in the same counters: a count of calls is of them all.
        let mut spec = loaded.load_spec();
        if let Until::Calls(calls) = spec.until {
            spec.until = Until::Calls(calls.saturating_mul(loaded.clients() as u64));
        }
        let bar = Bar::start(file, &spec, &progress);
        panics::take();
        let played = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime.block_on(runner::run_with_log(&loaded, &replay, &progress))
        }));
        drop(runtime);
        if let Some(bar) = bar {
            bar.finish();
        }
        let failed = |why: String| Stop {
            replay: Some(replay.clone()),
            ..Stop::failed(format!("error: {}: the run failed: {why}", file.display()))
        };
        if let Some(panic) = panics::take() {
            return Err(failed(format!("a panic {panic}")));
        }
        let (report, log) = match played {
            Ok(Ok(played)) => played,
            Ok(Err(error)) => return Err(failed(error.to_string())),
            Err(_) => return Err(failed("a panic".to_owned())),
        };
        say::line(&report)?;
        if !report.as_expected {
            say::line(format_args!("seed: {}", report.seed))?;
            say::line(format_args!("replay: {replay}"))?;
            unexpected.push(file.display().to_string());
        }
        for (flag, output) in &outputs {
            let contents = match *flag {
                "--json" => report.to_json(),
                "--html" => report.to_html(),
                _ => calls::lines(&log, Some(loaded.load_spec().deadline)),
            };
            output.write(&contents).map_err(|error| {
                Stop::failed(format!("error: cannot write {}: {error}", output.name()))
            })?;
        }
    }
    if runs > 1 {
        say::line("")?;
        match unexpected.len() {
            0 => say::line(format_args!("{runs} runs, every one as its story expects"))?,
            n => say::line(format_args!(
                "{runs} runs, {n} not as its story expects: {}",
                unexpected.join(", ")
            ))?,
        }
    }
    Ok(if unexpected.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `scenario` with the overrides of `jostle run`'s flags.
fn overridden(scenario: Scenario, args: &RunArgs) -> Result<Scenario, ScenarioError> {
    let mut scenario = match args.seed {
        Some(seed) => scenario.with_seed(seed),
        None => scenario,
    };
    if args.tcp {
        scenario = scenario.with_transport(Transport::Tcp)?;
    }
    if let Some(name) = &args.balancer {
        scenario = scenario.with_balancer(name)?;
    }
    if let Some(profile) = args.profile {
        scenario = scenario.with_profile(profile)?;
    }
    Ok(scenario.with_wall_clock(args.wall_clock))
}

/// The command that replays the run of `file`, with the flags that change it.
fn replay_command(file: &Path, args: &RunArgs) -> String {
    let mut command = format!("jostle run {}", shell_word(&file.display().to_string()));
    if let Some(seed) = args.seed {
        command.push_str(&format!(" --seed {seed}"));
    }
    if args.tcp {
        command.push_str(" --tcp");
    }
    if let Some(name) = &args.balancer {
        command.push_str(&format!(" --balancer {}", shell_word(name)));
    }
    if let Some(profile) = args.profile {
        command.push_str(&format!(" --profile {profile}"));
    }
    if args.wall_clock {
        command.push_str(" --wall-clock");
    }
    command
}

/// `word` as a shell reads it back: single-quoted unless it is plain.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
