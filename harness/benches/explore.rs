//! Speed of `jostle explore`: schedules per second of the default space (2-5 backends, up to 3
//! faults and 2 discovery changes, 5 s of virtual time at 200 calls/s, each judged by every
//! invariant) against jostle's round robin, on a current-thread runtime under the paused clock,
//! as `jostle explore` plays them. Against bare tonic in the same run: one plain `Server` and
//! `Channel` over in-memory duplex streams making each schedule's calls at its pace under the
//! same clock (no cluster, fault, log, check or report), which is what tonic itself costs. The
//! share of time in the harness is `1 - bare / explore`, on CPU time (steadier than wall time on
//! a busy machine). The target: at least 20 schedules per second.
//!
//! Run: `cargo bench -p jostle-harness --bench explore` (`-- SCHEDULES`, default 200).

#![allow(missing_docs, clippy::print_stdout)]

mod bare;

use jostle_harness::channel::boxed;
use jostle_harness::explore::{Explorer, Space};
use std::time::Instant;

fn main() {
    let schedules = bare::numbers().first().copied().unwrap_or(200);
    let explorer = Explorer::new(Space::default()).seeds(0..schedules);

    let (started, cpu) = (Instant::now(), bare::cpu_seconds());
    let found = explorer.run_blocking().expect("the exploration runs");
    let (wall, cpu) = (started.elapsed().as_secs_f64(), bare::cpu_seconds() - cpu);
    assert!(found.findings.is_empty(), "round robin breaks no invariant: {:?}", found.violated);

    let (bare_started, bare_cpu) = (Instant::now(), bare::cpu_seconds());
    let mut calls = 0;
    for seed in 0..schedules {
        let schedule = explorer.schedule(seed);
        let runtime = bare::paused();
        let (sent, _) = runtime.block_on(async {
            let channel = bare::in_memory().await;
            bare::open_loop(
                boxed(channel),
                f64::from(schedule.rate),
                schedule.duration,
                schedule.deadline,
            )
            .await
        });
        calls += sent;
    }
    let (bare_wall, bare_cpu) =
        (bare_started.elapsed().as_secs_f64(), bare::cpu_seconds() - bare_cpu);

    let per = |seconds: f64| schedules as f64 / seconds.max(1e-9);
    println!(
        "explore bench: {schedules} schedules of 5 s virtual time at 200 calls/s ({calls} calls)"
    );
    println!(
        "  jostle explore (round_robin): {wall:.2} s wall, {cpu:.2} s CPU: {:.1} schedules/s wall, {:.1} CPU",
        per(wall),
        per(cpu)
    );
    println!(
        "  bare tonic, the same calls:   {bare_wall:.2} s wall, {bare_cpu:.2} s CPU: {:.1} schedules/s wall, {:.1} CPU",
        per(bare_wall),
        per(bare_cpu)
    );
    println!(
        "  ratio to bare tonic: {:.2} wall, {:.2} CPU; time in tonic itself {:.0} %, in the harness {:.0} % (CPU)",
        wall / bare_wall.max(1e-9),
        cpu / bare_cpu.max(1e-9),
        100.0 * bare_cpu / cpu.max(1e-9),
        100.0 * (1.0 - bare_cpu / cpu.max(1e-9))
    );
    let verdict = if per(cpu) >= 20.0 { "met" } else { "missed" };
    println!("  target at least 20 schedules/s: {verdict} ({:.1} on CPU time)", per(cpu));
}
