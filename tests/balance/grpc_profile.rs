//! gRPC's client defaults ([`BalanceConfig::grpc`]) against jostle's: no ejection on timeouts,
//! and transparent retry of a call no server ran (gRFC A6).

use super::{TEST_BACKOFF, balanced, client};
use jostle::balance::policy::RoundRobin;
use jostle::balance::{BalanceConfig, BalancedChannel, Profile};
use jostle::discover;
use jostle_harness::cluster::Cluster;
use jostle_harness::fault::Fault;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tonic::Code;
use tower::ServiceExt;

/// The codes of 20 calls, one at a time with a 100 ms deadline, when every backend hangs.
async fn codes_when_every_backend_hangs(profile: Profile) -> Vec<Code> {
    let cluster = Cluster::builder().backends(2).start().await.unwrap();
    let config = BalanceConfig { backoff: TEST_BACKOFF, seed: Some(0), ..profile.config() };
    let channel = balanced(&cluster, RoundRobin::new(), config).await;
    cluster.inject(Fault::Hang.on(vec![0, 1])).unwrap();
    let mut client = client(&channel);
    let mut codes = Vec::new();
    for call in 0..20 {
        let mut request = tonic::Request::new(create_order_request(call));
        request.set_timeout(Duration::from_millis(100));
        codes.push(client.create_order(request).await.map_or_else(|s| s.code(), |_| Code::Ok));
    }
    codes
}

#[tokio::test(start_paused = true)]
async fn the_grpc_profile_never_ejects_on_timeouts_so_slow_backends_give_deadline_exceeded_only() {
    let codes = codes_when_every_backend_hangs(Profile::Grpc).await;
    assert!(
        codes.iter().all(|code| *code == Code::DeadlineExceeded),
        "gRPC's round robin has no ejection on timeouts: every call must end DEADLINE_EXCEEDED, \
         got {codes:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_jostle_profile_ejects_after_two_timeouts_so_some_calls_fail_fast() {
    let codes = codes_when_every_backend_hangs(Profile::Jostle).await;
    assert!(
        codes.contains(&Code::Unavailable),
        "jostle ejects an endpoint after timeouts_to_eject (2) timeouts in a row: with both \
         out, calls fail UNAVAILABLE at once; got {codes:?}"
    );
}

/// An HTTP/2 server on `io` that answers every call OK (`refuse`: false) or refuses every
/// stream with `REFUSED_STREAM` (`refuse`: true), counting the streams it sees.
pub(super) async fn serve<T>(io: T, refuse: bool, streams: Arc<AtomicUsize>)
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let Ok(mut connection) = h2::server::handshake(io).await else { return };
    while let Some(Ok((_request, mut respond))) = connection.accept().await {
        streams.fetch_add(1, Ordering::SeqCst);
        if refuse {
            respond.send_reset(h2::Reason::REFUSED_STREAM);
        } else {
            let ok = http::Response::builder()
                .header("content-type", "application/grpc")
                .header("grpc-status", "0")
                .body(())
                .unwrap();
            let _ = respond.send_response(ok, true);
        }
    }
}

/// A channel over `refusing` endpoints that refuse every stream and `answering` ones that
/// answer OK, each connected in memory; the streams each kind saw.
fn channel(
    refusing: usize,
    answering: usize,
    config: BalanceConfig,
) -> (BalancedChannel, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let (refused, answered) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (refused_count, answered_count) = (Arc::clone(&refused), Arc::clone(&answered));
    let connector = tower::service_fn(move |uri: http::Uri| {
        let (client, server) = tokio::io::duplex(64 * 1024);
        let refuse = uri.host().is_some_and(|host| host.starts_with("refusing"));
        let count = Arc::clone(if refuse { &refused_count } else { &answered_count });
        tokio::spawn(serve(server, refuse, count));
        async move { Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(client)) }
    });
    let addresses = (0..refusing)
        .map(|n| format!("http://refusing-{n}.jostle:50051"))
        .chain((0..answering).map(|n| format!("http://answering-{n}.jostle:50051")))
        .map(|address| address.parse().unwrap());
    let channel = BalancedChannel::builder()
        .balancer(RoundRobin::new())
        .config(config)
        .build(discover::fixed(addresses), connector);
    (channel, refused, answered)
}

