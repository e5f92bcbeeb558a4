//! `jostle explore`: exit 0 when nothing is found, 1 when something is (the file written, its
//! replay by `jostle run` the same bytes every time), 2 on bad input, naming the flag.

use super::{jostle, text};
use rstest::rstest;

#[test]
fn explore_finding_nothing_says_so_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("found");
    let output = jostle(&["explore", "--seeds", "0..3", "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "round robin breaks nothing: exit 0, {output:?}");
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with("explored 3 schedules against round_robin (seeds 0..3)"),
        "{stdout}"
    );
    assert!(stdout.contains("no invariant broken"), "{stdout}");
    assert!(!out.exists(), "no finding, no file");
}

#[test]
fn explore_writes_each_finding_and_jostle_run_replays_it_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("found");
    let json = dir.path().join("summary.json");
    let output = jostle(&[
        "explore",
        "--balancer",
        "round_robin_dialer",
        "--seeds",
        "0..2",
        "--out",
        out.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "a finding exits 1: {output:?}");
    let stdout = text(&output.stdout);
    assert!(stdout.contains("settled: broken by 2 of 2 schedules"), "{stdout}");
    let file = out.join("round_robin_dialer-settled-seed-0.toml");
    assert!(stdout.contains(&format!("file:   {}", file.display())), "{stdout}");
    let written = std::fs::read_to_string(&file).expect("the finding's file is written");
    assert!(
        written.starts_with(
            "# origin: jostle explore --balancer round_robin_dialer --seeds 0..1; seed 0, invariant `settled`"
        ),
        "{written}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(summary["schedules"], 2);
    assert_eq!(summary["violated"]["settled"], 2);
    assert_eq!(summary["findings"][0]["file"], file.display().to_string());
    assert!(
        summary["findings"][0]["shrunk"]["bytes"].as_u64()
            < summary["findings"][0]["found"]["bytes"].as_u64(),
        "shrinking makes the file smaller: {summary}"
    );
    // The story of the flaw replays: the flaw is there (exit 0, as the story expects), the
    // check fails the same way, and two replays give the same JSON bytes.
    let mut reports = Vec::new();
    for round in 0..2 {
        let report = dir.path().join(format!("replay-{round}.json"));
        let run = jostle(&["run", file.to_str().unwrap(), "--json", report.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(0), "the story of a flaw is as expected: {run:?}");
        assert!(text(&run.stdout).contains("FAIL settled"), "{}", text(&run.stdout));
        reports.push(std::fs::read(&report).unwrap());
    }
    assert_eq!(reports[0], reports[1], "replaying a finding gives the same bytes every time");
    let replayed: serde_json::Value = serde_json::from_slice(&reports[0]).unwrap();
    let explanation = replayed["expectations"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["check"] == "settled"))
        .map(|c| c["explanation"].clone());
    assert_eq!(explanation, Some(summary["findings"][0]["explanation"].clone()));
}

#[rstest]
#[case::empty_seed_range(&["--seeds", "5..5"], "the range 5..5 is empty")]
#[case::seed_range_without_dots(&["--seeds", "12"], "expected a seed range A..B")]
#[case::budget_zero(&["--budget", "0"], "--budget")]
#[case::no_seed_left_below_u64_max(&["--seeds", "18446744073709551615.."], "is empty: no seed lies between")]
#[case::time_zero(&["--time", "0s"], "`0s` is out of range; expected a duration from 1s to 30d")]
#[case::out_is_a_device(&["--out", "/dev/null"], "--out /dev/null: /dev/null is a device, not a folder")]
#[case::json_inside_out(&["--out", "/tmp/jostle-explore-refused", "--json", "/tmp/jostle-explore-refused/x.toml"], "is inside --out /tmp/jostle-explore-refused, where the findings' files are written")]
#[case::json_in_a_missing_file_as_folder(&["--json", "/dev/null/summary.json"], "--json /dev/null/summary.json: /dev/null is a device, not a folder")]
#[case::backends_out_of_range(&["--backends", "0..=3"], "--backends 0..=3: expected a range within 1..=16")]
#[case::faults_out_of_range(&["--faults", "0..=40"], "--faults 0..=40: expected a range within 0..=16")]
#[case::open_range_for_counts(&["--faults", "1..3"], "with `..=`")]
#[case::unknown_kind(&["--kinds", "restart,explode"], "--kinds: unknown kind `explode`")]
#[case::rate_too_high(&["--rate", "9000"], "--rate 9000..=9000: expected a range of calls per second within 1..=5000")]
#[case::too_many_calls(&["--rate", "5000", "--duration", "600s"], "--rate 5000 calls/s for 600s, 3000000 calls: expected at most 1,000,000 calls in a schedule")]
#[case::deadline_too_short(&["--deadline", "1ms"], "--deadline 1ms: expected 10ms to 10s")]
#[case::unknown_balancer(&["--balancer", "round_robbin"], "--balancer: invalid balancer: one of round_robin")]
#[case::clients_out_of_range(&["--clients", "0..=2"], "--clients 0..=2: expected a range within 1..=8")]
#[case::clients_too_many(&["--clients", "9"], "--clients 9..=9: expected a range within 1..=8")]
#[case::unknown_loop(&["--loops", "open,spiral"], "--loops: unknown name `spiral`; expected names among open, closed")]
#[case::concurrency_out_of_range(&["--concurrency", "0..=4"], "--concurrency 0..=4: expected a range of calls in flight within 1..=64")]
#[case::unknown_method(&["--methods", "create,delete"], "--methods: unknown name `delete`")]
#[case::latency_past_the_deadline(&["--latency", "100ms..=200ms"], "--latency 100ms..=200ms: expected a range of whole milliseconds, twice its top below the deadline (250ms)")]
#[case::latency_not_a_duration(&["--latency", "5..=10"], "`5` is not a duration")]
#[case::closed_loop_without_latency(&["--loops", "closed", "--latency", "0ms..=2ms"], "--latency 0ms..=2ms: expected a top of at least 5ms for a closed loop")]
#[case::unknown_via(&["--via", "carrier-pigeon"], "--via: unknown name `carrier-pigeon`; expected names among stream, dns")]
#[case::ttl_over_an_hour(&["--ttl", "0s..=2h"], "--ttl 0ms..=7200000ms: expected a range of whole milliseconds within 0s to 1h")]
#[case::ttl_empty(&["--ttl", "2s..=1s"], "the range `2s..=1s` is empty")]
#[case::min_ttl_too_short(&["--min-ttl", "10ms"], "--min-ttl 10ms..=10ms: expected a range of whole milliseconds within 100ms to 300s")]
fn explore_refuses_bad_flags_naming_the_flag_and_exits_2(
    #[case] flags: &[&str],
    #[case] says: &str,
) {
    let mut args = vec!["explore"];
    args.extend_from_slice(flags);
    let output = jostle(&args);
    assert_eq!(output.status.code(), Some(2), "bad input exits 2: {flags:?} {output:?}");
    let stderr = text(&output.stderr);
    assert!(stderr.contains(says), "the error must say `{says}`, got {stderr}");
}

/// A finding of the user's own balancer names it in the file; `jostle run` refuses to play it
/// with a built-in in its place and says how to replay it against the balancer it was found in.
#[test]
fn jostle_run_refuses_a_finding_of_your_own_balancer_and_says_how_to_replay_it() {
    use jostle_harness::channel::{Target, boxed};
    use jostle_harness::explore::{Explorer, Space};
    let explorer = Explorer::new(Space::default()).against("my \"lb\"", |target: &Target| {
        let endpoint = tonic::transport::Endpoint::from(target.addresses[0].clone());
        boxed(endpoint.connect_with_connector_lazy(target.connector.clone()))
    });
    let file = explorer.file(&explorer.schedule(3), &["settled"], &["settled"]);
    assert!(
        file.contains(r#"policy = "custom:my \"lb\"""#),
        "a custom balancer's finding names it, quoted as TOML:\n{file}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("finding.toml");
    std::fs::write(&path, &file).unwrap();
    let checked = jostle(&["check", path.to_str().unwrap()]);
    assert_eq!(checked.status.code(), Some(0), "the finding is a valid file: {checked:?}");
    let output = jostle(&["run", path.to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "no file can build your balancer: exit 2, {output:?}"
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(r#"Scenario::load(FILE)?.against("my "lb"", your_factory)"#)
            && stderr.contains("custom:my \"lb\"` is your own balancer"),
        "the refusal says how to replay the finding against its own balancer: {stderr}"
    );
    assert!(text(&output.stdout).is_empty(), "nothing is played: {output:?}");
}

/// A finding of a space narrowed and widened by every space flag: the search its origin
/// names, run as printed, writes the same file byte for byte.
#[test]
fn a_findings_origin_carries_the_space_flags_and_replays_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("found");
    let flags = [
        "--balancer",
        "round_robin_dialer",
        "--clients",
        "1..=2",
        "--loops",
        "open",
        "--methods",
        "create,get",
        "--latency",
        "5ms..=10ms",
        "--via",
        "dns",
        "--ttl",
        "0ms..=500ms",
        "--min-ttl",
        "100ms..=200ms",
        "--duration",
        "2s",
        "--shrink-runs",
        "10",
    ];
    let mut args = vec!["explore", "--seeds", "0..4", "--out", out.to_str().unwrap()];
    args.extend_from_slice(&flags);
    let output = jostle(&args);
    assert_eq!(output.status.code(), Some(1), "the dialer breaks `settled`: {output:?}");
    let file = out.join("round_robin_dialer-settled-seed-1.toml");
    let written = std::fs::read_to_string(&file).expect("the finding's file is written");
    let origin = written
        .strip_prefix("# origin: ")
        .and_then(|rest| rest.split_once("; seed"))
        .map(|(command, _)| command.to_owned())
        .expect("the file opens with its origin");
    assert!(
        origin.starts_with(
            "jostle explore --balancer round_robin_dialer --clients 1..=2 --loops open --methods \
             create,get --latency 5ms..=10ms --via dns --ttl 0ms..=500ms --min-ttl 100ms..=200ms \
             --duration 2000ms --shrink-runs 10 --seeds 1..2"
        ),
        "the origin names every space flag given: {origin}"
    );
    let again = dir.path().join("again");
    let mut replay: Vec<&str> = origin.split_whitespace().skip(1).collect();
    replay.extend(["--out", again.to_str().unwrap()]);
    let output = jostle(&replay);
    assert_eq!(output.status.code(), Some(1), "the origin's search finds it again: {output:?}");
    let replayed = std::fs::read_to_string(again.join("round_robin_dialer-settled-seed-1.toml"))
        .expect("the origin's search writes the finding again");
    assert_eq!(replayed, written, "the printed origin replays the finding byte for byte");
}
