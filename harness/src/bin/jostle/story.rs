//! `jostle story`: the article's story, hand-written, with a per-backend table and findings.

use crate::fail;
use clap::ValueEnum;
use jostle_harness::net::Transport;
use jostle_harness::story::{StoryConfig, run_story};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub(crate) struct StoryArgs {
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

pub(crate) fn story(args: StoryArgs) -> ExitCode {
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

/// Names the flag as the user typed it.
fn flag_error(error: &jostle_harness::Error) -> String {
    match error {
        jostle_harness::Error::InvalidParameter { parameter, expected, got } => {
            format!("invalid --{parameter}: expected {expected}, got {got}")
        }
        other => other.to_string(),
    }
}
