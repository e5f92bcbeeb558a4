//! The `jostle` command: runs the article's story and prints what each backend saw; checks and
//! lists scenario files.

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jostle_harness::load::{LoadSpec, Progress, Until};
use jostle_harness::net::Transport;
use jostle_harness::scenario::{self, BALANCERS, Scenario, ScenarioError};
use jostle_harness::story::{StoryConfig, run_story};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Chaos-test gRPC client-side load balancing, in process, from ground truth.
#[derive(Debug, Parser)]
#[command(name = "jostle", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the article's story: 3 backends, the round-robin dialer, one backend crashing and
    /// restarting mid-run; print a per-backend table and what happened.
    Story(StoryArgs),
    /// Check scenario files without running them: print `FILE: ok`, or each error as
    /// FILE:LINE:COLUMN with what was expected. Exit 0 if all are valid, 2 if any is invalid,
    /// 1 if one could not be read.
    Check(CheckArgs),
    /// Run scenario files and print a report per backend, the fault windows and every
    /// expectation. Exit 0 when every run gives the outcome its story expects (`[expect]
    /// outcome`: every expectation holds, or for a story of a flaw one fails), 1 when one does
    /// not, 2 on bad input.
    Run(RunArgs),
    /// List the fixture scenarios (file and name) and the built-in balancers, one per line.
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// The scenario files (TOML; docs/SCENARIOS.md).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
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

#[derive(Debug, clap::Args)]
struct ListArgs {
    /// Where the fixtures are. Default: ./fixtures if it exists, else the workspace's
    /// fixtures/.
    #[arg(long, value_name = "DIR")]
    fixtures: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct StoryArgs {
    /// Where the backends listen. In memory runs under tokio's paused clock: the downtime
    /// passes in virtual time.
    #[arg(long, value_enum, default_value = "in-memory")]
    transport: TransportArg,
    /// How many CreateOrder calls the client makes, one at a time (at least 1).
    #[arg(long, default_value_t = 300)]
    calls: u32,
    /// The call in flight when the serving backend crashes (below --calls).
    #[arg(long, default_value_t = 150)]
    restart_at: u32,
    /// How long the crashed backend stays down, e.g. 250ms or 2s.
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    down_for: Duration,
    /// The seed of every random choice, printed in the report.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TransportArg {
    InMemory,
    Tcp,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Story(args) => story(args),
        Command::Check(args) => check(&args),
        Command::Run(args) => run(&args),
        Command::List(args) => list(args),
    }
}

fn story(args: StoryArgs) -> ExitCode {
    let transport = match args.transport {
        TransportArg::InMemory => Transport::InMemory,
        TransportArg::Tcp => Transport::Tcp,
    };
    let config = StoryConfig {
        transport,
        calls: args.calls,
        restart_at: args.restart_at,
        down_for: args.down_for,
        seed: args.seed,
    };
    if let Err(error) = config.validate() {
        return fail(&format!("error: {}", flag_error(&error)), 2);
    }
    let mut runtime = tokio::runtime::Builder::new_current_thread();
    runtime.enable_all();
    // Virtual time only where both ends are in this process and in memory (shared/FINDINGS.md).
    runtime.start_paused(transport == Transport::InMemory);
    let runtime = match runtime.build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&format!("error: cannot start the runtime: {error}"), 1),
    };
    match runtime.block_on(run_story(config)) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => fail(&format!("error: {error}"), 1),
    }
}

fn check(args: &CheckArgs) -> ExitCode {
    let (mut invalid, mut unreadable) = (false, false);
    let mut out = std::io::stdout().lock();
    for file in &args.files {
        match scenario::load(file) {
            // A closed stdout (`| head`) must not hide the exit code.
            Ok(_) => _ = writeln!(out, "{}: ok", file.display()),
            Err(error) => {
                invalid |= error.is_invalid();
                unreadable |= !error.is_invalid();
                report(&format!("error: {error}"));
            }
        }
    }
    match (invalid, unreadable) {
        (true, _) => ExitCode::from(2),
        (false, true) => ExitCode::from(1),
        (false, false) => ExitCode::SUCCESS,
    }
}

