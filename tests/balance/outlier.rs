use super::{balanced, client, config, served};
use jostle::balance::outlier::{FailurePercentageEjection, OutlierConfig};
use jostle::balance::policy::RoundRobin;
use jostle_harness::cluster::Cluster;
use jostle_harness::fault::Fault;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use std::time::Duration;
use tokio::time::Instant;
use tonic::Code;

#[tokio::test(start_paused = true)]
async fn a50_failure_percentage_ejects_a_backend_failing_with_internal_and_brings_it_back_after_its_ejection_time()
 {
    let cluster = Cluster::builder().backends(3).start().await.unwrap();
    // The detector ticks every interval from the channel's build.
    let built = Instant::now();
    let outlier = OutlierConfig {
        interval: Duration::from_secs(1),
        base_ejection_time: Duration::from_secs(5),
        max_ejection_percent: 50,
        success_rate: None,
        failure_percentage: Some(FailurePercentageEjection {
            threshold: 50,
            enforcement_percentage: 100,
            minimum_hosts: 3,
            request_volume: 10,
        }),
        ..OutlierConfig::default()
    };
    let channel = balanced(
        &cluster,
        RoundRobin::new(),
        jostle::balance::BalanceConfig { outlier: Some(outlier), ..config() },
    )
    .await;
    // INTERNAL is not UNAVAILABLE: connection health keeps the endpoint; only A50 can eject it.
    let internal = cluster.inject(Fault::status(Code::Internal, 1.0).on(0)).unwrap();
    let mut client = client(&channel);
    let mut failed_before = 0;
    for call in 0..60 {
        if client.create_order(create_order_request(call)).await.is_err() {
            failed_before += 1;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(failed_before, 20, "a third of the calls fail before the first interval ends");
    channel.wait_until(|endpoints| endpoints[0].ejected).bounded("backend-0 to be ejected").await;
    assert_eq!(built.elapsed(), Duration::from_secs(1), "ejected at the first interval's tick");
    let before = served(&cluster);
    let mut failed_after = 0;
    for call in 0..60 {
        if client.create_order(create_order_request(call)).await.is_err() {
            failed_after += 1;
        }
    }
    assert_eq!(failed_after, 0, "the ejected backend gets no calls");
    let after = served(&cluster);
    assert_eq!(after[1] + after[2] - before[1] - before[2], 60, "{before:?} -> {after:?}");

    cluster.heal(internal);
    channel
        .wait_until(|endpoints| !endpoints[0].ejected)
        .bounded("backend-0 to be readmitted")
        .await;
    // Ejected at the 1 s tick for base_ejection_time (5 s); A50 readmits at the first tick
    // more than 5 s later: 7 s (at 6 s exactly 5 s have passed, not more).
    assert_eq!(built.elapsed(), Duration::from_secs(7), "readmitted at the first tick past 5 s");
    let before = served(&cluster);
    for call in 0..30 {
        client.create_order(create_order_request(call)).await.expect("healed and readmitted");
    }
    let after = served(&cluster);
    let gained: Vec<u64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
    assert_eq!(gained, [10, 10, 10], "readmitted, backend-0 takes its third of the traffic again");
}
