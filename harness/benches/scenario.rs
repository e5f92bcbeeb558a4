//! Wall time of the article's story as a scenario: 3 in-memory backends, backend 1 restarting
//! at 20 s and down for 10 s, an open loop of 500 calls/s for 60 s (30,000 calls), parsed and
//! played by `scenario::parse` and `scenario::run` as `jostle run` plays it (report and leak
//! check included) on a current-thread runtime under the paused clock. Once with the article's
//! round-robin dialer, once with jostle's round robin; against bare tonic (one plain `Server`
//! and `Channel` over in-memory duplex streams) making the same 30,000 calls at the same pace
//! under the same clock, in the same run. Two more rows play round robin without the
//! expectations (so without the leak check), then without the fault either, to show what each
//! costs. Rounds alternate, each starting one entry later; medians are compared. CPU time is
//! printed beside wall time: on a machine busy with other work it is the steadier figure. The
//! target is under 1 s of wall time a run, 60 times faster than real time.
//!
//! Run: `cargo bench -p jostle-harness --bench scenario` (`-- ROUNDS`, default 5).

#![allow(missing_docs, clippy::print_stdout)]

mod bare;

use jostle_harness::channel::boxed;
use jostle_harness::report::RunReport;
use jostle_harness::scenario;
use std::time::{Duration, Instant};

/// The article's story (fixtures/article-restart.toml) at the acceptance point's size, in
/// three parts so that the bench can leave out the fault and the expectations to see what they
/// cost; `POLICY` is replaced by the balancer under test.
const STORY: &str = r#"
name = "one of three containers restarting behind one name, 60 s at 500 calls/s"
seed = 7

[cluster]
backends = 3
transport = "in-memory"

[balancer]
policy = "POLICY"

[load]
rate = 500
duration = "60s"
deadline = "500ms"
"#;

const FAULT: &str = r#"
[[fault]]
at = "20s"
target = [1]
kind = "restart"
down_for = "10s"
"#;

const EXPECT: &str = r#"
[expect]
max_failure_rate = 0.01
shares = [{ backend = 1, at_least = 0.2, after = "35s" }]
no_leaks = true
"#;

/// What each row plays: its label, the balancer, and whether the fault and the expectations
/// are in the file.
const ROWS: [(&str, &str, bool, bool); 4] = [
    ("round_robin_dialer", "round_robin_dialer", true, true),
    ("round_robin", "round_robin", true, true),
    ("  without [expect]", "round_robin", true, false),
    ("  nor [[fault]]", "round_robin", false, false),
];

const RATE: f64 = 500.0;
const DURATION: Duration = Duration::from_secs(60);
const DEADLINE: Duration = Duration::from_millis(500);
const TARGET: Duration = Duration::from_secs(1);

/// One run's wall and CPU time, the virtual time it covered, and what it did.
struct Run {
    wall: f64,
    cpu: f64,
    virtual_seconds: f64,
    sent: u64,
    ok: u64,
    report: Option<RunReport>,
}

/// The story's text with `policy`, with or without its fault and its expectations.
fn text(policy: &str, fault: bool, expect: bool) -> String {
    let mut text = STORY.replace("POLICY", policy);
    if fault {
        text += FAULT;
    }
    if expect {
        text += EXPECT;
    }
    text
}

/// Parses and plays `text`, as `jostle run` does.
fn story(text: &str) -> Run {
    let runtime = bare::paused();
    let file = "bench-story.toml";
    let (started, cpu) = (Instant::now(), bare::cpu_seconds());
    let loaded = scenario::parse(text, file).expect("a valid story");
    let (report, covered) = runtime.block_on(async {
        let clock = tokio::time::Instant::now();
        let report = jostle_harness::runner::run_with(
            &loaded,
            &format!("jostle run {file}"),
            &Default::default(),
        )
        .await;
        (report.expect("the story runs"), clock.elapsed())
    });
    let wall = started.elapsed().as_secs_f64();
    Run {
        wall,
        cpu: bare::cpu_seconds() - cpu,
        virtual_seconds: covered.as_secs_f64(),
        sent: report.calls.sent,
        ok: report.calls.ok,
        report: Some(report),
    }
}

