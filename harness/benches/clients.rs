//! Wall time of fifty clients at once: fixtures/fifty-pick-first-clients.toml's load at the
//! acceptance point's size (3 in-memory backends, 50 clients each with its own round-robin
//! `BalancedChannel` and connections, each an open loop of 20 calls/s for 60 s: 60,000 calls),
//! parsed and played by `scenario::parse` and `runner::run_with` as `jostle run` plays it
//! (per-client report, expectations and leak check included), on a current-thread runtime
//! under the paused clock. Against bare tonic making the same calls at the same pace in the
//! same run: 3 plain tonic `Server`s over in-memory duplex streams and 50 plain `Channel`s,
//! client `i` to server `i % 3`, no log, no report. Rounds alternate; medians are compared.
//! The target is under 3 s of wall time.
//!
//! Run: `cargo bench -p jostle-harness --bench clients` (`-- ROUNDS`, default 5).

#![allow(missing_docs, clippy::print_stdout)]

mod bare;

use jostle_harness::channel::boxed;
use jostle_harness::scenario;
use std::time::{Duration, Instant};

const STORY: &str = r#"
name = "fifty round-robin clients, 20 calls/s each for 60 s"
seed = 50

[cluster]
backends = 3

[balancer]
policy = "round_robin"

[load]
clients = 50
rate = 20
duration = "60s"
deadline = "500ms"

[expect]
max_failure_rate = 0.0
max_shares = [
    { backend = 0, at_most = 0.37 },
    { backend = 1, at_most = 0.37 },
    { backend = 2, at_most = 0.37 },
]
connections_per_1000_calls = 10
no_leaks = true
"#;

const CLIENTS: usize = 50;
const RATE: f64 = 20.0;
const DURATION: Duration = Duration::from_secs(60);
const DEADLINE: Duration = Duration::from_millis(500);
const TARGET: f64 = 3.0;

/// Wall seconds, CPU seconds, calls sent and OK.
type Run = (f64, f64, u64, u64);

fn story() -> Run {
    let runtime = bare::paused();
    let (started, cpu) = (Instant::now(), bare::cpu_seconds());
    let loaded = scenario::parse(STORY, "clients.toml").expect("a valid story");
    let report = runtime
        .block_on(jostle_harness::runner::run_with(&loaded, "bench", &Default::default()))
        .expect("the story runs");
    assert!(report.passed, "fifty round-robin clients must pass:\n{report}");
    assert_eq!(report.clients.len(), CLIENTS, "one view per client");
    (started.elapsed().as_secs_f64(), bare::cpu_seconds() - cpu, report.calls.sent, report.calls.ok)
}

fn baseline() -> Run {
    let runtime = bare::paused();
    let (started, cpu) = (Instant::now(), bare::cpu_seconds());
    let (sent, ok) = runtime.block_on(async {
        let mut servers = Vec::new();
        for _ in 0..3 {
            servers.push(bare::in_memory().await);
        }
        let loads: Vec<_> = (0..CLIENTS)
            .map(|client| {
                let channel = boxed(servers[client % 3].clone());
                tokio::spawn(bare::open_loop(channel, RATE, DURATION, DEADLINE))
            })
            .collect();
        let (mut sent, mut ok) = (0, 0);
        for load in loads {
            let (s, o) = load.await.expect("a client's load");
            (sent, ok) = (sent + s, ok + o);
        }
        (sent, ok)
    });
    (started.elapsed().as_secs_f64(), bare::cpu_seconds() - cpu, sent, ok)
}

fn main() {
    let rounds = bare::numbers().first().copied().unwrap_or(5).max(1);
    println!(
        "{CLIENTS} clients, each an open loop of {RATE} calls/s for {DURATION:?} (deadline \
         {DEADLINE:?}) over 3 in-memory backends; paused clock, current thread; {rounds} rounds, \
         medians"
    );
    let (mut bare_runs, mut story_runs) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        if round % 2 == 0 {
            bare_runs.push(baseline());
            story_runs.push(story());
        } else {
            story_runs.push(story());
            bare_runs.push(baseline());
        }
    }
    let median = |runs: &[Run], at: fn(&Run) -> f64| bare::median(runs.iter().map(at).collect());
    let (bare_wall, bare_cpu) = (median(&bare_runs, |r| r.0), median(&bare_runs, |r| r.1));
    let (wall, cpu) = (median(&story_runs, |r| r.0), median(&story_runs, |r| r.1));
    let (_, _, bare_sent, bare_ok) = bare_runs[0];
    let (_, _, sent, ok) = story_runs[0];
    println!(
        "bare tonic           wall median {bare_wall:.3} s, cpu median {bare_cpu:.2} s, {bare_sent} calls sent, {bare_ok} ok"
    );
    println!(
        "jostle, 50 clients   wall median {wall:.3} s, cpu median {cpu:.2} s, {sent} calls sent, {ok} ok; \
         ratio to bare tonic {:.2} (cpu {:.2}); target < {TARGET} s: {}",
        wall / bare_wall,
        cpu / bare_cpu,
        if wall < TARGET { "met" } else { "MISSED" }
    );
}
