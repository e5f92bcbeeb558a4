//! The `jostle` command line: `check`, `list` and `run` exit codes and output, `run`'s
//! overrides, `--help` everywhere; bad inputs and outputs of every kind (`inputs`, `outputs`).

mod descriptors;
mod explore;
mod inputs;
mod judge;
mod outputs;
mod profile;
mod shards;

use rstest::rstest;
use std::process::{Command, Output};

pub(crate) const GOOD: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/article-restart.toml");

pub(crate) fn jostle(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jostle")).args(args).output().expect("jostle runs")
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A file named `name` in a fresh temporary directory, removed with it on drop.
pub(crate) struct TempFile {
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl TempFile {
    pub(crate) fn new(name: &str, content: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(name);
        std::fs::write(&path, content).expect("temp file");
        Self { path, _dir: dir }
    }

    pub(crate) fn path(&self) -> &str {
        self.path.to_str().expect("utf-8 temp path")
    }
}

#[test]
fn check_of_a_valid_file_prints_ok_and_exits_0() {
    let output = jostle(&["check", GOOD]);
    assert_eq!(output.status.code(), Some(0), "a valid scenario must exit 0: {output:?}");
    assert_eq!(text(&output.stdout), format!("{GOOD}: ok\n"), "check must print FILE: ok");
}

#[test]
fn check_of_an_invalid_file_names_the_place_on_stderr_and_exits_2() {
    let good = std::fs::read_to_string(GOOD).expect("fixture");
    let bad = TempFile::new("bad.toml", &good.replace("\"restart\"", "\"refuze\""));
    let output = jostle(&["check", GOOD, bad.path()]);
    assert_eq!(output.status.code(), Some(2), "an invalid scenario is bad input, exit 2");
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: {}:23:8: unknown fault `refuze`; expected one of ",
            bad.path()
        )),
        "the error must name FILE:LINE:COLUMN and what was expected, got {stderr}"
    );
    assert!(
        stderr.ends_with("did you mean `refuse`?\n"),
        "a near miss must be suggested: {stderr}"
    );
    assert!(text(&output.stdout).contains(": ok"), "the valid file is still reported ok");
}

#[test]
fn check_of_a_missing_file_exits_2() {
    let output = jostle(&["check", "/nonexistent/jostle/scenario.toml"]);
    assert_eq!(output.status.code(), Some(2), "a missing file is bad input, exit 2");
    assert!(
        text(&output.stderr).starts_with("error: cannot read /nonexistent/jostle/scenario.toml: "),
        "the error must name the file"
    );
}

#[test]
fn check_without_a_file_is_a_usage_error() {
    assert_eq!(jostle(&["check"]).status.code(), Some(2), "clap's usage errors exit 2");
}

#[test]
fn list_shows_every_fixture_with_its_name_and_the_balancers() {
    let output = jostle(&["list"]);
    assert_eq!(output.status.code(), Some(0), "list must succeed: {output:?}");
    let stdout = text(&output.stdout);
    let fixtures = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures"))
        .expect("fixtures/")
        .filter(|entry| {
            entry.as_ref().is_ok_and(|entry| entry.path().extension().is_some_and(|e| e == "toml"))
        })
        .count();
    assert_eq!(
        stdout.lines().filter(|line| line.starts_with("fixture ")).count(),
        fixtures,
        "list must show one line per fixture:\n{stdout}"
    );
    let battery: Vec<&str> = stdout.lines().filter(|line| line.starts_with("battery ")).collect();
    assert_eq!(battery.len(), 9, "list must show the battery's nine files:\n{stdout}");
    assert!(
        battery.iter().any(|line| line.contains("fixtures/battery/restart.toml")),
        "a battery line shows the file a user can copy:\n{stdout}"
    );
    assert!(
        stdout.lines().any(|line| line.starts_with("fixture ")
            && line.contains("article-restart.toml")
            && line.ends_with("one of three containers restarting behind one name")),
        "a fixture line shows the file and the story's name:\n{stdout}"
    );
    for balancer in
        ["round_robin", "p2c", "tonic_balance_list", "round_robin_dialer", "fallback_dialer"]
    {
        assert!(
            stdout.lines().any(|line| line.starts_with("balancer") && line.contains(balancer)),
            "list must show balancer {balancer}:\n{stdout}"
        );
    }
    assert!(!stdout.contains("(invalid"), "every fixture must be valid:\n{stdout}");
}

