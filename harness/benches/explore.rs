//! Speed of `jostle explore`: schedules per second of the default space (2-5 backends, 1-3
//! clients, up to 3 faults of 14 kinds and 2 discovery changes through the stream or DNS, an
//! open loop of 200 calls/s or a closed loop of 2-6 in flight, latency, method mixes; 5 s of
//! virtual time, each judged by every invariant) against jostle's round robin, on a
//! current-thread runtime under the paused clock, as `jostle explore` plays them. Against bare
//! tonic in the same run: per client one plain `Server` and `Channel` over in-memory duplex
//! streams making each schedule's calls at its pace (a closed loop pausing each slot the
//! schedule's base latency, the service time a bare server does not have) under the same
//! clock (no cluster, fault, log, check or report), which is what tonic itself costs. The
//! share of time in the harness is `1 - bare / explore`, on CPU time (steadier than wall time on
//! a busy machine). The target: at least 20 schedules per second.
//!
//! Run: `cargo bench -p jostle-harness --bench explore` (`-- SCHEDULES`, default 200).

#![allow(missing_docs, clippy::print_stdout)]

mod bare;

use jostle_harness::channel::boxed;
use jostle_harness::explore::{Explorer, Space};
use std::time::{Duration, Instant};

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
        let sent = runtime.block_on(async {
            // Each client its own server and channel, all at once, each at its own pace.
            let mut clients = tokio::task::JoinSet::new();
            for _ in 0..schedule.clients {
                let schedule = schedule.clone();
                clients.spawn(async move {
                    let channel = boxed(bare::in_memory().await);
                    let (duration, deadline) = (schedule.duration, schedule.deadline);
                    match schedule.concurrency {
                        None => {
                            bare::open_loop(channel, f64::from(schedule.rate), duration, deadline)
                                .await
                        }
                        Some(in_flight) => {
                            let pause = schedule
                                .latency
                                .map_or(Duration::ZERO, |latency| latency.base)
                                .max(Duration::from_millis(1));
                            bare::closed_loop(channel, in_flight, duration, deadline, pause).await
                        }
                    }
                });
            }
            let mut sent = 0;
            while let Some(done) = clients.join_next().await {
                sent += done.unwrap().0;
            }
            sent
        });
        calls += sent;
    }
    let (bare_wall, bare_cpu) =
        (bare_started.elapsed().as_secs_f64(), bare::cpu_seconds() - bare_cpu);

    let per = |seconds: f64| schedules as f64 / seconds.max(1e-9);
    println!(
        "explore bench: {schedules} schedules of the default space, 5 s of virtual time each ({calls} calls by bare tonic)"
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
