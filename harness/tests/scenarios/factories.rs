//! A factory may build the channel with a future (an async builder, as ginepro's), awaited
//! before the load starts, at every door that takes one; a factory's error fails the run with
//! its message, never a pass.

use jostle::balance::{BalancedChannel, policy::RoundRobin};
use jostle_harness::Error;
use jostle_harness::channel::{BoxChannel, Factory, Target, boxed};
use jostle_harness::conformance::{Battery, Suite};
use jostle_harness::explore::{Explorer, Space};
use jostle_harness::scenario;
use std::time::Duration;

const STORY: &str = "name = \"s\"\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n\
                     [load]\nconcurrency = 2\ncalls = 20\n[expect]\nmax_failure_rate = 0.0\n";
const RERUN: &str = "cargo test -p jostle-harness --test harness factories";

/// An async builder: it waits (a resolution, a handshake) before the channel exists.
fn awaited() -> Factory {
    Factory::future(|target: &Target| {
        let (changes, connector, seed) = (target.changes(), target.connector.clone(), target.seed);
        async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            let channel = BalancedChannel::builder()
                .balancer(RoundRobin::new())
                .seed(seed)
                .try_build(changes, connector)?;
            Ok::<BoxChannel, jostle::balance::ConfigError>(boxed(channel))
        }
    })
}

/// An async builder that finds nothing to connect to.
fn failing() -> Factory {
    Factory::future(|_: &Target| async {
        Err::<BoxChannel, _>("no endpoint resolved for orders.example")
    })
}

#[test]
fn an_async_factory_is_awaited_and_its_channel_runs_the_story() {
    let report = scenario::parse(STORY, "s.toml")
        .unwrap()
        .against_factory("awaited", awaited())
        .run_blocking()
        .unwrap_or_else(|error| {
            panic!("an async factory's channel must run: {error}\nrerun: {RERUN}")
        });
    assert!(
        report.passed,
        "a correct balancer built by a future passes:\n{report}\nrerun: {RERUN}"
    );
    assert_eq!(report.calls.ok, 20, "every call went through the awaited channel\nrerun: {RERUN}");
}

#[test]
fn a_factorys_error_fails_the_run_with_its_message() {
    let error = scenario::parse(STORY, "s.toml")
        .unwrap()
        .against_factory("unresolved", failing())
        .run_blocking()
        .expect_err("a factory that fails must fail the run, never pass it");
    assert!(
        matches!(error, Error::Factory { .. }),
        "the run's error is the factory's: {error:?}\nrerun: {RERUN}"
    );
    assert_eq!(
        error.to_string(),
        "the factory of `unresolved` failed: no endpoint resolved for orders.example",
        "the run's error names the balancer and carries the factory's message\nrerun: {RERUN}"
    );
}

#[test]
fn the_battery_takes_an_async_factory_and_fails_setup_on_its_error() {
    let report =
        Suite::from_factory("awaited", awaited()).scenarios([Battery::Healthy]).run_blocking();
    report.assert_passes();
    let report =
        Suite::from_factory("unresolved", failing()).scenarios([Battery::Healthy]).run_blocking();
    report.assert_failures(&[(Battery::Healthy, "setup")]);
    let setup = report.check(Battery::Healthy, "setup").unwrap();
    assert!(
        setup.explanation.contains("no endpoint resolved for orders.example"),
        "the battery's setup failure carries the factory's message: {}\nrerun: {RERUN}",
        setup.explanation
    );
}

#[test]
fn explore_takes_an_async_factory_and_stops_on_its_error() {
    let explorer = |factory| {
        Explorer::new(Space::default())
            .against_factory("mine", factory)
            .config(&jostle::balance::BalanceConfig::default())
            .seeds(0..1)
    };
    let found = explorer(awaited()).run_blocking().unwrap();
    assert_eq!(found.schedules, 1, "the schedule ran against the awaited channel\nrerun: {RERUN}");
    let error = explorer(failing()).run_blocking().expect_err("a failing factory stops explore");
    assert!(
        error.to_string().contains("no endpoint resolved for orders.example"),
        "explore's error carries the factory's message: {error}\nrerun: {RERUN}"
    );
}

#[test]
fn a_sync_closure_is_still_a_factory() {
    // The form every existing test and README example uses, through `From`.
    let factory: Factory = Factory::from(|target: &Target| {
        boxed(
            BalancedChannel::builder()
                .balancer(RoundRobin::new())
                .build(target.changes(), target.connector.clone()),
        )
    });
    let report = scenario::parse(STORY, "s.toml")
        .unwrap()
        .against_factory("sync", factory)
        .run_blocking()
        .unwrap();
    assert!(report.passed, "{report}\nrerun: {RERUN}");
}
