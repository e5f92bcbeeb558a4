//! The report's figures against the call log they come from: calls by outcome, served and
//! share per backend, latency percentiles (HDR, 3 significant digits), failures by code at the
//! backends, and the timeline's buckets, over generated runs (several seeds of a story with
//! jittered delays, error statuses, a crash and timeouts).

use jostle_harness::load::{CallLog, CallOutcome, Progress};
use jostle_harness::report::RunReport;
use jostle_harness::runner;
use jostle_harness::scenario;
use std::collections::BTreeMap;
use std::time::Duration;

const STORY: &str = r#"
name = "figures: jitter, errors, a crash and timeouts"
seed = 0

[cluster]
backends = 3

[balancer]
policy = "random"

[load]
rate = 300
duration = "3s"
deadline = "250ms"

[[fault]]
target = [0]
kind = "status"
code = "Unavailable"
probability = 0.3

[[fault]]
target = [1]
kind = "delay"
base = "60ms"
jitter = "50ms"

[[fault]]
target = [2]
kind = "delay"
min = "1ms"
max = "400ms"

[[fault]]
at = "1500ms"
target = [2]
kind = "restart"
down_for = "500ms"
"#;

fn played(seed: u64) -> (RunReport, CallLog) {
    let story = scenario::parse(STORY, "figures.toml").expect("a valid story").with_seed(seed);
    runner::runtime(&story)
        .expect("a runtime")
        .block_on(runner::run_with_log(&story, "figures", &Progress::new()))
        .expect("the story runs")
}

/// The value HDR reports at `permille` / 1000: the smallest sample with at least that
/// fraction of the samples at or below it, in microseconds (1 µs floor), as milliseconds.
fn exact_quantile(sorted_micros: &[u64], permille: usize) -> f64 {
    let rank = (permille * sorted_micros.len()).div_ceil(1000).clamp(1, sorted_micros.len());
    sorted_micros[rank - 1] as f64 / 1e3
}

/// Within HDR's 3 significant digits (0.1 %) and the report's rounding to the microsecond.
fn close(reported: f64, exact: f64) -> bool {
    (reported - exact).abs() <= exact * 1e-3 + 1e-3
}

#[test]
fn every_figure_of_the_report_matches_the_call_log_it_comes_from() {
    for seed in 1..=5 {
        let (report, log) = played(seed);
        let rerun =
            format!("seed {seed}; rerun: cargo test -p jostle-harness --test harness figures");
        let count = |outcome: fn(&CallOutcome) -> bool| {
            log.calls.iter().filter(|call| outcome(&call.outcome)).count() as u64
        };
        assert_eq!(report.calls.sent, log.calls.len() as u64, "sent = calls in the log ({rerun})");
        assert_eq!(report.calls.ok, count(|o| *o == CallOutcome::Ok), "ok ({rerun})");
        assert_eq!(
            report.calls.failed,
            count(|o| matches!(o, CallOutcome::Failed(_))),
            "failed ({rerun})"
        );
        assert_eq!(
            report.calls.timed_out,
            count(|o| *o == CallOutcome::TimedOut),
            "timed out ({rerun})"
        );
        assert!(
            report.calls.failed > 0 && report.calls.timed_out > 0,
            "the story makes both ({rerun})"
        );

        let mut unavailable: BTreeMap<&str, u64> = BTreeMap::new();
        for call in &log.calls {
            if let (CallOutcome::Failed(tonic::Code::Unavailable), Some(backend)) =
                (call.outcome, &call.backend)
            {
                *unavailable.entry(backend.as_str()).or_default() += 1;
            }
        }
        for backend in &report.backends {
            let mut micros: Vec<u64> = log
                .calls
                .iter()
                .filter(|call| {
                    call.outcome == CallOutcome::Ok
                        && call.backend.as_deref() == Some(&backend.name)
                })
                .map(|call| u64::try_from(call.latency().as_micros()).unwrap_or(u64::MAX).max(1))
                .collect();
            micros.sort_unstable();
            let served = micros.len() as u64;
            assert_eq!(
                backend.served, served,
                "{} served = its OK calls in the log ({rerun})",
                backend.name
            );
            let share = served as f64 / report.calls.ok as f64;
            assert!((backend.share - share).abs() < 1e-12, "{} share ({rerun})", backend.name);
            if served > 0 {
                let latency = backend.latency_ms;
                for (name, reported, permille) in [
                    ("p50", latency.p50, 500),
                    ("p90", latency.p90, 900),
                    ("p99", latency.p99, 990),
                    ("max", latency.max, 1000),
                ] {
                    let exact = exact_quantile(&micros, permille);
                    assert!(
                        close(reported, exact),
                        "{} {name}: reported {reported} ms, the log says {exact} ms ({rerun})",
                        backend.name
                    );
                }
            }
            let answered = unavailable.get(backend.name.as_str()).copied().unwrap_or(0);
            let recorded = backend.failures.get("Unavailable").copied().unwrap_or(0);
            assert_eq!(
                recorded, answered,
                "{}: UNAVAILABLE it recorded = answered in the log ({rerun})",
                backend.name
            );
        }
        assert!(report.backends[1].latency_ms.p50 >= 10.0, "backend-1's jitter shows ({rerun})");

        let mut per_backend = vec![0u64; report.backends.len()];
        let (mut failed, mut timed_out) = (0, 0);
        for bucket in &report.timeline.buckets {
            bucket.served.iter().zip(&mut per_backend).for_each(|(n, sum)| *sum += n);
            failed += bucket.failed;
            timed_out += bucket.timed_out;
        }
        let served: Vec<u64> = report.backends.iter().map(|b| b.served).collect();
        assert_eq!(
            per_backend, served,
            "the timeline's buckets add up to each backend's served ({rerun})"
        );
        assert_eq!(
            (failed, timed_out),
            (report.calls.failed, report.calls.timed_out),
            "the timeline's failures and timeouts add up ({rerun})"
        );
        let last_end = log.calls.iter().map(|call| call.end).max().unwrap_or(Duration::ZERO);
        assert!(
            (report.timeline.end_ms - last_end.as_secs_f64() * 1e3).abs() < 1e-3,
            "the timeline ends at the last call's end ({rerun})"
        );
    }
}
