//! docs/INCIDENT.md's worked example, in CI: its verdict table is read from the doc, and each row
//! is played as its command says (gRPC's defaults, jostle's round robin and least outstanding in
//! memory under the paused clock, tonic's `balance_list` over TCP); the checks that fail must be
//! exactly the ones the row names, the others must pass, and an in-memory row's failed and
//! timed-out calls must be the row's figures. The doc cannot drift from what the file does.
//!
//! Each run also writes its chart, `target/tmp/incident/<row>.html`.
//!
//! Rerun: `cargo test --test balancers conformance::incident::`.

use jostle::balance::Profile;
use jostle_harness::net::Transport;
use jostle_harness::report::RunReport;
use jostle_harness::scenario::Scenario;
use rstest::rstest;
use std::collections::BTreeSet;

const DOC: &str = include_str!("../../docs/INCIDENT.md");
const FIXTURE: &str = "fixtures/incident-rolling-deploy-slow-pod.toml";
/// The line above the verdict table in the doc.
const MARKER: &str = "<!-- verdicts: tests/conformance/incident.rs plays every row -->";

/// One row of the doc's verdict table.
#[derive(Debug)]
struct Row {
    /// The `jostle run` command, as a user types it.
    command: String,
    /// The flags after the file.
    flags: Vec<String>,
    /// Calls failed and timed out, for a row played in memory.
    figures: Option<(u64, u64)>,
    /// The checks that fail.
    fails: BTreeSet<String>,
}

/// The `code` spans of a cell.
fn spans(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

/// A whole number as the doc writes it (`1,702`).
fn number(text: &str) -> u64 {
    text.trim().replace(',', "").parse().unwrap_or_else(|_| {
        panic!("docs/INCIDENT.md's verdict table: `{text}` must be a whole number")
    })
}

/// The verdict table under [`MARKER`]: client | command | failed / timed out | checks that fail.
fn rows() -> Vec<Row> {
    let (_, after) =
        DOC.split_once(MARKER).expect("docs/INCIDENT.md has the verdict table's marker");
    let table = after.lines().skip_while(|line| line.trim().is_empty());
    let mut rows = Vec::new();
    for line in table.take_while(|line| line.starts_with('|')).skip(2) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 4, "a verdict row has four cells: {line}");
        let command = spans(cells[1]).first().expect("a command in `code`").to_string();
        let rest = command.split_once(FIXTURE).map(|(_, rest)| rest).unwrap_or_else(|| {
            panic!("a row's command plays {FIXTURE}: {command}");
        });
        let flags = rest.split_whitespace().map(str::to_owned).collect();
        let figures = cells[2]
            .split_once(" / ")
            .filter(|_| !cells[2].contains("wall clock"))
            .map(|(failed, timed_out)| (number(failed), number(timed_out)));
        let fails = spans(cells[3]).into_iter().map(str::to_owned).collect();
        rows.push(Row { command, flags, figures, fails });
    }
    rows
}

/// The fixture with a row's flags applied, as `jostle run` applies them.
fn scenario(row: &Row) -> Scenario {
    let path = format!("{}/{FIXTURE}", env!("CARGO_MANIFEST_DIR"));
    let mut story = Scenario::load(path).expect("the incident fixture is valid");
    let mut flags = row.flags.iter();
    let (mut balancer, mut profile) = (None, None);
    while let Some(flag) = flags.next() {
        match flag.as_str() {
            "--tcp" => story = story.with_transport(Transport::Tcp).expect("the story runs on tcp"),
            "--balancer" => balancer = flags.next(),
            "--profile" => profile = flags.next(),
            other => panic!("the verdict table uses a flag this test does not play: {other}"),
        }
    }
    if let Some(name) = balancer {
        story = story.with_balancer(name).expect("a built-in balancer");
    }
    if let Some(name) = profile {
        let profile = Profile::by_name(name).expect("a profile name");
        story = story.with_profile(profile).expect("a jostle policy");
    }
    story
}

/// Writes the run's chart beside the test's other files, and says where.
fn chart(report: &RunReport, slug: &str) {
    let folder = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("incident");
    std::fs::create_dir_all(&folder).expect("the chart's folder can be made");
    let path = folder.join(format!("{slug}.html"));
    std::fs::write(&path, report.to_html()).expect("the chart can be written");
    println!("chart: {}", path.display());
}

#[rstest]
#[case::grpc_defaults("--balancer round_robin --profile grpc")]
#[case::jostle_round_robin("--balancer round_robin")]
#[case::jostle_least_outstanding("--balancer least_outstanding")]
#[case::tonic_balance_list_over_tcp("--balancer tonic_balance_list --tcp")]
fn the_incident_gives_each_client_the_verdict_docs_incident_states(#[case] flags: &str) {
    let rows = rows();
    let row = rows
        .iter()
        .find(|row| row.flags.join(" ") == flags)
        .unwrap_or_else(|| panic!("docs/INCIDENT.md's verdict table has a row `{flags}`"));
    let story = scenario(row);
    let report = story.run_blocking().expect("the incident runs");
    let slug = flags.replace("--", "").replace(' ', "-");
    chart(&report, &slug);
    let rerun = format!(
        "seed {}; rerun: cargo test --test balancers conformance::incident::, or {} --seed {}",
        report.seed, row.command, report.seed
    );
    let asked: BTreeSet<String> = story.expect().checks().iter().map(|c| (*c).to_owned()).collect();
    let judged: BTreeSet<String> = report.expectations.iter().map(|e| e.check.clone()).collect();
    assert!(
        asked.is_subset(&judged),
        "every check the fixture asks for must be judged ({rerun}): asked {asked:?}, judged {judged:?}"
    );
    let failed: BTreeSet<String> =
        report.expectations.iter().filter(|e| !e.passed).map(|e| e.check.clone()).collect();
    assert_eq!(
        failed, row.fails,
        "`{}` must fail exactly the checks docs/INCIDENT.md's verdict table names, and pass the \
         others ({rerun}):\n{report}",
        row.command
    );
    if let Some((failed, timed_out)) = row.figures {
        assert!(
            story.paused(),
            "a row with figures is played under the paused clock: {}",
            row.command
        );
        assert_eq!(
            (report.calls.failed, report.calls.timed_out),
            (failed, timed_out),
            "under the paused clock `{}` is a replay: its failed and timed-out calls must be the \
             figures docs/INCIDENT.md gives ({rerun}):\n{report}",
            row.command
        );
    } else {
        assert!(!story.paused(), "a row on the wall clock gives no figures: {}", row.command);
    }
}

#[test]
fn every_row_of_the_incident_verdict_table_is_played() {
    let played = [
        "--balancer round_robin --profile grpc",
        "--balancer round_robin",
        "--balancer least_outstanding",
        "--balancer tonic_balance_list --tcp",
    ];
    let rows: Vec<String> = rows().iter().map(|row| row.flags.join(" ")).collect();
    assert_eq!(
        rows, played,
        "each row of docs/INCIDENT.md's verdict table must be a case of \
         the_incident_gives_each_client_the_verdict_docs_incident_states (rerun: cargo test \
         --test balancers conformance::incident::)"
    );
}
