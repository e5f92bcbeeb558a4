//! The `jostle` command: runs scenario files (a report per backend, JSON, an HTML chart),
//! checks and lists them (the article's story is fixtures/article-restart.toml), serves chaos
//! backends to clients in any language and drives them (`serve`, `ctl`, `drive`).

mod bar;
mod check;
mod ctl;
mod drive;
mod explore;
mod explore_space;
mod findings;
mod judge;
mod logging;
mod merge;
mod output;
mod panics;
mod pod_seed;
mod pod_source;
mod profile;
mod records;
mod run;
mod say;
mod serve;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Chaos-test gRPC client-side load balancing, in process, from ground truth.
#[derive(Debug, Parser)]
#[command(name = "jostle", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check scenario files without running them: print `FILE: ok`, or each error as
    /// FILE:LINE:COLUMN with what was expected. Exit 0 if all are valid, 2 if any is invalid
    /// or cannot be read, 1 if stdout cannot be written.
    Check(check::CheckArgs),
    /// Run scenario files and print a report per backend, the fault windows and every
    /// expectation. Exit 0 when every run gives the outcome its story expects (`[expect]
    /// outcome`: every expectation holds, or for a story of a flaw one fails), 1 when one does
    /// not (or panics, or its report cannot be written), 2 on bad input.
    Run(run::RunArgs),
    /// Search fault schedules for failures nobody wrote down: draw a schedule from each seed,
    /// play it under the paused clock, judge it by invariants every correct balancer keeps
    /// (docs/EXPLORE.md), shrink the first schedule to break each, and write it as a scenario
    /// file. Exit 0 when nothing was found, 1 when something was, 2 on bad input.
    Explore(Box<explore::ExploreArgs>),
    /// Judge a scenario file's expectations from a client's call records (JSON Lines,
    /// docs/calls.schema.json), with the checks and the report of `jostle run`; with
    /// --counters, `jostle serve`'s report adds what only the backends saw. Exit 0 when the
    /// records give the outcome the story expects, 1 when not, 2 on bad input.
    Judge(judge::JudgeArgs),
    /// List the fixture scenarios (file and name), the conformance battery's scenario files and
    /// the built-in balancers, one per line.
    List(check::ListArgs),
    /// Serve order-service backends on 127.0.0.1 TCP ports for clients in any language, with a
    /// control API; print one JSON line with every address once ready, serve until Ctrl-C,
    /// SIGTERM or --duration, then print a summary on stderr. Exit 0 after a clean stop, 1 when
    /// serving fails, 2 on bad input.
    Serve(serve::ServeArgs),
    /// Drive a running `jostle serve` through its control API. Exit 0 on success, 1 on an
    /// error from the server (or none reached), 2 on bad input.
    Ctl(ctl::CtlArgs),
    /// Play a scenario file's fault timeline through the control APIs of `jostle serve` pods
    /// (backend i of the file is the i-th pod) while clients send the load, then report from
    /// the pods' own counters. Exit 0 when they show what the file expects (or nothing could be
    /// judged from the server side), 1 when not or a pod fails, 2 on bad input.
    Drive(drive::DriveArgs),
}

fn main() -> ExitCode {
    panics::record();
    let cli = Cli::parse();
    if let Err(message) = logging::install() {
        return say::fail(&message, 2);
    }
    match cli.command {
        Command::Check(args) => check::check(&args),
        Command::Run(args) => run::run(&args),
        Command::Explore(args) => explore::explore(&args),
        Command::Judge(args) => judge::judge(&args),
        Command::List(args) => check::list(args),
        Command::Serve(args) => serve::serve(&args),
        Command::Ctl(args) => ctl::ctl(args),
        Command::Drive(args) => drive::drive(&args),
    }
}
