//! The gRPC corpus (fixtures/grpc/): scenario files written from grpc-go's round_robin and
//! pick_first tests, grpc's xDS interop test descriptions and gRFCs A61/A62. Each names its
//! source test in its origin comment, runs with `profile = "grpc"`, and must give the verdict
//! its source asserts (its `outcome`), in memory under the paused clock. Swapping the client
//! for one that behaves otherwise makes the checks the source is about fail.
//!
//! Rerun: `cargo test -p jostle-harness --test harness grpc_corpus`;
//! one file: `jostle run fixtures/grpc/FILE.toml`.

use jostle::balance::Profile;
use jostle_harness::report::RunReport;
use jostle_harness::scenario::{self, BalancerChoice, Scenario};
use rstest::rstest;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/grpc");

/// The repositories a corpus file may cite: grpc-go's tests, grpc's docs, the gRFCs.
const SOURCES: &[&str] = &["grpc/grpc-go", "grpc/grpc", "grpc/proposal"];

fn load(path: &Path) -> Scenario {
    scenario::load(path)
        .unwrap_or_else(|error| panic!("corpus file {} must be valid: {error}", path.display()))
}

fn story(file: &str) -> Scenario {
    load(&Path::new(CORPUS).join(file))
}

fn play(scenario: &Scenario) -> RunReport {
    scenario.run_blocking().unwrap_or_else(|error| panic!("{} must run: {error}", scenario.name()))
}

fn failed_checks(report: &RunReport) -> Vec<&str> {
    report.expectations.iter().filter(|e| !e.passed).map(|e| e.check.as_str()).collect()
}

/// The origin comment: the `# origin: ` line and the comment lines after it.
fn origin(text: &str) -> String {
    text.lines().take_while(|line| line.starts_with('#')).collect::<Vec<_>>().join("\n")
}

#[rstest]
fn every_corpus_file_names_its_source_test_and_runs_with_grpcs_profile(
    #[files("../fixtures/grpc/*.toml")] path: PathBuf,
) {
    let text = std::fs::read_to_string(&path).expect("readable corpus file");
    let file = path.display();
    assert!(text.starts_with("# origin: "), "{file} must open with a `# origin: ` comment");
    let origin = origin(&text);
    let first = origin.lines().next().unwrap_or_default();
    assert!(
        SOURCES.iter().any(|repo| first.starts_with(&format!("# origin: {repo}, "))),
        "{file}'s origin must name its repository first (one of {SOURCES:?}): {first}"
    );
    let names_a_test = origin.contains(" Test") || origin.contains("test case ");
    let names_a_file = origin.contains(".go") || origin.contains(".md");
    assert!(
        names_a_test && names_a_file,
        "{file}'s origin must name the source file and the test (a Go test function or an \
         interop test case): {origin}"
    );
    assert!(
        origin.contains("The source asserts:"),
        "{file}'s origin must say what verdict its source asserts: {origin}"
    );
    let story = load(&path);
    assert!(
        matches!(story.balancer(), BalancerChoice::Jostle { profile: Profile::Grpc, .. }),
        "{file} must play a jostle policy with `profile = \"grpc\"`, got {:?}",
        story.balancer()
    );
}

#[rstest]
fn every_corpus_file_gives_the_verdict_its_source_asserts(
    #[files("../fixtures/grpc/*.toml")] path: PathBuf,
) {
    let story = load(&path);
    let report = play(&story);
    let failed = failed_checks(&report);
    assert!(
        report.as_expected,
        "{} must give the verdict its source test asserts with gRPC's client defaults (outcome \
         {:?}); failed checks {failed:?} (seed {}; rerun: jostle run {})\n{report}",
        path.display(),
        story.expect().outcome,
        story.seed(),
        path.display()
    );
}

#[test]
fn the_corpus_holds_at_least_twenty_files() {
    let files = std::fs::read_dir(CORPUS)
        .expect("fixtures/grpc/ exists")
        .filter(|entry| {
            entry.as_ref().is_ok_and(|entry| entry.path().extension().is_some_and(|e| e == "toml"))
        })
        .count();
    assert!(
        files >= 20,
        "fixtures/grpc/ must hold at least 20 stories from gRPC's tests, has {files}"
    );
}

#[rstest]
#[case::pick_first_breaks_round_robins_cycle("rr-basic.toml", "pick_first", "distribution")]
#[case::round_robin_leaves_pick_firsts_first_address(
    "pf-multiple-backends.toml",
    "round_robin",
    "share"
)]
#[case::a_fixed_list_ignores_the_withdrawal(
    "rr-addresses-removed.toml",
    "round_robin_dialer",
    "only-announced"
)]
#[case::a_fixed_list_never_reaches_the_new_service(
    "xds-change-backend-service.toml",
    "round_robin_dialer",
    "convergence"
)]
fn a_client_that_behaves_otherwise_fails_the_check_the_source_is_about(
    #[case] file: &str,
    #[case] other: &str,
    #[case] check: &str,
) {
    let story = story(file).with_balancer(other).expect("a built-in balancer");
    let report = play(&story);
    let failed = failed_checks(&report);
    assert!(
        failed.contains(&check),
        "fixtures/grpc/{file} played by {other} must fail `{check}`: that check holds the \
         source's verdict, and {other} does not give it; failed {failed:?} (seed {}; rerun: \
         jostle run fixtures/grpc/{file} --balancer {other})\n{report}",
        story.seed()
    );
}

#[test]
fn with_jostles_ejection_on_timeouts_the_xds_timeout_story_sees_unavailable() {
    let file = "xds-timeout-app-timeout-exceeded.toml";
    let story = story(file).with_profile(Profile::Jostle).expect("a jostle policy");
    let report = play(&story);
    assert_eq!(
        failed_checks(&report),
        ["codes"],
        "jostle's own round robin ejects a backend after timeouts in a row, so calls fail fast \
         with UNAVAILABLE where gRPC gives DEADLINE_EXCEEDED only; the codes check must catch it \
         (seed {}; rerun: jostle run fixtures/grpc/{file} --profile jostle)\n{report}",
        story.seed()
    );
}
