//! The profile in Rust: `Scenario::with_profile`, `Suite::profile` and `Explorer::profile` do
//! what `--profile` does.

use crate::stories::story_text;
use jostle::balance::Profile;
use jostle::balance::policy::RoundRobin;
use jostle_harness::channel::{Target, boxed};
use jostle_harness::conformance::{Battery, Suite};
use jostle_harness::explore::{Explorer, Space};
use jostle_harness::scenario::{self, Scenario};

/// Every backend slower than the deadline; only DEADLINE_EXCEEDED expected.
fn story() -> Scenario {
    let load = "concurrency = 1\ncalls = 20\ndeadline = \"100ms\"\n";
    let rest =
        "[[fault]]\ntarget = [0, 1]\nkind = \"hang\"\n[expect]\ncodes = [\"DeadlineExceeded\"]\n";
    let text = story_text("every backend slower than the deadline", 2, load, rest);
    scenario::parse(&text, "hang.toml").expect("a valid story")
}

#[test]
fn with_profile_grpc_plays_the_story_as_a_grpc_client_and_jostle_s_own_ejects() {
    let grpc = story().with_profile(Profile::Grpc).unwrap().run_blocking().unwrap();
    assert!(grpc.passed, "gRPC's profile never ejects on timeouts: DEADLINE_EXCEEDED only\n{grpc}");
    let jostle = story().run_blocking().unwrap();
    assert!(
        !jostle.passed,
        "jostle's profile ejects after 2 timeouts: UNAVAILABLE appears\n{jostle}"
    );
    let back = story().with_profile(Profile::Grpc).unwrap().with_profile(Profile::Jostle).unwrap();
    assert_eq!(back, story(), "--profile jostle gives jostle's parameters back");
}

#[test]
fn a_suite_of_your_own_factory_refuses_a_profile_in_its_setup_check() {
    let own = Suite::new("mine", |target: &Target| {
        boxed(
            jostle::balance::BalancedChannel::builder()
                .balancer(RoundRobin::new())
                .build(target.changes(), target.connector.clone()),
        )
    })
    .profile(Profile::Grpc)
    .scenarios([Battery::Healthy]);
    let report = own.run_blocking();
    let setup = &report.runs[0].report.expectations[0];
    assert!(!setup.passed, "a profile your factory never saw must not pass: {setup:?}");
    assert!(setup.explanation.contains("profile `grpc` applies to jostle's channel"), "{setup:?}");

    let jostle = Suite::for_balancer("round_robin", RoundRobin::new)
        .profile(Profile::Grpc)
        .scenarios([Battery::OneDown])
        .run_blocking();
    jostle.assert_passes();
}

#[test]
fn explorer_profile_grpc_writes_the_profile_into_each_file() {
    let explorer = Explorer::new(Space::default()).profile(Profile::Grpc);
    let file = explorer.file(&explorer.schedule(3), &[], &[]);
    assert!(file.contains("\nprofile = \"grpc\"\n"), "the file replays with the profile:\n{file}");
    let parsed = Scenario::parse(&file, "explore.toml").expect("a valid file");
    assert_eq!(parsed.balancer().profile(), Profile::Grpc, "{file}");
    let refused = Explorer::new(Space::default())
        .balancer("round_robin_dialer")
        .unwrap()
        .profile(Profile::Grpc)
        .seeds(0..1)
        .run_blocking();
    assert!(refused.is_err(), "a profile is for jostle policies only");
}
