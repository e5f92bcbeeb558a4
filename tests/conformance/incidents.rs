//! Replay your incident against your own balancer (the README's section): a balancer defined in
//! this test binary (`Fewest`, the README's, from readme.rs) plays every fixture, and every battery
//! scenario file, through the one runner.
//!
//! Rerun: `cargo test --test balancers incidents`.

use super::readme::Fewest;
use jostle::balance::{BalanceConfig, BalancedChannel};
use jostle_harness::conformance::SUITE_BACKOFF;
use jostle_harness::prelude::*;
use jostle_harness::scenario::BalancerChoice;
use rstest::rstest;
use std::path::PathBuf;

/// The factory a scenario builds the balancer under test with, for each run.
fn fewest(target: &Target) -> BoxChannel {
    fewest_waiting(target, false)
}

/// [`fewest`], its calls waiting for a ready backend (within their deadline) or not.
fn fewest_waiting(target: &Target, wait_for_ready: bool) -> BoxChannel {
    let config = BalanceConfig {
        backoff: SUITE_BACKOFF,
        wait_for_ready,
        seed: Some(target.seed),
        ..BalanceConfig::default()
    };
    let mut builder = BalancedChannel::builder().balancer(Fewest::default()).config(config);
    if let Some(refresh) = target.refresh() {
        // A story that discovers through DNS: resolve again after a failed connection.
        builder = builder.refresh_dns_on_failure(refresh);
    }
    boxed(builder.build(target.changes(), target.connector.clone()))
}

#[rstest]
fn my_balancer_survives_every_incident_in_fixtures(
    // Not the incident of docs/INCIDENT.md: with the suite's 100 ms backoff, fewest lets the
    // slow pod back about 20 times, 35 calls meet their deadline and the dashboard's p99 is the
    // deadline, which that story's `latency` check exists to catch.
    #[files("fixtures/*.toml")]
    #[exclude("incident-rolling-deploy")]
    path: PathBuf,
) {
    let incident = Scenario::load(&path).expect("a valid fixture");
    // A story of calls that wait for a ready backend asks for it: the channel is built so.
    let wait_for_ready = matches!(
        incident.balancer(),
        BalancerChoice::Jostle { config, .. } if config.wait_for_ready
    );
    let incident = incident.against("fewest", move |target| fewest_waiting(target, wait_for_ready));
    // In memory under the paused clock, tcp stories too (their balancer needed tcp, this one
    // does not): timing checks on real sockets would depend on the machine's load.
    let incident = incident.with_transport(Transport::InMemory).expect("fewest runs in memory");
    let report = incident.run_blocking().expect("the incident runs");
    assert_eq!(report.balancer, "fewest", "the report names the balancer under test");
    assert!(
        report.passed && report.as_expected,
        "a balancer that routes around failures must survive {} (seed {}; rerun: cargo test \
         --test balancers incidents):\n{report}",
        path.display(),
        report.seed
    );
}

#[test]
fn my_balancer_passes_every_battery_file_through_the_same_runner() {
    for battery in Battery::ALL {
        let scenario = battery.scenario().against("fewest", fewest);
        let report = scenario.run_blocking().expect("the battery scenario runs");
        assert!(
            report.passed,
            "fewest must pass {} played by the runner (rerun: cargo test --test balancers conformance:: \
             incidents):\n{report}",
            battery.path()
        );
    }
}
