//! Tests of `dns`.

use super::*;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio_stream::StreamExt;

/// Answers from a script, in order, then never; counts the calls and keeps the hosts asked.
#[derive(Debug, Default)]
struct Scripted {
    answers: Mutex<VecDeque<io::Result<Resolved>>>,
    calls: AtomicUsize,
    hosts: Mutex<Vec<String>>,
}

impl Scripted {
    fn new(answers: impl IntoIterator<Item = io::Result<Resolved>>) -> Arc<Self> {
        Arc::new(Self { answers: Mutex::new(answers.into_iter().collect()), ..Self::default() })
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl Resolve for Scripted {
    fn resolve<'a>(&'a self, host: &'a str) -> Resolving<'a> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.hosts.lock().unwrap().push(host.to_owned());
        let answer = self.answers.lock().unwrap().pop_front();
        Box::pin(async move {
            match answer {
                Some(answer) => answer,
                None => std::future::pending().await,
            }
        })
    }
}

fn answer(addresses: &[&str], ttl_secs: u64) -> io::Result<Resolved> {
    let addresses = addresses.iter().map(|ip| ip.parse().unwrap()).collect();
    Ok(Resolved { addresses, ttl: Duration::from_secs(ttl_secs) })
}

fn failure() -> io::Result<Resolved> {
    Err(io::Error::new(io::ErrorKind::TimedOut, "scripted failure"))
}

fn insert(address: &str) -> Change {
    Change::insert(address.parse().unwrap())
}

fn remove(address: &str) -> Change {
    Change::Remove(address.parse().unwrap())
}

fn discovery(resolver: &Arc<Scripted>) -> DnsDiscovery<Arc<Scripted>> {
    DnsDiscovery::with_resolver("orders.internal:50051", Arc::clone(resolver)).unwrap()
}

/// The next `count` changes, and the time since `start` at which each came.
async fn take(changes: &mut Changes, count: usize, start: Instant) -> Vec<(Change, Duration)> {
    let mut taken = Vec::new();
    for _ in 0..count {
        let change = tokio::time::timeout(Duration::from_secs(3600), changes.next())
            .await
            .expect("a change must come within an hour")
            .expect("the dns stream must not end");
        taken.push((change, start.elapsed()));
    }
    taken
}

/// True if no change comes for an hour.
async fn quiet(changes: &mut Changes) -> bool {
    tokio::time::timeout(Duration::from_secs(3600), changes.next()).await.is_err()
}

fn at(changes: &[Change], secs: u64) -> Vec<(Change, Duration)> {
    changes.iter().map(|change| (change.clone(), Duration::from_secs(secs))).collect()
}

#[tokio::test(start_paused = true)]
async fn first_resolution_inserts_every_address() {
    let resolver = Scripted::new([answer(&["10.0.0.3", "10.0.0.1", "10.0.0.2", "10.0.0.1"], 60)]);
    let (mut changes, _refresh) = discovery(&resolver).changes();
    let start = Instant::now();

    let expected = [
        insert("http://10.0.0.1:50051"),
        insert("http://10.0.0.2:50051"),
        insert("http://10.0.0.3:50051"),
    ];
    assert_eq!(
        take(&mut changes, 3, start).await,
        at(&expected, 0),
        "the first answer must insert every address once, in address order, weight 1, at once"
    );
    assert_eq!(
        *resolver.hosts.lock().unwrap(),
        ["orders.internal"],
        "the resolver must be asked for the host, without the port"
    );
    assert!(quiet(&mut changes).await, "an answer must be sent once");
}

#[tokio::test(start_paused = true)]
async fn re_resolves_after_the_ttl_and_sends_only_the_difference() {
    let resolver = Scripted::new([
        answer(&["10.0.0.1", "10.0.0.2"], 30),
        answer(&["10.0.0.2", "10.0.0.3"], 30),
    ]);
    let (mut changes, _refresh) = discovery(&resolver).changes();
    let start = Instant::now();
    take(&mut changes, 2, start).await;

    let expected = [insert("http://10.0.0.3:50051"), remove("http://10.0.0.1:50051")];
    assert_eq!(
        take(&mut changes, 2, start).await,
        at(&expected, 30),
        "when the TTL runs out, the name must be resolved again and only the difference sent, \
         inserts before removals"
    );
    assert_eq!(resolver.calls(), 2, "one resolution per TTL");
    assert!(quiet(&mut changes).await, "an address kept must not be sent again");
}

#[tokio::test(start_paused = true)]
async fn refresh_re_resolves_at_once() {
    let resolver =
        Scripted::new([answer(&["10.0.0.1"], 300), answer(&["10.0.0.1", "10.0.0.2"], 300)]);
    let (mut changes, refresh) = discovery(&resolver).changes();
    let start = Instant::now();
    take(&mut changes, 1, start).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    assert!(refresh.refresh(), "refresh must reach a live stream");
    assert_eq!(
        take(&mut changes, 1, start).await,
        at(&[insert("http://10.0.0.2:50051")], 2),
        "refresh must re-resolve at once, not when the 300 s TTL runs out"
    );
    assert_eq!(resolver.calls(), 2, "one refresh, one resolution");
}

#[tokio::test(start_paused = true)]
async fn refreshes_within_the_minimum_ttl_wait_for_it_and_resolve_once() {
    let resolver =
        Scripted::new([answer(&["10.0.0.1"], 300), answer(&["10.0.0.1", "10.0.0.2"], 300)]);
    let (mut changes, refresh) = discovery(&resolver).min_ttl(Duration::from_secs(5)).changes();
    let start = Instant::now();
    take(&mut changes, 1, start).await;

    for _ in 0..100 {
        refresh.refresh();
    }
    assert_eq!(
        take(&mut changes, 1, start).await,
        at(&[insert("http://10.0.0.2:50051")], 5),
        "a refresh within min_ttl of the last resolution must wait until min_ttl has passed"
    );
    assert_eq!(resolver.calls(), 2, "refreshes before a resolution must share it");
}

#[tokio::test(start_paused = true)]
async fn a_failed_resolution_keeps_the_set_and_retries() {
    let resolver = Scripted::new([
        answer(&["10.0.0.1", "10.0.0.2"], 10),
        failure(),
        answer(&["10.0.0.2"], 10),
    ]);
    let (mut changes, _refresh) = discovery(&resolver).retry(Duration::from_secs(3)).changes();
    let start = Instant::now();
    take(&mut changes, 2, start).await;

    assert_eq!(
        take(&mut changes, 1, start).await,
        at(&[remove("http://10.0.0.1:50051")], 13),
        "a failed resolution must remove nothing and be retried after `retry`"
    );
    assert_eq!(resolver.calls(), 3, "one failure, one retry");
}

#[tokio::test(start_paused = true)]
async fn an_empty_answer_keeps_the_set_and_retries() {
    let resolver =
        Scripted::new([answer(&["10.0.0.1"], 10), answer(&[], 10), answer(&["10.0.0.2"], 10)]);
    let (mut changes, _refresh) = discovery(&resolver).changes();
    let start = Instant::now();
    take(&mut changes, 1, start).await;

    let expected = [insert("http://10.0.0.2:50051"), remove("http://10.0.0.1:50051")];
    assert_eq!(
        take(&mut changes, 2, start).await,
        at(&expected, 11),
        "an empty answer must remove nothing and be retried after `retry`"
    );
}

#[tokio::test(start_paused = true)]
async fn zero_ttl_is_clamped_to_the_minimum() {
    let resolver = Scripted::new([answer(&["10.0.0.1"], 0), answer(&["10.0.0.2"], 0)]);
    let (mut changes, _refresh) = discovery(&resolver).changes();
    let start = Instant::now();
    take(&mut changes, 1, start).await;

    let expected = [insert("http://10.0.0.2:50051"), remove("http://10.0.0.1:50051")];
    assert_eq!(
        take(&mut changes, 2, start).await,
        at(&expected, 1),
        "a zero TTL must count as min_ttl (1 s), so resolution cannot spin"
    );
    assert_eq!(resolver.calls(), 2, "a zero TTL must not cause extra resolutions");
}

#[tokio::test(start_paused = true)]
async fn a_long_ttl_is_capped_at_the_maximum() {
    let resolver = Scripted::new([answer(&["10.0.0.1"], 86_400), answer(&["10.0.0.2"], 86_400)]);
    let (mut changes, _refresh) = discovery(&resolver).changes();
    let start = Instant::now();
    take(&mut changes, 1, start).await;

    let expected = [insert("http://10.0.0.2:50051"), remove("http://10.0.0.1:50051")];
    assert_eq!(
        take(&mut changes, 2, start).await,
        at(&expected, 300),
        "a TTL above max_ttl (300 s) must count as max_ttl"
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_the_stream_stops_resolving() {
    let resolver = Scripted::new([answer(&["10.0.0.1"], 5), answer(&["10.0.0.2"], 5)]);
    let (mut changes, refresh) = discovery(&resolver).changes();
    take(&mut changes, 1, Instant::now()).await;

    drop(changes);
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(resolver.calls(), 1, "a dropped stream must not resolve again");
    assert_eq!(Arc::strong_count(&resolver), 1, "a dropped stream must release its resolver");
    assert!(!refresh.refresh(), "refresh must report that the stream is gone");

    // Dropped in the middle of a resolution (this one never answers): it is dropped too.
    let hanging = Scripted::new([]);
    let (mut changes, _refresh) = discovery(&hanging).changes();
    assert!(quiet(&mut changes).await, "an unanswered resolution sends nothing");
    drop(changes);
    assert_eq!(
        Arc::strong_count(&hanging),
        1,
        "a dropped stream must drop the resolution under way"
    );
}

#[tokio::test(start_paused = true)]
async fn ipv6_addresses_are_bracketed() {
    let resolver = Scripted::new([answer(&["2001:db8::2", "10.0.0.1"], 60)]);
    let (mut changes, _refresh) = discovery(&resolver).changes();

    let expected = [insert("http://10.0.0.1:50051"), insert("http://[2001:db8::2]:50051")];
    let taken = take(&mut changes, 2, Instant::now()).await;
    assert_eq!(taken, at(&expected, 0), "an IPv6 address must be in brackets in its URI");
    let Change::Insert { address, .. } = &taken[1].0 else { unreachable!() };
    assert_eq!(address.host(), Some("[2001:db8::2]"), "the URI host must be the bracketed IPv6");

    let literal = Scripted::new([answer(&["::1"], 60)]);
    let (mut changes, _refresh) =
        DnsDiscovery::with_resolver("[::1]:50051", Arc::clone(&literal)).unwrap().changes();
    take(&mut changes, 1, Instant::now()).await;
    assert_eq!(
        *literal.hosts.lock().unwrap(),
        ["::1"],
        "a bracketed IPv6 target must be resolved without its brackets"
    );
}

#[test]
fn bad_target_is_an_error_naming_it() {
    let bad = [
        ("orders.internal", "no port"),
        ("orders.internal:", "port"),
        ("orders.internal:http", "port"),
        ("orders.internal:0", "port"),
        ("orders.internal:65536", "port"),
        (":50051", "host is empty"),
        ("http://orders.internal:50051", "scheme"),
        ("::1:50051", "brackets"),
        ("[::1:50051", "']'"),
        ("[orders]:50051", "not IPv6"),
        ("orders internal:50051", "host name cannot have"),
    ];
    for (target, problem) in bad {
        let error = DnsDiscovery::with_resolver(target, Scripted::new([])).unwrap_err();
        let message = error.to_string();
        assert!(
            matches!(&error, DnsError::Target { target: named, .. } if named == target),
            "a bad target must be a Target error naming it: {error:?}"
        );
        assert!(
            message.contains(&format!("{target:?}")) && message.contains("expected host:port"),
            "the error must name the target and what was expected: {message}"
        );
        assert!(message.contains(problem), "the error must say what is wrong: {message}");
    }
    for good in ["orders.internal:50051", "10.0.0.1:80", "[::1]:50051", "localhost:65535"] {
        assert!(
            DnsDiscovery::with_resolver(good, Scripted::new([])).is_ok(),
            "{good:?} is host:port and must be accepted"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn grpc_re_resolution_ignores_ttls_and_refreshes_at_most_once_per_30_seconds() {
    // Every answer has a 1 s TTL: jostle's default would ask again every second.
    let answers = (0..10).map(|n| answer(&["10.0.0.1", ["10.0.0.2", "10.0.0.3"][n % 2]], 1));
    let resolver = Scripted::new(answers);
    let (mut changes, refresh) = discovery(&resolver).re_resolution(ReResolution::grpc()).changes();
    let start = Instant::now();
    take(&mut changes, 2, start).await;
    assert!(quiet(&mut changes).await, "an answer's 1 s TTL must not make it resolve again");
    assert_eq!(resolver.calls(), 1, "grpc-go ignores TTLs: one query in the first hour");

    // A connection loss every second for 100 s asks for a refresh each time.
    let asked_from = Instant::now();
    let mut seen = Vec::new();
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    while asked_from.elapsed() < Duration::from_secs(100) {
        tokio::select! {
            _ = ticks.tick() => { refresh.refresh(); }
            change = changes.next() => seen.push((change, asked_from.elapsed())),
        }
    }
    // Resolutions at 0 s (the last one was an hour ago), 30 s, 60 s and 90 s: each answer
    // swaps 10.0.0.2 and 10.0.0.3, an insert and a removal.
    assert_eq!(resolver.calls(), 5, "refreshes at most once per 30 s: {seen:?}");
    let times: Vec<u64> = seen.iter().map(|(_, at)| at.as_secs()).collect();
    assert_eq!(times, [0, 0, 30, 30, 60, 60, 90, 90], "each resolution 30 s after the last");
}

#[tokio::test(start_paused = true)]
async fn jostle_re_resolution_follows_the_ttl_kept_to_one_second() {
    let answers = (0..10).map(|n| answer(&["10.0.0.1", ["10.0.0.2", "10.0.0.3"][n % 2]], 0));
    let resolver = Scripted::new(answers);
    let (mut changes, _refresh) =
        discovery(&resolver).re_resolution(ReResolution::jostle()).changes();
    let start = Instant::now();
    take(&mut changes, 2, start).await;
    let swapped = take(&mut changes, 2, start).await;
    assert_eq!(swapped[0].1, Duration::from_secs(1), "a zero TTL counts as the 1 s floor");
    assert_eq!(resolver.calls(), 2, "one query per TTL");
}