#[rstest]
#[case::run("run", "Run scenario files", "Check scenario files")]
#[case::check("check", "Check scenario files", "Run scenario files")]
fn help_of_a_command_describes_that_command(
    #[case] command: &str,
    #[case] about: &str,
    #[case] other: &str,
) {
    let output = jostle(&[command, "--help"]);
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with(about),
        "jostle {command} --help must open with its own about:\n{stdout}"
    );
    assert!(
        !stdout.contains(other),
        "jostle {command} --help must not describe another command:\n{stdout}"
    );
    let overview = text(&jostle(&["--help"]).stdout);
    assert!(
        overview.lines().any(|line| line.trim_start().starts_with(command) && line.contains(about)),
        "jostle --help must list {command} with its own about:\n{overview}"
    );
}

#[test]
fn help_works_on_every_command() {
    for args in [&["--help"][..], &["check", "--help"], &["list", "--help"], &["run", "--help"]] {
        let output = jostle(args);
        assert_eq!(output.status.code(), Some(0), "jostle {args:?} must exit 0");
        assert!(text(&output.stdout).contains("Usage: jostle"), "jostle {args:?} prints usage");
    }
}

pub(crate) const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");

#[test]
fn run_exits_0_when_every_expectation_holds_and_writes_the_json_report() {
    let json = TempFile::new("report.json", "");
    let output =
        jostle(&["run", &format!("{FIXTURES}/rolling-restart.toml"), "--json", json.path()]);
    assert_eq!(output.status.code(), Some(0), "{}{}", text(&output.stdout), text(&output.stderr));
    assert!(text(&output.stdout).contains("every expectation held"));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json.path()).unwrap()).unwrap();
    assert_eq!(report["passed"], true);
    assert_eq!(report["expected"], "pass", "a story expects to pass unless it says otherwise");
    assert_eq!(report["as_expected"], true);
    assert_eq!(report["backends"].as_array().map(Vec::len), Some(3));
}

#[test]
fn run_exits_0_when_a_story_of_a_flaw_fails_as_it_expects() {
    let file = format!("{FIXTURES}/article-restart.toml");
    let output = jostle(&["run", &file]);
    let out = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "the story expects the dialer's flaw (`outcome = \"fail\"`), and shows it:\n{out}"
    );
    assert!(out.contains("FAIL share: backend-1"), "{out}");
    assert!(
        out.trim_end()
            .ends_with("an expectation failed, as this story expects: the flaw it shows is there"),
        "the last line must say the failure is the expected one:\n{out}"
    );
    assert!(!out.contains("replay:"), "a run as expected needs no replay:\n{out}");
}

#[test]
fn run_with_balancer_round_robin_survives_the_articles_story() {
    let file = format!("{FIXTURES}/article-restart.toml");
    let output = jostle(&["run", &file, "--balancer", "round_robin"]);
    let out = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "round_robin gives the restarted replica its share back: the README's fix\n{out}"
    );
    assert!(out.contains("balancer round_robin"), "the report names the balancer run:\n{out}");
    assert!(out.trim_end().ends_with("every expectation held"), "{out}");
}