/// Bare tonic making the story's calls at the story's pace; no fault, no log, no report.
fn baseline() -> Run {
    let runtime = bare::paused();
    let (started, cpu) = (Instant::now(), bare::cpu_seconds());
    let ((sent, ok), covered) = runtime.block_on(async {
        let clock = tokio::time::Instant::now();
        let channel = bare::in_memory().await;
        let done = bare::open_loop(boxed(channel), RATE, DURATION, DEADLINE).await;
        (done, clock.elapsed())
    });
    let wall = started.elapsed().as_secs_f64();
    let cpu = bare::cpu_seconds() - cpu;
    Run { wall, cpu, virtual_seconds: covered.as_secs_f64(), sent, ok, report: None }
}

/// Prints the median, min and max of the wall times, the median CPU time, the median run's
/// other figures, and the ratios to `bare` (its wall and CPU medians); returns this row's.
fn summary(name: &str, mut runs: Vec<Run>, bare: Option<(f64, f64)>) -> (f64, f64) {
    let cpu = bare::median(runs.iter().map(|run| run.cpu).collect());
    runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    let (min, max) = (runs[0].wall, runs[runs.len() - 1].wall);
    let median = &runs[runs.len() / 2];
    let mut line = format!(
        "{name:<20} wall median {:>6.3} s (min {min:.3}, max {max:.3}), cpu median {cpu:.2} s, \
         {} calls sent, {} ok, {:.1} virtual s / wall s = {:.0}x",
        median.wall,
        median.sent,
        median.ok,
        median.virtual_seconds,
        median.virtual_seconds / median.wall,
    );
    if let Some((bare_wall, bare_cpu)) = bare {
        let met = if median.wall < TARGET.as_secs_f64() { "met" } else { "MISSED" };
        line += &format!(
            ", ratio to bare tonic {:.2} (cpu {:.2}), target < {TARGET:?}: {met}",
            median.wall / bare_wall,
            cpu / bare_cpu
        );
    }
    println!("{line}");
    if let Some(report) = &median.report {
        let shares: Vec<String> =
            report.backends.iter().map(|b| format!("{} {:.3}", b.name, b.share)).collect();
        let failed: Vec<&str> =
            report.expectations.iter().filter(|e| !e.passed).map(|e| e.check.as_str()).collect();
        println!(
            "{:<20} report: {} failed, {} timed out; shares {}; expectations {}",
            "",
            report.calls.failed,
            report.calls.timed_out,
            shares.join(", "),
            if failed.is_empty() { "all held".to_owned() } else { format!("failed: {failed:?}") },
        );
    }
    (median.wall, cpu)
}

fn main() {
    let rounds = bare::numbers().first().copied().unwrap_or(5).max(1);
    let seed = scenario::parse(&text("round_robin", true, true), "story.toml")
        .expect("a valid story")
        .seed();
    println!(
        "the article's story: 3 in-memory backends, backend 1 restarts at 20s for 10s; open loop \
         {RATE} calls/s for {DURATION:?}, deadline {DEADLINE:?}; seed {seed}; paused clock, \
         current thread; {rounds} rounds, medians"
    );
    let texts: Vec<String> =
        ROWS.iter().map(|(_, policy, fault, expect)| text(policy, *fault, *expect)).collect();
    // Entry 0 is bare tonic, entry i the row i - 1. Each round starts one entry later, so that
    // no entry always runs first or last in a round.
    let entries = ROWS.len() + 1;
    let mut runs: Vec<Vec<Run>> = (0..entries).map(|_| Vec::new()).collect();
    for round in 0..rounds {
        for turn in 0..entries {
            let entry = (turn + usize::try_from(round).unwrap_or(0)) % entries;
            runs[entry].push(if entry == 0 { baseline() } else { story(&texts[entry - 1]) });
        }
    }
    let mut runs = runs.into_iter();
    let bare = summary("bare tonic", runs.next().unwrap_or_default(), None);
    for ((label, ..), runs) in ROWS.iter().zip(runs) {
        summary(label, runs, Some(bare));
    }
}
