use super::{balanced, client, config, served};
use jostle::balance::policy::RoundRobin;
use jostle_harness::cluster::Cluster;
use jostle_harness::fault::Fault;
use jostle_harness::sample::create_order_request;
use std::time::Duration;
use tokio::time::Instant;
use tonic::Code;

#[tokio::test(start_paused = true)]
async fn calls_to_a_hung_backend_end_by_their_deadline_and_it_is_routed_around() {
    let cluster = Cluster::builder().backends(3).start().await.unwrap();
    let channel = balanced(&cluster, RoundRobin::new(), config()).await;
    cluster.inject(Fault::Hang.on(1)).unwrap();
    let mut client = client(&channel);
    let deadline = Duration::from_millis(200);
    let mut timed_out = 0;
    for call in 0..300 {
        let mut request = tonic::Request::new(create_order_request(call));
        request.set_timeout(deadline);
        let started = Instant::now();
        match client.create_order(request).await {
            Ok(_) => {}
            Err(status) => {
                assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
                timed_out += 1;
            }
        }
        assert!(
            started.elapsed() <= deadline,
            "call {call} outlived its deadline: {:?}",
            started.elapsed()
        );
    }
    // One call at a time in turn: calls 1 and 4 reach backend-1 and wait out their 200 ms
    // deadline; after those 2 (`timeouts_to_eject`) it leaves the ready set. A connection that
    // served calls reconnects at once, so calls 7 and 10 reach it and time out too; after
    // that second kick it backs off (100 ms at least), and the other 289 calls, answered at
    // once, are all done at that same virtual instant.
    assert_eq!(
        timed_out, 4,
        "after 2 timeouts the hung backend leaves the ready set, and again after 2 more on the connection \
         it makes at once: {timed_out} of 300 timed out"
    );
    let counts = served(&cluster);
    assert_eq!(counts, [148, 0, 148], "the healthy backends took the other 296 in turn");
}

#[tokio::test(start_paused = true)]
async fn a_call_without_a_deadline_still_ends_at_the_default_timeout() {
    let cluster = Cluster::builder().backends(1).start().await.unwrap();
    let mut settings = config();
    settings.default_timeout = Duration::from_secs(3);
    let channel = balanced(&cluster, RoundRobin::new(), settings).await;
    cluster.inject(Fault::Hang.on(0)).unwrap();
    let started = Instant::now();
    let status = client(&channel).create_order(create_order_request(0)).await.unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded);
    assert_eq!(started.elapsed(), Duration::from_secs(3), "no call waits forever");
}