fn run(args: &RunArgs) -> ExitCode {
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
    let mut all_as_expected = true;
    for (file, loaded) in scenarios {
        let paused = !args.wall_clock && loaded.transport() == Transport::InMemory;
        let mut runtime = tokio::runtime::Builder::new_current_thread();
        runtime.enable_all().start_paused(paused);
        let runtime = match runtime.build() {
            Ok(runtime) => runtime,
            Err(error) => return fail(&format!("error: cannot start the runtime: {error}"), 1),
        };
        let replay = replay_command(file, args);
        let progress = Progress::new();
        let bar = Bar::start(file, &loaded.load_spec(), &progress);
        let played = runtime.block_on(scenario::run_with(&loaded, &replay, &progress));
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
        all_as_expected &= report.as_expected;
        let outputs = [(&args.json, report.to_json()), (&args.html, report.to_html())];
        for (path, contents) in outputs {
            if let Some(path) = path {
                if let Err(error) = write_whole(path, &contents) {
                    return fail(&format!("error: cannot write {}: {error}", path.display()), 1);
                }
            }
        }
    }
    if all_as_expected { ExitCode::SUCCESS } else { ExitCode::from(1) }
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
    Ok(scenario)
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

fn list(args: ListArgs) -> ExitCode {
    let directory = args.fixtures.unwrap_or_else(fixtures_directory);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&directory) {
        Ok(entries) => entries
            .filter_map(|entry| Some(entry.ok()?.path()))
            .filter(|path| path.extension().is_some_and(|extension| extension == "toml"))
            .collect(),
        Err(error) => {
            return fail(&format!("error: cannot read {}: {error}", directory.display()), 1);
        }
    };
    files.sort();
    let mut lines: Vec<(&str, String, String)> = files
        .iter()
        .map(|file| {
            let about = match scenario::load(file) {
                Ok(story) => story.name().to_owned(),
                Err(error) => format!("(invalid: {error})"),
            };
            ("fixture", file.display().to_string(), about)
        })
        .collect();
    lines.extend(
        BALANCERS.iter().map(|(name, about)| ("balancer", (*name).to_owned(), (*about).to_owned())),
    );
    let width = lines.iter().map(|(_, name, _)| name.chars().count()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for (what, name, about) in lines {
        if writeln!(out, "{what:<9} {name:<width$}  {about}").is_err() {
            break; // stdout closed (`| head`): nothing more to say.
        }
    }
    ExitCode::SUCCESS
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

/// ./fixtures when run from the workspace root, else the workspace's own.
fn fixtures_directory() -> PathBuf {
    let here = PathBuf::from("fixtures");
    if here.is_dir() {
        return here;
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).join("fixtures")
}

/// Names the flag as the user typed it.
fn flag_error(error: &jostle_harness::Error) -> String {
    match error {
        jostle_harness::Error::InvalidParameter { parameter, expected, got } => {
            format!("invalid --{parameter}: expected {expected}, got {got}")
        }
        other => other.to_string(),
    }
}

fn fail(message: &str, code: u8) -> ExitCode {
    report(message);
    ExitCode::from(code)
}

#[allow(clippy::print_stderr)]
fn report(message: &str) {
    eprintln!("{message}");
}

/// How often the progress bar is redrawn, in wall time.
const BAR_TICK: Duration = Duration::from_millis(100);

/// A progress bar on stderr, drawn by an OS thread that reads a run's [`Progress`] every
/// [`BAR_TICK`] of wall time: the run never waits on it, and under the paused clock it adds no
/// timer, so it changes nothing of the run.
struct Bar {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl Bar {
    /// A bar over the load of `spec` (its duration in milliseconds, or its calls), or `None`
    /// when stderr is not a terminal.
    fn start(file: &Path, spec: &LoadSpec, progress: &Progress) -> Option<Bar> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let (_, total) = progress.position(spec);
        let unit = match spec.until {
            Until::Elapsed(_) => "ms",
            Until::Calls(_) => "calls",
        };
        // Hidden until styled, so that the first frame already reads as the last ones.
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template("{prefix} [{wide_bar}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style.progress_chars("=> "));
        bar.set_prefix(file.display().to_string());
        bar.set_message(unit);
        bar.set_draw_target(ProgressDrawTarget::stderr());
        let (stop, stopped) = mpsc::channel::<()>();
        let (progress, spec) = (progress.clone(), spec.clone());
        let thread = std::thread::spawn(move || {
            loop {
                bar.set_position(progress.position(&spec).0);
                if stopped.recv_timeout(BAR_TICK) != Err(mpsc::RecvTimeoutError::Timeout) {
                    break;
                }
            }
            bar.finish_and_clear();
        });
        Some(Bar { stop, thread })
    }

    /// Clears the bar, before the report is printed.
    fn finish(self) {
        drop(self.stop);
        let _ = self.thread.join();
    }
}
