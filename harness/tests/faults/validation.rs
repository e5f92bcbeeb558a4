use super::cluster;
use jostle_harness::fault::{Backends, Delay, Fault, Phase};
use jostle_harness::net::Transport;
use rstest::rstest;
use std::time::Duration;
use tonic::Code;

#[rstest]
#[case::probability_above_one(Fault::status(Code::Unavailable, 1.5).on(0), "invalid probability: a probability in 0..=1, got 1.5")]
#[case::probability_negative(Fault::status(Code::Unavailable, -0.1).on(0), "invalid probability: a probability in 0..=1, got -0.1")]
#[case::zero_period(Fault::Flap { period: Duration::ZERO, down_for: Duration::from_secs(1) }.on(0), "invalid period: a duration above zero, got 0ns")]
#[case::down_longer_than_period(Fault::Flap { period: Duration::from_secs(1), down_for: Duration::from_secs(2) }.on(0), "invalid down_for: less than the period (1s), got 2s")]
#[case::unknown_backend(Fault::Hang.on(7), "unknown backend 7: the cluster has backends 0..3")]
#[case::unknown_backend_in_a_set(Fault::Hang.on(vec![0, 3]), "unknown backend 3: the cluster has backends 0..3")]
#[case::empty_target(Fault::Hang.on(Backends::Many(vec![])), "invalid target: at least one backend, got none")]
#[case::uniform_inverted(Fault::Delay { delay: Delay::Uniform { min: Duration::from_secs(2), max: Duration::from_secs(1) }, phase: Phase::BeforeHeaders }.on(0), "invalid max: at least min (2s), got 1s")]
#[case::ok_status(Fault::status(Code::Ok, 0.5).on(0), "invalid code: a failing status code, not OK, got \"OK\"")]
#[case::zero_rpcs(Fault::ConnectionAge { max_rpcs: Some(0), max_age: None }.on(0), "invalid max_rpcs: at least 1, got 0")]
#[case::lasting_one_shot(Fault::Drain.on(0).lasting(Duration::from_secs(1)), "invalid lasting: no duration for the one-shot fault drain, got 1s")]
#[tokio::test]
async fn invalid_fault_parameters_are_typed_errors_naming_the_parameter(
    #[case] injection: jostle_harness::fault::Injection,
    #[case] message: &str,
) {
    let cluster = cluster(3, Transport::InMemory).await;
    let error = cluster.inject(injection).unwrap_err();
    assert_eq!(error.to_string(), message);
    assert!(cluster.fault_log().windows().is_empty(), "nothing was injected");
    assert!(cluster.backends().iter().all(|b| b.active_faults().is_empty()));
}

#[tokio::test]
async fn blackhole_connect_is_refused_on_tcp_where_the_kernel_completes_connects() {
    let cluster = cluster(1, Transport::Tcp).await;
    let error = cluster.inject(Fault::BlackholeConnect.on(0)).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("invalid fault: a fault that runs on tcp")
            && message.ends_with("got fault `blackhole-connect` works in memory only"),
        "the error must name the fault and the transport it needs: {message}"
    );
}
