//! `jostle run`: plays scenario files under the paused clock and reports each one; exit 0 when
//! every run gives the outcome its story expects, 1 when one does not, 2 on bad input.

use crate::bar::Bar;
use crate::fail;
use jostle_harness::load::Progress;
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
}

pub(crate) fn run(args: &RunArgs) -> ExitCode {
    if args.files.len() != 1 {
        for (flag, given) in [("--json", args.json.is_some()), ("--html", args.html.is_some())] {
            if given {
                return fail(&format!("error: {flag} takes one scenario FILE, got several"), 2);
            }
        }
    }
    let mut scenarios = Vec::new();
    for file in &args.files {
        match scenario::load(file) {
            Ok(loaded) => match overridden(loaded, args) {
                Ok(loaded) => scenarios.push((file, loaded)),
                Err(error) => return fail(&format!("error: {}: {error}", file.display()), 2),
            },
            Err(error) => {
                return fail(&format!("error: {error}"), if error.is_invalid() { 2 } else { 1 });
            }
        }
    }
    let runs = scenarios.len();
    let mut unexpected = Vec::new();
    for (index, (file, loaded)) in scenarios.into_iter().enumerate() {
        if index > 0 {
            println!();
        }
        let runtime = match runner::runtime(&loaded) {
            Ok(runtime) => runtime,
            Err(error) => return fail(&format!("error: {error}"), 1),
        };
        let replay = replay_command(file, args);
        let progress = Progress::new();
        let bar = Bar::start(file, &loaded.load_spec(), &progress);
        let played = runtime.block_on(runner::run_with(&loaded, &replay, &progress));
        if let Some(bar) = bar {
            bar.finish();
        }
        let report = match played {
            Ok(report) => report,
            Err(error) => return fail(&format!("error: {}: {error}", file.display()), 2),
        };
        println!("{report}");
        if !report.as_expected {
            println!("seed: {}", report.seed);
            println!("replay: {replay}");
        }
        if !report.as_expected {
            unexpected.push(file.display().to_string());
        }
        let outputs = [(&args.json, report.to_json()), (&args.html, report.to_html())];
        for (path, contents) in outputs {
            if let Some(path) = path {
                if let Err(error) = write_whole(path, &contents) {
                    return fail(&format!("error: cannot write {}: {error}", path.display()), 1);
                }
            }
        }
    }
    if runs > 1 {
        println!();
        match unexpected.len() {
            0 => println!("{runs} runs, every one as its story expects"),
            n => println!("{runs} runs, {n} not as its story expects: {}", unexpected.join(", ")),
        }
    }
    if unexpected.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) }
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

/// Writes `contents` whole or not at all: a temporary file beside `path`, then a rename.
fn write_whole(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let written = std::fs::write(&partial, contents).and_then(|()| std::fs::rename(&partial, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}
