//! The load driver: closed and open loops, the method mix, seeds, bad specs.
//!
//! Rerun: `cargo test --test harness load::`.

use jostle_harness::channel::boxed;
use jostle_harness::check::{Context, accounting};
use jostle_harness::cluster::Cluster;
use jostle_harness::load::{CallOutcome, LoadSpec, Method, Mix, drive};
use std::time::Duration;

mod open_loop;

fn snapshots(cluster: &Cluster) -> Vec<jostle_harness::record::StatsSnapshot> {
    cluster.backends().iter().map(|b| b.stats()).collect()
}

#[tokio::test(start_paused = true)]
async fn a_closed_loop_with_a_mix_makes_every_call_and_the_books_balance() {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    let before = snapshots(&cluster);
    let mix = Mix { create: 6, get: 3, watch: 1 };
    let spec = LoadSpec::closed(4, 500).mix(mix).seed(9);
    let log = drive(boxed(cluster.channel(0).unwrap()), &spec).await.unwrap();
    assert_eq!(log.calls.len(), 500);
    assert!(log.calls.iter().enumerate().all(|(i, call)| call.index == i as u64), "in index order");
    let count = |method| log.count(|call| call.method == method);
    let (create, get, watch) =
        (count(Method::CreateOrder), count(Method::GetOrder), count(Method::WatchOrders));
    assert!(create > 250 && get > 100 && watch > 20, "the mix 6:3:1 shows: {create} {get} {watch}");
    // One backend holds every order the load made: a get finds its order, unless it started
    // before the first create was answered (there was none to ask for yet).
    let first_order = log
        .calls
        .iter()
        .filter(|call| call.method == Method::CreateOrder && call.outcome == CallOutcome::Ok)
        .map(|call| call.end)
        .min()
        .expect("a create answered");
    for call in log.calls.iter().filter(|call| call.outcome != CallOutcome::Ok) {
        assert!(
            call.method == Method::GetOrder
                && call.outcome == CallOutcome::Failed(tonic::Code::NotFound)
                && call.start <= first_order,
            "one backend holds every order it made: only a get sent before any order existed \
             may fail (NOT_FOUND); seed 9, rerun: cargo test -p jostle-harness --test harness \
             load::: {call:?}"
        );
    }
    let books = accounting(&log, &before, &snapshots(&cluster), &Context::default());
    assert!(books.passed, "{books}");
}

#[tokio::test(start_paused = true)]
async fn the_same_seed_draws_the_same_methods() {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    let spec = LoadSpec::closed(1, 200).mix(Mix { create: 1, get: 1, watch: 1 }).seed(5);
    let methods = |log: &jostle_harness::load::CallLog| {
        log.calls.iter().map(|c| c.method).collect::<Vec<_>>()
    };
    let first = drive(boxed(cluster.channel(0).unwrap()), &spec).await.unwrap();
    let again = drive(boxed(cluster.channel(0).unwrap()), &spec).await.unwrap();
    let other = drive(boxed(cluster.channel(0).unwrap()), &spec.clone().seed(6)).await.unwrap();
    assert_eq!(methods(&first), methods(&again), "seed 5 replays the same method sequence");
    assert_ne!(methods(&first), methods(&other), "seed 6 draws another");
}

#[tokio::test(start_paused = true)]
async fn an_open_loop_starts_calls_at_its_rate_whatever_the_answers_do() {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    cluster.inject(jostle_harness::fault::Fault::delay(Duration::from_millis(300)).on(0)).unwrap();
    let spec = LoadSpec::open(100.0, Duration::from_secs(2));
    let log = drive(boxed(cluster.channel(0).unwrap()), &spec).await.unwrap();
    assert_eq!(log.calls.len(), 200, "100 calls/s for 2 s");
    let gaps: Vec<Duration> = log.calls.windows(2).map(|w| w[1].start - w[0].start).collect();
    assert!(
        gaps.iter().all(|gap| *gap == Duration::from_millis(10)),
        "one start every 10 ms, slow answers or not"
    );
    assert!(
        log.calls
            .iter()
            .all(|c| c.outcome == CallOutcome::Ok && c.latency() == Duration::from_millis(300))
    );
}

#[tokio::test]
async fn a_bad_spec_is_an_error_naming_the_parameter() {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    let channel = boxed(cluster.channel(0).unwrap());
    for (spec, message) in [
        (LoadSpec::closed(0, 10), "invalid concurrency: calls in flight in 1..=10000, got 0"),
        (LoadSpec::closed(1, 0), "invalid calls: a number of calls in 1..=1000000, got 0"),
        (
            LoadSpec::open(-5.0, Duration::from_secs(1)),
            "invalid rate: calls per second in 0.001..=100000, got -5",
        ),
        (
            LoadSpec::closed(1, 1).deadline(Duration::ZERO),
            "invalid deadline: above zero, at most 24h, got 0ns",
        ),
        (
            LoadSpec::closed(1, 1).deadline(Duration::from_secs(u64::MAX)),
            "invalid deadline: above zero, at most 24h, got 18446744073709551615s",
        ),
        (
            LoadSpec::open(1e12, Duration::from_secs(1)),
            "invalid rate: calls per second in 0.001..=100000, got 1000000000000",
        ),
        (
            LoadSpec::open(1.0, Duration::from_secs(1_000_000)),
            "invalid duration: above zero, at most 24h, got 1000000s",
        ),
        (
            LoadSpec::open(100_000.0, Duration::from_secs(11)),
            "invalid load: at most 1000000 calls (about 1000 bytes each), got up to 1100000 calls",
        ),
        (
            LoadSpec::closed(1, 1).mix(Mix { create: 0, get: 0, watch: 0 }),
            "invalid mix: at least one method with a weight above 0, got all 0",
        ),
    ] {
        assert_eq!(drive(channel.clone(), &spec).await.unwrap_err().to_string(), message);
    }
}

/// A channel that ends every call with its own error `status`, never reaching a backend.
fn refusing(status: fn() -> tonic::Status) -> jostle_harness::channel::BoxChannel {
    boxed(tower::service_fn(move |_: http::Request<tonic::body::Body>| async move {
        Err::<http::Response<tonic::body::Body>, _>(status())
    }))
}

#[tokio::test(start_paused = true)]
async fn a_channels_own_status_reaches_the_call_log_with_its_code() {
    let spec = LoadSpec::closed(1, 3);
    let log =
        drive(refusing(|| tonic::Status::resource_exhausted("no quota")), &spec).await.unwrap();
    assert!(
        log.calls.iter().all(|c| c.outcome == CallOutcome::Failed(tonic::Code::ResourceExhausted)),
        "a channel's own Status error keeps its code, not Unknown: {:?}",
        log.calls.iter().map(|c| c.outcome).collect::<Vec<_>>()
    );
}

#[tokio::test(start_paused = true)]
async fn a_deadline_the_channel_enforced_counts_as_a_timeout() {
    let spec = LoadSpec::closed(1, 3);
    let deadline = drive(refusing(|| tonic::Status::deadline_exceeded("too late")), &spec);
    let log = deadline.await.unwrap();
    assert_eq!(log.timed_out(), 3, "DEADLINE_EXCEEDED from the channel is a timeout: {log:?}");
}
