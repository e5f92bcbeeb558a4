//! The deadline covers the whole call: a backend that sends its response headers and then
//! stalls does not hold the call past its deadline.

use super::{balanced, client, config};
use jostle::balance::policy::RoundRobin;
use jostle_harness::cluster::Cluster;
use jostle_harness::proto::WatchOrdersRequest;
use std::time::Duration;
use tokio::time::Instant;
use tonic::Code;

#[tokio::test(start_paused = true)]
async fn a_backend_stalling_after_its_headers_ends_the_call_at_its_deadline() {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    let channel = balanced(&cluster, RoundRobin::new(), config()).await;
    let mut client = client(&channel);
    let deadline = Duration::from_millis(500);
    // A watch that follows new orders: the backend answers with its headers at once, then
    // sends nothing, as no order is ever created.
    let mut request =
        tonic::Request::new(WatchOrdersRequest { follow: true, ..Default::default() });
    request.set_timeout(deadline);
    let started = Instant::now();
    let mut stream =
        client.watch_orders(request).await.expect("the headers come at once").into_inner();
    assert!(started.elapsed() < deadline, "the headers must come before the deadline");
    // Bounded: without a deadline on the body the read would never end.
    let read = tokio::time::timeout(Duration::from_secs(60), stream.message()).await;
    let status = read
        .expect("the deadline must end a call whose body stalls (it ran for 60 s)")
        .expect_err("nothing was sent: the call must end in an error");
    assert_eq!(
        status.code(),
        Code::DeadlineExceeded,
        "a stalled body ends DEADLINE_EXCEEDED: {status:?}"
    );
    assert_eq!(started.elapsed(), deadline, "the call must end exactly at its deadline");
    let endpoint = &channel.endpoints()[0];
    assert_eq!(endpoint.in_flight, 0, "a call ended at its deadline is no longer in flight");
}