/// One unary call's gRPC status: from the answer's headers, or UNAVAILABLE on a transport error.
pub(super) async fn call(channel: &BalancedChannel) -> Code {
    let request = http::Request::post("http://orders.jostle/orders.OrderService/CreateOrder")
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(tonic::body::Body::new(String::from("\0\0\0\0\0")))
        .unwrap();
    match channel.clone().oneshot(request).await {
        Ok(response) => response
            .headers()
            .get("grpc-status")
            .and_then(|value| value.to_str().ok()?.parse::<i32>().ok())
            .map_or(Code::Unknown, Code::from_i32),
        Err(_) => Code::Unavailable,
    }
}

pub(super) async fn ready(channel: &BalancedChannel, count: usize) {
    channel
        .wait_until(|endpoints| endpoints.iter().filter(|e| e.ready).count() == count)
        .bounded("every endpoint to be ready")
        .await;
}

#[tokio::test(start_paused = true)]
async fn a_refused_call_is_retried_once_on_the_next_pick_and_succeeds() {
    let (channel, refused, answered) = channel(1, 1, BalanceConfig::grpc());
    ready(&channel, 2).await;
    for round in 0..10 {
        assert_eq!(call(&channel).await, Code::Ok, "call {round}: a refused stream is retried");
    }
    let (refused, answered) = (refused.load(Ordering::SeqCst), answered.load(Ordering::SeqCst));
    assert_eq!(answered, 10, "every call answered once, by the answering endpoint");
    assert!(
        refused >= 4,
        "round robin sends about every other call to the refusing endpoint first, and a refused \
         stream leaves its health alone: {refused} refused"
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_refused_twice_fails_after_its_one_retry() {
    let (channel, refused, _) = channel(2, 0, BalanceConfig::grpc());
    ready(&channel, 2).await;
    assert_eq!(call(&channel).await, Code::Unavailable, "refused by both, the call fails");
    assert_eq!(refused.load(Ordering::SeqCst), 2, "one attempt and one transparent retry");
}

#[tokio::test(start_paused = true)]
async fn without_transparent_retry_a_refused_call_fails() {
    let (channel, refused, _) = channel(1, 1, BalanceConfig::default());
    ready(&channel, 2).await;
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(call(&channel).await);
    }
    assert!(refused.load(Ordering::SeqCst) >= 1, "the refusing endpoint was picked");
    assert!(
        codes.contains(&Code::Unavailable),
        "jostle's profile does not retry: a refused call fails; got {codes:?}"
    );
}

/// How many of 300 calls, one at a time, fail when backend-0 of 3 answers every call
/// `UNAVAILABLE`.
async fn failed_with_one_backend_answering_unavailable(profile: Profile) -> usize {
    let cluster = Cluster::builder().backends(3).start().await.unwrap();
    let config = BalanceConfig { backoff: TEST_BACKOFF, ..profile.config() };
    let channel = balanced(&cluster, RoundRobin::new(), config).await;
    cluster.inject(Fault::status(Code::Unavailable, 1.0).on(0)).unwrap();
    let mut client = client(&channel);
    let mut failed = 0;
    for call in 0..300 {
        if client.create_order(create_order_request(call)).await.is_err() {
            failed += 1;
        }
    }
    failed
}

#[tokio::test(start_paused = true)]
async fn the_grpc_profile_keeps_a_backend_that_answers_unavailable_in_rotation() {
    let failed = failed_with_one_backend_answering_unavailable(Profile::Grpc).await;
    assert_eq!(
        failed, 100,
        "gRPC: a status from the server leaves the subchannel READY, so round robin keeps \
         sending backend-0 its third of the calls, all UNAVAILABLE"
    );
    let failed = failed_with_one_backend_answering_unavailable(Profile::Jostle).await;
    assert!(failed <= 2, "jostle ejects on the first UNAVAILABLE answer: {failed} failed");
}
