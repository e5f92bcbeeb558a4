use jostle_harness::cluster::Cluster;
use jostle_harness::fault::{Fault, FaultHit};
use jostle_harness::sample::create_order_request;
use tonic::Code;

const CALLS: u64 = 10_000;

/// 10,000 calls one at a time through a status fault with p = 0.3; the log of what it hit.
async fn hits(seed: u64) -> Vec<FaultHit> {
    let cluster = Cluster::builder().backends(1).seed(seed).start().await.unwrap();
    cluster.inject(Fault::status(Code::Unavailable, 0.3).on(0)).unwrap();
    let mut client = jostle_harness::proto::order_service_client::OrderServiceClient::new(
        cluster.channel(0).unwrap(),
    );
    let mut failed = 0_u64;
    for call in 0..CALLS {
        if let Err(status) = client.create_order(create_order_request(call)).await {
            if !status.message().starts_with("injected by jostle") {
                panic!("call {call}: {status:?}");
            }
            failed += 1;
        }
    }
    let hits = cluster.fault_log().hits();
    assert_eq!(
        hits.len() as u64,
        failed,
        "every failure is a logged hit and nothing else (seed {seed})"
    );
    let stats = cluster.backend(0).unwrap().stats();
    assert_eq!(
        stats.finished("CreateOrder", Code::Unavailable),
        failed,
        "the backend agrees (seed {seed})"
    );
    hits
}

#[tokio::test(start_paused = true)]
async fn the_same_seed_injects_the_same_faults_and_another_seed_does_not() {
    let first = hits(42).await;
    let again = hits(42).await;
    let other = hits(43).await;
    let rate = first.len() as f64 / CALLS as f64;
    assert!((0.27..0.33).contains(&rate), "p = 0.3 over {CALLS} calls hit {rate} (seed 42)");
    assert!(
        first == again,
        "seed 42 must replay the same {} hits\nrerun: cargo test --test harness determinism",
        first.len()
    );
    assert!(first != other, "seeds 42 and 43 must differ");
}