#[test]
fn run_exits_1_with_the_seed_and_replay_command_when_a_flaw_is_gone() {
    let flaky = std::fs::read_to_string(format!("{FIXTURES}/flaky-replica.toml")).unwrap();
    let story = TempFile::new(
        "gone.toml",
        &flaky.replace("[expect]\n", "[expect]\noutcome = \"fail\"\nfails = [\"failure-rate\"]\n"),
    );
    let output = jostle(&["run", story.path(), "--seed", "5"]);
    let out = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "every expectation held, but the story expects a failure: not as expected\n{out}"
    );
    assert!(
        out.contains(
            "every expectation held, but this story expects a failure: the flaw it shows is gone"
        ),
        "the last line of the report must say the flaw is gone:\n{out}"
    );
    assert!(out.contains("\nseed: 5\n"), "the seed of the run must be printed:\n{out}");
    assert!(
        out.contains(&format!("replay: jostle run {} --seed 5\n", story.path())),
        "the replay command must carry the override flags:\n{out}"
    );
}

#[test]
fn run_exits_1_when_a_story_expected_to_pass_fails() {
    let article = std::fs::read_to_string(format!("{FIXTURES}/article-restart.toml")).unwrap();
    let story = TempFile::new(
        "fails.toml",
        &article.replace("outcome = \"fail\"\nfails = [\"share\"]\n", ""),
    );
    let output = jostle(&["run", story.path()]);
    let out = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "an expectation failed:\n{out}");
    assert!(out.contains("\nan expectation failed\nseed: 7\n"), "{out}");
    assert!(out.contains(&format!("replay: jostle run {}\n", story.path())), "{out}");
}

#[test]
fn run_exits_2_on_an_unknown_balancer_naming_the_flag_and_the_nearest_name() {
    let file = format!("{FIXTURES}/article-restart.toml");
    let output = jostle(&["run", &file, "--balancer", "round_robn"]);
    assert_eq!(output.status.code(), Some(2), "an unknown balancer is bad input");
    let stderr = text(&output.stderr);
    assert!(
        stderr
            .contains("--balancer: unknown balancer `round_robn`; expected one of `round_robin`, "),
        "the error must name the flag and the expected names: {stderr}"
    );
    assert!(stderr.ends_with("; did you mean `round_robin`?\n"), "{stderr}");
    assert!(text(&output.stdout).is_empty(), "nothing runs on bad input");
}

#[test]
fn run_with_tcp_runs_an_in_memory_story_on_127_0_0_1() {
    let file = format!("{FIXTURES}/flaky-replica.toml");
    let output = jostle(&["run", &file, "--tcp"]);
    let out = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "the story holds on TCP too:\n{out}");
    assert!(out.lines().next().is_some_and(|l| l.ends_with("transport tcp, seed 37")), "{out}");
}

#[test]
fn run_piped_draws_no_progress_bar() {
    let output = jostle(&["run", &format!("{FIXTURES}/flaky-replica.toml")]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        output.stderr.is_empty(),
        "with stderr not a terminal, no progress bar is drawn: {:?}",
        text(&output.stderr)
    );
    let out = text(&output.stdout);
    assert!(
        !out.contains(['\r', '\u{1b}']),
        "piped output carries no cursor moves or escapes: {out:?}"
    );
}

