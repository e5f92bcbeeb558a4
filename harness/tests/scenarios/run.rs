//! Running the fixtures: the outcome each story expects, byte-identical JSON reports from the
//! same file and seed, and the overrides of `jostle run`.

use jostle_harness::load::{Progress, Until};
use jostle_harness::report::RunReport;
use jostle_harness::runner;
use jostle_harness::scenario::{self, Expected, Scenario};
use rstest::rstest;
use std::path::{Path, PathBuf};

fn fixture(file: &str) -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "..", "fixtures", file].iter().collect()
}

/// The fixture's path as `jostle run` is given it from the workspace root.
fn relative(path: &Path) -> String {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

/// Runs `scenario` as `jostle run` does: under the paused clock in memory.
fn play_with(scenario: &Scenario, replay: &str, progress: &Progress) -> RunReport {
    runner::runtime(scenario)
        .unwrap()
        .block_on(runner::run_with(scenario, replay, progress))
        .unwrap_or_else(|error| panic!("{replay} must run: {error}"))
}

pub(crate) fn play(file: &str) -> RunReport {
    let loaded = scenario::load(fixture(file)).unwrap();
    play_with(&loaded, &format!("jostle run fixtures/{file}"), &Progress::new())
}

#[rstest]
fn every_fixture_gives_the_outcome_its_story_expects(#[files("../fixtures/*.toml")] path: PathBuf) {
    let loaded = scenario::load(&path).unwrap();
    let replay = format!("cargo run --bin jostle -- run {}", relative(&path));
    let report = play_with(&loaded, &replay, &Progress::new());
    assert!(
        report.as_expected,
        "{} must give the outcome its story expects (`[expect] outcome = \"{}\"`): every \
         expectation holds for \"pass\", exactly the checks named in `fails` fail for \"fail\" \
         (the flaw the story shows)\n{report}\nseed {}; rerun: {replay}",
        relative(&path),
        report.expected,
        report.seed,
    );
}

#[rstest]
#[case::article_restart("article-restart.toml", &["share"])]
#[case::tonic_dead_endpoint("tonic-dead-endpoint.toml", &["fallback"])]
#[case::fifty_pick_first_clients("fifty-pick-first-clients.toml", &["max-share"])]
fn the_stories_of_a_flaw_name_the_checks_it_makes_fail(#[case] file: &str, #[case] fails: &[&str]) {
    let loaded = scenario::load(fixture(file)).unwrap();
    assert_eq!(
        loaded.expect().outcome,
        Expected::Fail,
        "fixtures/{file} shows a balancer's flaw: it must say `outcome = \"fail\"`"
    );
    assert_eq!(loaded.expect().fails, fails, "fixtures/{file} names the checks its flaw fails");
}

#[test]
fn a_story_of_a_flaw_is_not_as_expected_when_another_check_fails_too() {
    // The article's story with one more expectation its dialer breaks (one call fails at the
    // crash): the share check still fails as the story says, but so does another one.
    let text = std::fs::read_to_string(fixture("article-restart.toml")).unwrap();
    let broken = text.replace("max_failure_rate = 0.01", "max_failure_rate = 0.0");
    assert_ne!(broken, text, "the fixture sets max_failure_rate = 0.01");
    let story = scenario::parse(&broken, "article-restart-broken.toml").unwrap();
    let report = play_with(&story, "a stricter article-restart", &Progress::new());
    let failed: Vec<&str> =
        report.expectations.iter().filter(|e| !e.passed).map(|e| e.check.as_str()).collect();
    assert_eq!(failed, ["failure-rate", "share"], "both checks fail:\n{report}");
    assert!(
        !report.as_expected,
        "a flaw story is as expected only when exactly the checks it names fail:\n{report}"
    );
    assert!(report.verdict().contains("not exactly those this story names"), "{report}");
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

/// The checked-in JSON report of fixtures/rolling-restart.toml (a story without latency).
const GOLDEN: &str = "tests/scenarios/golden/rolling-restart.json";

#[test]
fn a_story_without_latency_replays_as_its_checked_in_json_report() {
    let played = play("rolling-restart.toml").to_json();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("JOSTLE_BLESS").is_some() {
        std::fs::write(&path, &played).unwrap();
    }
    let golden = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("harness/{GOLDEN} must be readable: {error}"));
    assert!(
        played == golden,
        "fixtures/rolling-restart.toml (seed in the file) must replay as harness/{GOLDEN}, byte \
         for byte: a change of a report or verdict must be deliberate; rerun: cargo test -p \
         jostle-harness --test harness checked_in_json (JOSTLE_BLESS=1 rewrites the file \
         once the change is meant)"
    );
}

#[test]
fn publishing_progress_changes_nothing_of_a_run() {
    let file = "rolling-restart.toml";
    let loaded = scenario::load(fixture(file)).unwrap();
    let replay = format!("jostle run fixtures/{file}");
    let progress = Progress::new();
    let watched = play_with(&loaded, &replay, &progress);
    assert!(
        watched.to_json() == play(file).to_json(),
        "a run that publishes its progress must give the same bytes as one that does not \
         (fixtures/{file}, seed {}; rerun: {replay})",
        loaded.seed()
    );
    let Until::Elapsed(duration) = loaded.load_spec().until else {
        panic!("fixtures/{file} runs for a duration")
    };
    let (done, total) = progress.position(&loaded.load_spec());
    assert_eq!(
        total,
        u64::try_from(duration.as_millis()).unwrap(),
        "a duration-bounded load's bar counts milliseconds"
    );
    assert!(
        done * 100 >= total * 99,
        "progress must reach the end of the load ({done} of {total} ms)"
    );
    assert_eq!(
        progress.calls_finished(),
        watched.calls.sent,
        "progress must count every call that ended"
    );
}

#[test]
fn a_correct_balancer_survives_the_articles_story() {
    let loaded = scenario::load(fixture("article-restart.toml"))
        .unwrap()
        .with_balancer("round_robin")
        .unwrap();
    let replay = "jostle run fixtures/article-restart.toml --balancer round_robin";
    let report = play_with(&loaded, replay, &Progress::new());
    assert!(
        report.passed && report.as_expected && report.expected == "pass",
        "round_robin must give the restarted replica its share back and lose no call: the \
         article's fix\n{report}\nseed {}; rerun: {replay}",
        report.seed
    );
}

#[test]
fn the_first_example_of_the_scenarios_guide_passes_with_its_own_policy() {
    let guide = include_str!("../../../docs/SCENARIOS.md");
    let example = guide
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/SCENARIOS.md opens with a TOML example");
    let story = scenario::parse(example, "docs/SCENARIOS.md")
        .unwrap_or_else(|error| panic!("the guide's first example must be valid: {error}"));
    let report = play_with(&story, "the first example of docs/SCENARIOS.md", &Progress::new());
    assert!(
        report.as_expected,
        "the guide's first example must give the outcome it expects with its own balancer \
         (seed {}):\n{report}",
        report.seed
    );
}
