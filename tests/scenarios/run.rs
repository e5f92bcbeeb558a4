//! Running the fixtures: the verdict each story is meant to give, and byte-identical JSON
//! reports from the same file and seed.

use jostle_harness::net::Transport;
use jostle_harness::scenario;
use rstest::rstest;
use std::path::PathBuf;

pub(crate) fn play(file: &str) -> jostle_harness::report::RunReport {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "fixtures", file].iter().collect();
    let loaded = scenario::load(&path).unwrap();
    let mut runtime = tokio::runtime::Builder::new_current_thread();
    runtime.enable_all().start_paused(loaded.transport() == Transport::InMemory);
    runtime
        .build()
        .unwrap()
        .block_on(scenario::run(&loaded, &format!("jostle run fixtures/{file}")))
        .unwrap()
}

#[rstest]
#[case::all_down("all-down.toml", true)]
#[case::connection_storm("connection-storm.toml", true)]
#[case::flaky_replica("flaky-replica.toml", true)]
#[case::hung_replica("hung-replica.toml", true)]
#[case::rolling_restart("rolling-restart.toml", true)]
#[case::scale_up("scale-up.toml", true)]
#[case::slow_replica("slow-replica.toml", true)]
// The stories of flaws: the article's dialer never gives the restarted replica its share back,
// and tonic's balance_list keeps routing to the dead endpoint.
#[case::article_restart("article-restart.toml", false)]
#[case::tonic_dead_endpoint("tonic-dead-endpoint.toml", false)]
fn every_fixture_runs_and_gives_the_verdict_its_story_tells(
    #[case] file: &str,
    #[case] passes: bool,
) {
    let report = play(file);
    assert_eq!(
        report.passed,
        passes,
        "fixtures/{file} must {} \n{report}\nrerun: cargo run --bin jostle -- run fixtures/{file}",
        if passes { "pass" } else { "fail" }
    );
}

#[test]
fn the_same_fixture_and_seed_give_a_byte_identical_json_report() {
    let first = play("rolling-restart.toml").to_json();
    let again = play("rolling-restart.toml").to_json();
    assert!(
        first == again,
        "two runs of fixtures/rolling-restart.toml (seed in the file) must give the same bytes"
    );
}
