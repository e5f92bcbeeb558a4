//! A user's channel that dials the in-memory addresses itself (tonic's own `Endpoint`
//! connector) instead of through the target's connector: every dial is refused at once on
//! this machine, no name is ever looked up, and the run stops within seconds with an error
//! that says why and how to fix it, instead of hanging or judging a balancer that never ran.

use super::sockets::Sampler;
use jostle_harness::Error;
use jostle_harness::channel::{Target, boxed};
use jostle_harness::scenario;
use jostle_harness::wait::Within;
use rstest::rstest;
use std::net::IpAddr;
use std::time::Duration;
use tonic::transport::{Channel, Endpoint};

const STORY: &str = "name = \"foreign\"\n[cluster]\nbackends = 3\n[balancer]\n\
                     policy = \"round_robin\"\n[load]\nrate = 200\nduration = \"30s\"\n\
                     [expect]\nmax_failure_rate = 0.0\n";

/// Every address a target hands out is an IP literal in 127/8 (nothing to resolve, nothing
/// that leaves the machine).
fn assert_loopback_literals(target: &Target) {
    for address in &target.addresses {
        let host = address.host().unwrap_or_default();
        let ip: Result<IpAddr, _> = host.parse();
        assert!(
            ip.is_ok_and(|ip| ip.is_loopback()),
            "an in-memory address must be a loopback IP literal (no resolver ever asked), got {address}"
        );
    }
}

fn one_endpoint(target: &Target) -> Channel {
    assert_loopback_literals(target);
    Endpoint::from(target.addresses[0].clone()).connect_lazy()
}

fn balance_list(target: &Target) -> Channel {
    assert_loopback_literals(target);
    Channel::balance_list(target.addresses.iter().cloned().map(Endpoint::from))
}

#[rstest]
#[case::one_endpoint(one_endpoint as fn(&Target) -> Channel)]
#[case::tonic_balance_list(balance_list as fn(&Target) -> Channel)]
#[tokio::test(start_paused = true)]
async fn a_channel_dialling_in_memory_addresses_itself_fails_the_run_saying_why_and_stays_on_loopback(
    #[case] build: fn(&Target) -> Channel,
) {
    let sampler = Sampler::start();
    let story = scenario::parse(STORY, "foreign.toml")
        .expect("the story parses")
        .against("tonic-endpoints", move |target| boxed(build(target)));
    let run = story.run().within(Duration::from_secs(60), "the run of a foreign dialer").await;
    let sampled = sampler.stop();
    match run {
        Err(error @ Error::Unreached { .. }) => {
            let message = error.to_string();
            for needed in ["reached no backend", "Endpoint", "connector", "Transport::Tcp"] {
                assert!(
                    message.contains(needed),
                    "the error must say why and how to fix it ({needed:?}), got: {message}"
                );
            }
        }
        other => panic!(
            "a channel that never dials through the connector must fail the run with \
             Error::Unreached, got {other:?}"
        ),
    }
    assert!(sampled.samples > 1, "the socket sampler must have sampled during the run");
    assert!(
        sampled.outside().is_empty(),
        "in-memory addresses must never leave the machine nor reach a name server; sockets \
         seen: {:?}",
        sampled.outside()
    );
}

#[tokio::test(start_paused = true)]
async fn a_channel_dialling_through_the_connector_is_never_stopped_for_reaching_no_backend() {
    let story = scenario::parse(STORY, "own.toml").expect("the story parses").against(
        "through-the-connector",
        |target| {
            boxed(
                Endpoint::from(target.addresses[0].clone())
                    .connect_with_connector_lazy(target.connector.clone()),
            )
        },
    );
    let report = story.run().within(Duration::from_secs(120), "a run through the connector").await;
    let report = report.expect("a channel that dials through the connector runs to the end");
    assert!(
        report.passed,
        "one backend reached through the connector answers every call: {report}"
    );
}
