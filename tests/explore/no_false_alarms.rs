//! Every jostle policy keeps every invariant: no finding on any schedule. CI runs 40 seeds per
//! policy; the ignored test runs 10,000 per policy and prints its figures (schedules, wall and
//! CPU time, schedules per second, findings), one policy per test so that they run one at a
//! time on a shared machine:
//! `cargo test --release --test balancers ten_thousand -- --ignored --nocapture --test-threads 1`
//! (one policy: `round_robin_breaks_no_invariant_over_ten_thousand_schedules`).

use jostle::balance::policy::NAMES;
use jostle_harness::explore::{Exploration, Explorer, Space};
use rstest::rstest;
use std::time::Instant;

/// The seeds of the long run, per policy.
const LONG_RUN: std::ops::Range<u64> = 0..10_000;

/// How often the long run prints how far it is, in schedules.
const PROGRESS_EVERY: u64 = 500;

fn assert_no_finding(policy: &str, seeds: std::ops::Range<u64>, rerun: &str) {
    let found = explore(policy, seeds.clone(), |_| {});
    assert_no_finding_in(&found, policy, &seeds, rerun);
}

fn explore(policy: &str, seeds: std::ops::Range<u64>, progress: impl FnMut(u64)) -> Exploration {
    Explorer::new(Space::default()).balancer(policy).unwrap().seeds(seeds).run(progress).unwrap()
}

fn assert_no_finding_in(
    found: &Exploration,
    policy: &str,
    seeds: &std::ops::Range<u64>,
    rerun: &str,
) {
    assert_eq!(found.schedules, seeds.end - seeds.start, "every seed of {seeds:?} runs");
    assert!(
        found.findings.is_empty(),
        "a correct balancer breaks no invariant: {policy} broke {:?} over seeds {seeds:?} \
         (rerun: {rerun}; each seed alone: jostle explore --balancer {policy} --seeds S..S+1); \
         seeds: {:?}; first: {:#?}",
        found.violated,
        found.seeds,
        found.findings.first().map(|f| &f.file)
    );
}

/// The CPU time this thread has used, in seconds (utime + stime of /proc/thread-self/stat,
/// in the kernel's 100 ticks a second); 0 where that file cannot be read. Explore runs its
/// in-memory schedules on the calling thread, so this is the exploration's own CPU time
/// whatever else the machine (or this test binary) runs.
fn thread_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |at: usize| fields.get(at).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    (ticks(11) + ticks(12)) as f64 / 100.0
}

#[rstest]
fn no_jostle_policy_breaks_an_invariant_over_forty_schedules(
    #[values(
        "round_robin",
        "random",
        "least_outstanding",
        "p2c",
        "pick_first",
        "weighted_round_robin"
    )]
    policy: &str,
) {
    assert!(NAMES.contains(&policy));
    assert_no_finding(policy, 0..40, "cargo test --test balancers no_jostle_policy");
}

/// Explores `policy` over [`LONG_RUN`], printing how far it is every [`PROGRESS_EVERY`]
/// schedules and its figures at the end, and asserts that it broke nothing.
fn ten_thousand_schedules_of(policy: &str) {
    assert!(NAMES.contains(&policy));
    let (started, cpu) = (Instant::now(), thread_cpu_seconds());
    let figures = |done: u64| {
        let (wall, cpu) = (started.elapsed().as_secs_f64(), thread_cpu_seconds() - cpu);
        format!(
            "{done} schedules in {wall:.1} s wall, {cpu:.1} s CPU: {:.1} schedules/s wall, {:.1} per CPU second",
            done as f64 / wall.max(1e-9),
            done as f64 / cpu.max(1e-9)
        )
    };
    let found = explore(policy, LONG_RUN, |done| {
        if done % PROGRESS_EVERY == 0 && done < LONG_RUN.end - LONG_RUN.start {
            println!("explore {policy}: {}", figures(done));
        }
    });
    let findings: u64 = found.violated.values().sum();
    println!(
        "explore {policy} over seeds {LONG_RUN:?}: {}; {} findings ({} schedules broke an invariant: {:?})",
        figures(found.schedules),
        found.findings.len(),
        findings,
        found.violated
    );
    assert_no_finding_in(
        &found,
        policy,
        &LONG_RUN,
        "cargo test --release --test balancers ten_thousand -- --ignored --nocapture",
    );
}

macro_rules! ten_thousand {
    ($($test:ident: $policy:literal),* $(,)?) => {$(
        #[test]
        #[ignore = "10,000 schedules: about 7 minutes of CPU in release"]
        fn $test() {
            ten_thousand_schedules_of($policy);
        }
    )*};
}

// One test per policy, so that they run one at a time (`--test-threads 1`) or one alone.
ten_thousand! {
    round_robin_breaks_no_invariant_over_ten_thousand_schedules: "round_robin",
    random_breaks_no_invariant_over_ten_thousand_schedules: "random",
    least_outstanding_breaks_no_invariant_over_ten_thousand_schedules: "least_outstanding",
    p2c_breaks_no_invariant_over_ten_thousand_schedules: "p2c",
    pick_first_breaks_no_invariant_over_ten_thousand_schedules: "pick_first",
    weighted_round_robin_breaks_no_invariant_over_ten_thousand_schedules: "weighted_round_robin",
}