#[test]
fn run_exits_2_on_a_malformed_file_without_running_anything() {
    let bad = TempFile::new("bad.toml", "name = \"x\"\n[cluster]\nbackends = \"three\"\n");
    let output = jostle(&["run", bad.path()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("bad.toml:3:"), "{}", text(&output.stderr));
}

#[test]
fn run_writes_the_html_chart_next_to_the_json_report() {
    let html = TempFile::new("report.html", "");
    let json = TempFile::new("chart-report.json", "");
    let file = format!("{FIXTURES}/article-restart.toml");
    let output = jostle(&["run", &file, "--html", html.path(), "--json", json.path()]);
    assert_eq!(output.status.code(), Some(0), "{}{}", text(&output.stdout), text(&output.stderr));
    let page = std::fs::read_to_string(html.path()).expect("--html writes the page");
    assert!(page.starts_with("<!DOCTYPE html>"), "--html writes an HTML page");
    assert!(page.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" id="jostle-chart""#));
    assert_eq!(page.matches(r#"<g class="lane""#).count(), 3, "a lane per backend");
    assert!(page.contains("one of three containers restarting behind one name"));
    let partial = format!("{}.partial", html.path());
    assert!(!std::path::Path::new(&partial).exists(), "no partial file may be left behind");
}

#[test]
fn run_refuses_html_for_several_files_before_running_anything() {
    let html = TempFile::new("several.html", "");
    std::fs::remove_file(html.path()).expect("start without the page");
    let file = format!("{FIXTURES}/article-restart.toml");
    let output = jostle(&["run", &file, &file, "--html", html.path()]);
    assert_eq!(output.status.code(), Some(2), "bad flags are bad input: exit 2");
    assert!(
        text(&output.stderr).contains("--html takes one scenario FILE, got several"),
        "the message names the flag: {}",
        text(&output.stderr)
    );
    assert!(text(&output.stdout).is_empty(), "nothing runs on bad input");
    assert!(!std::path::Path::new(html.path()).exists(), "no page is written on bad input");
}

#[test]
fn run_creates_the_parent_folders_of_an_output_file() {
    let file = format!("{FIXTURES}/article-restart.toml");
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("absent/deeper/x.html");
    let output = jostle(&["run", &file, "--html", missing.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(0), "a missing folder is created: {output:?}");
    let page = std::fs::read_to_string(&missing).expect("the page is written in the new folder");
    assert!(page.starts_with("<!DOCTYPE html>"), "the whole page is written");
    let names: Vec<_> = std::fs::read_dir(missing.parent().unwrap()).unwrap().collect();
    assert_eq!(names.len(), 1, "nothing but the page is left in the folder: {names:?}");
}

#[test]
fn check_reports_every_error_of_a_file_in_file_order() {
    let good = std::fs::read_to_string(GOOD).expect("fixture");
    let broken = good
        .replace("backends = 3", "backends = 0")
        .replace("\"restart\"", "\"refuze\"")
        .replace("max_failure_rate = 0.01", "max_failure_rate = 1.5");
    let bad = TempFile::new("three-errors.toml", &broken);
    let output = jostle(&["check", bad.path()]);
    assert_eq!(output.status.code(), Some(2), "an invalid file exits 2");
    let stderr = text(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "one line per error, all of them:\n{stderr}");
    let place = |line: &str| {
        let rest = line.strip_prefix(&format!("error: {}:", bad.path())).expect("FILE:LINE:COL");
        let mut numbers = rest.split(':').take(2).map(|n| n.parse::<usize>().expect("a number"));
        (numbers.next().unwrap(), numbers.next().unwrap())
    };
    assert!(lines[0].contains("`backends` is 0"), "{stderr}");
    assert!(
        lines[1].contains("unknown fault `refuze`") && lines[1].contains("`refuse`"),
        "{stderr}"
    );
    assert!(lines[2].contains("max_failure_rate"), "{stderr}");
    let places: Vec<(usize, usize)> = lines.iter().map(|line| place(line)).collect();
    assert!(places.windows(2).all(|w| w[0] < w[1]), "errors in file order: {places:?}");
}

/// The ten kinds of malformed file of the scenario acceptance, each made from the article's
/// story by one edit, through the real command: `jostle check` and `jostle run` exit 2 and
/// name the place (FILE:LINE:COL) and what was expected, and `run` runs nothing.
#[rstest]
#[case::syntax_error("[cluster]", "[cluster", "unclosed table; expected `]`")]
#[case::unknown_field("backends = 3", "backend = 3", "unknown field `backend`")]
#[case::wrong_type("backends = 3", "backends = \"three\"", "expected a whole number")]
#[case::bad_duration("\"6s\"", "\"6x\"", "bad duration \"6x\"; expected a duration")]
#[case::probability_out_of_range(
    "kind = \"restart\"\ndown_for = \"1s\"",
    "kind = \"status\"\ncode = \"Unavailable\"\nprobability = 1.5",
    "`probability` is 1.5; expected a probability in 0..=1"
)]
#[case::backend_index_out_of_range("[1]", "[3]", "backend index 3 is out of range")]
#[case::empty_timeline_target("[1]", "[]", "empty target list; expected at least one")]
#[case::negative_rate("concurrency = 1", "rate = -5", "`rate` is -5; expected calls per")]
#[case::unknown_balancer("\"round_robin_dialer\"", "\"round_robin_dailer\"", "unknown balancer")]
#[case::unknown_fault("\"restart\"", "\"refuze\"", "unknown fault `refuze`")]
fn a_malformed_file_exits_2_naming_its_place_and_what_was_expected(
    #[case] find: &str,
    #[case] replace: &str,
    #[case] message: &str,
) {
    let good = std::fs::read_to_string(GOOD).expect("fixture");
    // The line where the edit ends (the mistake is on its last line), counted in the fixture
    // itself: the cases hold no numbers copied from its layout.
    let at = good.find(find).unwrap_or_else(|| panic!("the fixture holds {find:?}"));
    let line = good[..at].matches('\n').count() + replace.matches('\n').count() + 1;
    static CASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let case = CASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let bad = TempFile::new(&format!("malformed-{case}.toml"), &good.replacen(find, replace, 1));
    for command in ["check", "run"] {
        let output = jostle(&[command, bad.path()]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "jostle {command}: bad input exits 2: {stderr}");
        let place = format!("error: {}:{line}:", bad.path());
        assert!(stderr.starts_with(&place), "jostle {command} must name {place}COL: {stderr}");
        assert!(stderr.contains(message), "jostle {command} must say {message:?}: {stderr}");
        assert!(stderr.contains("expected"), "and what was expected: {stderr}");
        if command == "run" {
            assert!(text(&output.stdout).is_empty(), "nothing runs on bad input");
        }
    }
}

#[test]
fn run_of_several_files_ends_with_a_summary_naming_each_run_not_as_expected() {
    let good = format!("{FIXTURES}/rolling-restart.toml");
    let story = std::fs::read_to_string(&good).expect("fixture");
    let flawed =
        story.replacen("[expect]", "[expect]\noutcome = \"fail\"\nfails = [\"fallback\"]", 1);
    assert_ne!(flawed, story, "the fixture has an [expect] table");
    let stale = TempFile::new("stale-flaw.toml", &flawed);
    let output = jostle(&["run", &good, stale.path()]);
    let out = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "one run not as expected exits 1:\n{out}");
    let last = out.trim_end().lines().last().unwrap_or_default();
    assert_eq!(
        last,
        format!("2 runs, 1 not as its story expects: {}", stale.path()),
        "the last line sums up the runs:\n{out}"
    );
    assert!(out.contains("every expectation held\n\n"), "reports are a blank line apart:\n{out}");
}

#[test]
fn run_with_wall_clock_runs_in_memory_on_the_real_clock() {
    let json = TempFile::new("wall.json", "");
    let story = format!("{FIXTURES}/connection-storm.toml");
    let output = jostle(&["run", &story, "--wall-clock", "--json", json.path()]);
    let out = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "the story holds on the wall clock too:\n{out}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json.path()).unwrap()).unwrap();
    assert_eq!(report["transport"], "in-memory", "--wall-clock keeps the transport");
    // Under the paused clock an in-memory call takes no time: every latency is the HDR floor,
    // 1 microsecond. On the wall clock the slowest call takes longer than that.
    let slowest = report["backends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|backend| backend["latency_ms"]["max"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert!(slowest > 0.001, "on the wall clock calls take real time, slowest {slowest} ms");
}
