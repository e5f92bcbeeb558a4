//! A run never passes on nothing: a panicking call fails the run naming the panic, every
//! check over zero calls fails and says so, an open loop ends at its duration, and the books
//! balance with late completions as their own category.

use jostle_harness::Error;
use jostle_harness::channel::boxed;
use jostle_harness::check::{self, Context};
use jostle_harness::load::{CallLog, CallOutcome, CallRecord, LoadSpec, Method};
use jostle_harness::record::StatsSnapshot;
use jostle_harness::scenario;
use std::time::Duration;

const STORY: &str = "name = \"s\"\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n\
                     [load]\nconcurrency = 2\ncalls = 20\n[expect]\nmax_failure_rate = 0.0\n";

#[test]
fn a_panicking_call_fails_the_run_and_names_the_panic() {
    let panicking = tower::service_fn(|_: http::Request<tonic::body::Body>| async {
        panic!("the channel under test broke");
        #[allow(unreachable_code)]
        Ok::<http::Response<tonic::body::Body>, std::convert::Infallible>(http::Response::default())
    });
    let story =
        scenario::parse(STORY, "s.toml").unwrap().against("panics", move |_| boxed(panicking));
    match story.run_blocking() {
        Err(Error::Panicked { message, .. }) => assert!(
            message.contains("the channel under test broke"),
            "the run's error must carry the panic's message, got {message:?}"
        ),
        other => panic!("a run whose calls panic must fail with Error::Panicked, got {other:?}"),
    }
}

/// Every check a scenario can ask for, run over a client that made no call, by the name its
/// report gives it.
async fn every_check_over_zero_calls() -> Vec<(&'static str, check::CheckResult)> {
    let (log, context) = (CallLog::default(), Context::default());
    let names = ["backend-0".to_owned()];
    let (zero, second) = (Duration::ZERO, Duration::from_secs(1));
    let cluster = jostle_harness::cluster::Cluster::builder().backends(1).start().await.unwrap();
    let baseline = check::Baseline::now(&cluster);
    let spec = check::stats::DistributionSpec::default();
    let announced = |_: Duration, _: Duration| vec!["backend-0"];
    vec![
        ("accounting", check::accounting(&log, &[], &[], &context)),
        ("distribution", check::distribution::exact_cycle(&log, &names, &context)),
        ("distribution", check::distribution::shares(&log, &names, &[1.0], &spec, &context)),
        ("failure-rate", check::failure_rate(&log, zero, 1.0, &context)),
        ("min-failure-rate", check::min_failure_rate(&log, zero, Some(second), 0.0, &context)),
        ("codes", check::codes(&log, &[tonic::Code::Unavailable], &context)),
        ("share", check::share(&log, "backend-0", zero, 0.0, &context)),
        ("max-share", check::max_share(&log, "backend-0", zero, 1.0, &context)),
        ("served-nothing", check::served_nothing(&log, "backend-0", zero, None, &context)),
        ("fallback", check::fallback(&log, &[zero], second, 10, &context)),
        ("fail-fast", check::fail_fast(&log, |_| true, second, &context)),
        (
            "recovery",
            check::recovery(
                &log,
                "backend-0",
                check::Back::Returned(zero),
                second,
                1,
                0.0,
                &context,
            ),
        ),
        ("convergence", check::convergence(&log, zero, second, &["backend-0"], &context)),
        ("only-announced", check::only_announced(&log, |_, _, _| true, second, &context)),
        ("timeout", check::timeout(&log, second, second, &context)),
        ("latency", check::latency(&log, None, zero, 0.99, second, &context)),
        ("connections", check::connections(0, 0, 1000.0, &context)),
        ("avoidable-failures", check::avoidable_failures(&log, &[], announced, second, &context)),
        ("settled", check::settled(&log, Some(zero), &["backend-0"], 0.0, 2.0, &context)),
        ("settled", check::settled(&log, None, &["backend-0"], 0.0, 2.0, &context)),
        ("leak-free", check::leak_free(&cluster, baseline, 0, second, &context).await),
    ]
}

#[tokio::test(start_paused = true)]
async fn every_check_over_zero_calls_fails_and_says_there_was_no_call_to_measure() {
    for (name, result) in every_check_over_zero_calls().await {
        assert_eq!(result.name, name, "the check listed as {name} reports under its own name");
        assert!(!result.passed, "{name} over zero calls must fail: {result}");
        assert!(
            result.explanation.starts_with("no call to measure"),
            "{name} must say it had no call to measure: {}",
            result.explanation
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_zero_call_list_holds_every_check_a_scenario_can_ask_for() {
    let listed: std::collections::BTreeSet<&str> =
        every_check_over_zero_calls().await.into_iter().map(|(name, _)| name).collect();
    let registry: std::collections::BTreeSet<&str> = scenario::CHECKS.into_iter().collect();
    assert_eq!(
        listed, registry,
        "every check in scenario::CHECKS must be run over zero calls, and only those"
    );
}

#[tokio::test(start_paused = true)]
async fn a_low_rate_open_loop_ends_at_its_duration_not_at_its_next_call() {
    let cluster = jostle_harness::cluster::Cluster::builder().backends(1).start().await.unwrap();
    let started = tokio::time::Instant::now();
    let spec = LoadSpec::open(0.05, Duration::from_secs(1));
    let log = jostle_harness::load::drive(boxed(cluster.channel(0).unwrap()), &spec).await.unwrap();
    assert_eq!(log.calls.len(), 1, "one call starts at 0 s; the next would be at 20 s");
    assert!(
        started.elapsed() <= Duration::from_secs(1) + Duration::from_millis(1),
        "an open loop must end at its 1 s duration, not at the 20 s tick: took {:?}",
        started.elapsed()
    );
}

fn call(index: u64, outcome: CallOutcome) -> CallRecord {
    CallRecord {
        index,
        method: Method::CreateOrder,
        start: Duration::ZERO,
        end: Duration::from_millis(1),
        outcome,
        backend: (outcome == CallOutcome::Ok).then(|| "backend-0".to_owned()),
        client: 0,
    }
}

fn completed(ok: u64) -> StatsSnapshot {
    let mut snapshot = StatsSnapshot::default();
    let stats = snapshot.rpcs.entry("CreateOrder".to_owned()).or_default();
    stats.started = ok;
    stats.finished.insert(tonic::Code::Ok as i32, ok);
    snapshot
}

#[test]
fn calls_a_backend_completed_after_the_client_gave_up_are_late_completions() {
    // The overloaded run's shape: few OK at the client, many OK at the backend, the rest
    // timed out at the client.
    let mut log = CallLog::default();
    log.calls.extend((0..2).map(|i| call(i, CallOutcome::Ok)));
    log.calls.extend((2..10).map(|i| call(i, CallOutcome::TimedOut)));
    let before = [StatsSnapshot::default()];
    let books = check::accounting(&log, &before, &[completed(9)], &Context::default());
    assert!(books.passed, "7 late completions within 8 timeouts must balance: {books}");
    assert_eq!(books.value("late completions"), Some(7.0), "late completions are counted");
    assert_eq!(check::late_completions(&log, &before, &[completed(9)]), 7);

    let beyond = check::accounting(&log, &before, &[completed(11)], &Context::default());
    assert!(!beyond.passed, "more OK at the backends than calls sent must fail: {beyond}");
    let fewer = check::accounting(&log, &before, &[completed(1)], &Context::default());
    assert!(!fewer.passed, "fewer OK at the backends than at the client must fail: {fewer}");
}
