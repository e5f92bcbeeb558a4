use super::{client, cluster};
use jostle_harness::cluster::BackendState;
use jostle_harness::fault::Fault;
use jostle_harness::net::Transport;
use jostle_harness::sample::create_order_request;
use jostle_harness::wait::Within;
use std::time::Duration;
use tonic::Code;

#[tokio::test(start_paused = true)]
async fn restart_crashes_the_backend_for_down_for_and_brings_it_back_on_the_same_address() {
    let cluster = cluster(2, Transport::InMemory).await;
    let backend = cluster.backend(1).unwrap().clone();
    let mut client = client(&cluster, 1);
    client.create_order(create_order_request(0)).await.unwrap();

    cluster.inject(Fault::Restart { down_for: Duration::from_secs(2) }.on(1)).unwrap();
    backend.wait_for_state(BackendState::Stopped).bounded("the restart to stop backend-1").await;
    // In memory the reset reaches the client's end of the connection as a RST does over TCP,
    // after the I/O driver's next turn (docs/FAULTS.md): a call in flight fails `Unknown`, one
    // handed to the connection as the reset lands `Cancelled`; one made after it, `Unavailable`.
    tokio::time::sleep(Duration::from_millis(2)).await;
    let status = client.create_order(create_order_request(1)).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "a crashed backend is unavailable: {status:?}");

    backend
        .wait_for_state(BackendState::Running)
        .bounded("backend-1 to run again after down_for")
        .await;
    client.create_order(create_order_request(2)).await.expect("back after down_for");
    let windows = cluster.fault_log().windows();
    assert_eq!(windows.len(), 1, "one restart window: {windows:?}");
    let window = &windows[0];
    assert_eq!((window.kind, window.backend.as_str()), ("restart", "backend-1"));
    assert_eq!(window.end.unwrap() - window.start, Duration::from_secs(2), "down exactly down_for");
}

#[tokio::test(start_paused = true)]
async fn flap_restarts_every_period_until_its_duration_ends() {
    let cluster = cluster(1, Transport::InMemory).await;
    let flap = Fault::Flap { period: Duration::from_secs(1), down_for: Duration::from_millis(400) };
    cluster.inject(flap.on(0).lasting(Duration::from_millis(3_500))).unwrap();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let windows = cluster.fault_log().windows();
    let starts: Vec<Duration> = windows.iter().map(|w| w.start).collect();
    assert_eq!(
        starts,
        [600, 1_600, 2_600].map(Duration::from_millis),
        "up 600 ms, down 400 ms, three times in 3.5 s: {windows:?}"
    );
    assert!(windows.iter().all(|w| w.end.unwrap() - w.start == Duration::from_millis(400)));
    assert_eq!(cluster.backend(0).unwrap().state(), BackendState::Running, "it ends up");
    client(&cluster, 0).create_order(create_order_request(0)).await.expect("serves after flapping");
}

#[tokio::test(start_paused = true)]
async fn a_fault_scheduled_on_the_timeline_starts_at_its_instant_and_heals_after_its_duration() {
    let cluster = cluster(1, Transport::InMemory).await;
    let outage = Fault::status(Code::Unavailable, 1.0)
        .on(0)
        .at(Duration::from_secs(1))
        .lasting(Duration::from_secs(2));
    cluster.inject(outage).unwrap();
    let mut client = client(&cluster, 0);
    let mut seen = Vec::new();
    for _ in 0..5 {
        let code = match client.create_order(create_order_request(0)).await {
            Ok(_) => Code::Ok,
            Err(status) => status.code(),
        };
        seen.push(code);
        tokio::time::sleep(Duration::from_millis(800)).await;
    }
    // Calls at 0, 0.8, 1.6, 2.4, 3.2 s: the outage holds from 1 s to 3 s.
    assert_eq!(seen, [Code::Ok, Code::Ok, Code::Unavailable, Code::Unavailable, Code::Ok]);
    let windows = cluster.fault_log().windows();
    assert_eq!(
        (windows[0].start, windows[0].end),
        (Duration::from_secs(1), Some(Duration::from_secs(3)))
    );
}

#[tokio::test(start_paused = true)]
async fn healing_a_restart_brings_the_backend_back_at_once() {
    let cluster = cluster(1, Transport::InMemory).await;
    let backend = cluster.backend(0).unwrap().clone();
    let id = cluster.inject(Fault::Restart { down_for: Duration::from_secs(60) }.on(0)).unwrap();
    backend.wait_for_state(BackendState::Stopped).bounded("the restart to stop backend-0").await;
    let started = tokio::time::Instant::now();
    cluster.heal(id);
    backend
        .wait_for_state(BackendState::Running)
        .bounded("the healed backend-0 to run again")
        .await;
    assert_eq!(started.elapsed(), Duration::ZERO, "healed, it does not wait out down_for");
}

#[tokio::test(start_paused = true)]
async fn restarting_every_backend_takes_them_all_down_together() {
    let cluster = cluster(3, Transport::InMemory).await;
    cluster
        .inject(
            Fault::Restart { down_for: Duration::from_secs(1) }
                .on(jostle_harness::fault::Backends::All),
        )
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        cluster.backends().iter().all(|b| b.state() == BackendState::Stopped),
        "all down at once"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(cluster.backends().iter().all(|b| b.state() == BackendState::Running), "all back");
}
