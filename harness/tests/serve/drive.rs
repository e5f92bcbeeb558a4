//! `jostle drive` as a separate process over three `jostle serve --backends 1` "pods", with
//! this test as the client: the fault timeline reaches the pods through their control APIs,
//! the report's counts agree with what the client saw, the judge passes what holds and fails
//! what does not, and bad input is refused naming what was expected.
//!
//! Rerun: `cargo test -p jostle-harness --test harness drive`.

use super::driving::{Client, Driving, RERUN, SPLIT, controls, drive_command, report, write};
use super::process::{self, Served};
use crate::stories::{story_text, unavailable};
use jostle_harness::control::TOKEN_ENV;
use serde_json::Value;

const TOKEN: &str = "a-test-token-of-32-characters-xy";

/// Backend 1 answers UNAVAILABLE from 300 ms for 600 ms; every backend delays 1 ms. The load
/// is a number of calls: the driver plays until SIGTERM.
fn drive_story() -> String {
    let delay = "[[fault]]\nkind = \"delay\"\ntarget = \"all\"\ndelay = \"1ms\"\n";
    let fault = unavailable(1, "300ms", Some("600ms"));
    let rest = format!("{delay}{fault}{SPLIT}max_failure_rate = 0.5\n");
    story_text("backend-1 answers Unavailable for 600 ms", 3, "rate = 100\ncalls = 1000\n", &rest)
}

#[test]
fn drive_plays_the_faults_on_the_pods_and_reports_what_the_client_saw() {
    let pods: Vec<Served> = (0..3).map(|_| Served::start(1)).collect();
    let mut client = Client::connect(&pods);
    // Calls served before the drive began are not the drive's: a pod counts from its start.
    client.round();
    let before = client.seen.clone();
    assert!(before.iter().all(|seen| seen.ok == 1), "pods must serve: {before:?}; {RERUN}");

    let dir = tempfile::tempdir().expect("temp dir");
    let story = write(dir.path(), &drive_story());
    let json = dir.path().join("report.json");
    let controls = controls(&pods);
    let mut driving = Driving::start(drive_command(&[
        story.to_str().unwrap(),
        "--control",
        &controls,
        "--json",
        json.to_str().unwrap(),
    ]));
    // A load of a number of calls: the driver says it plays until stopped once every pod's
    // control API answered.
    driving.wait_for("driving until Ctrl-C or SIGTERM");
    // Until backend-1 failed calls and served again: its fault window opened and closed.
    let recovered =
        client.rounds_until(&mut driving, |seen| seen[1].unavailable > 0 && seen[1].last_ok);
    let seen = client.seen.clone();
    assert!(
        recovered,
        "backend-1 must answer UNAVAILABLE from 300 ms, then serve again after 600 ms, while \
         the drive runs (client saw {seen:?} in {} calls); {RERUN}",
        client.calls
    );
    let (status, stderr) = driving.terminate();
    assert_eq!(
        status.code(),
        Some(0),
        "drive stopped by SIGTERM exits 0 when its expectations hold: {stderr}; {RERUN}"
    );
    let report = report(&json);

    assert_eq!(report["ended"], "stopped", "SIGTERM stops the drive: {report}; {RERUN}");
    let backends = report["backends"].as_array().expect("a backends array");
    assert_eq!(backends.len(), 3, "one backend per pod: {report}");
    for (index, backend) in backends.iter().enumerate() {
        assert_eq!(backend["name"], format!("backend-{index}"), "backend i is pod i: {report}");
        assert_eq!(backend["address"], pods[index].backend(0), "pod {index}'s address: {report}");
        assert_eq!(
            backend["served"].as_u64(),
            Some(seen[index].ok - before[index].ok),
            "the report's `served` of backend-{index} must be the OK calls the client saw from \
             pod {index} while driven (client: {:?}, before the drive: {:?}): {report}; {RERUN}",
            seen[index],
            before[index]
        );
        assert_eq!(seen[index].other, 0, "no call may fail but with UNAVAILABLE: {seen:?}");
    }
    assert_eq!(
        backends[1]["failed"]["Unavailable"].as_u64(),
        Some(seen[1].unavailable),
        "backend-1's UNAVAILABLE count must be the client's: {report}; {RERUN}"
    );
    assert!(seen[1].unavailable > 0, "the status fault must fail calls: {seen:?}; {RERUN}");
    for index in [0, 2] {
        assert_eq!(
            backends[index]["failed"],
            serde_json::json!({}),
            "the status fault is backend-1's alone: {report}; {RERUN}"
        );
    }

    let elapsed = report["elapsed_ms"].as_u64().expect("elapsed_ms");
    let faults = report["faults"].as_array().expect("a faults array");
    let mut delayed: Vec<&str> = faults
        .iter()
        .filter(|window| window["kind"] == "delay")
        .map(|window| window["backend"].as_str().expect("a backend name"))
        .collect();
    delayed.sort_unstable();
    assert_eq!(
        delayed,
        ["backend-0", "backend-1", "backend-2"],
        "`target = \"all\"` injects the delay on every pod, each named as its backend: {report}; \
         {RERUN}"
    );
    let status_windows: Vec<&Value> =
        faults.iter().filter(|window| window["kind"] == "status").collect();
    let [window] = status_windows.as_slice() else {
        panic!("one status window, on backend-1: {report}; {RERUN}")
    };
    assert_eq!(window["backend"], "backend-1", "the status fault's target: {report}");
    let start = window["start_ms"].as_u64().expect("start_ms");
    let end = window["end_ms"].as_u64().expect("the status window closed by its `for`");
    assert!(
        (300..=elapsed).contains(&start),
        "the status window is on the driver's clock: it opens at the file's 300 ms, not before, \
         and within the drive (to {elapsed} ms): {window}; {RERUN}"
    );
    assert!(
        end >= start + 600,
        "the status window holds for the file's 600 ms at least: {window}; {RERUN}"
    );

    let expectations = report["expectations"].as_array().expect("an expectations array");
    let judged: Vec<(&str, bool)> = expectations
        .iter()
        .map(|check| (check["check"].as_str().unwrap(), check["passed"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        judged,
        [("share", true), ("max-share", true)],
        "backend-0 serves a third of the OK calls, backend-1 less: both share checks hold as \
         the backends count them: {report}; {RERUN}"
    );
    assert_eq!(
        report["not_judged"][0]["check"], "failure-rate",
        "a failure rate is the client's to judge: {report}; {RERUN}"
    );
    assert_eq!(report["verdict"], "as expected", "{report}; {RERUN}");
}

#[test]
fn drive_exits_1_not_as_expected_when_the_pods_counters_contradict_the_file() {
    let pods: Vec<Served> = (0..3).map(|_| Served::start(1)).collect();
    let mut client = Client::connect(&pods);
    let dir = tempfile::tempdir().expect("temp dir");
    // Backend 1 fails every call from 200 ms to the end; the file says it serves half.
    let load = "rate = 100\nduration = \"1500ms\"\n";
    let expect = "[expect]\nshares = [{ backend = 1, at_least = 0.5 }]\n";
    let rest = format!("{}{expect}", unavailable(1, "200ms", None));
    let story = write(dir.path(), &story_text("a wrong expectation", 3, load, &rest));
    let json = dir.path().join("report.json");
    let mut driving = Driving::start(drive_command(&[
        story.to_str().unwrap(),
        "--control",
        &controls(&pods),
        "--json",
        json.to_str().unwrap(),
    ]));
    // The load is 1.5 s: the driver ends by itself.
    client.rounds_until(&mut driving, |_| false);
    let (status, stderr) = driving.wait();
    let report = report(&json);
    assert_eq!(
        status.code(),
        Some(1),
        "a share the pods' counters contradict is exit 1: {stderr}; {RERUN}"
    );
    assert_eq!(report["ended"], "end", "the drive ends with the file's load: {report}");
    assert!(stderr.contains("verdict: not as expected"), "stderr says the verdict: {stderr}");
    assert_eq!(report["verdict"], "not as expected", "{report}; {RERUN}");
    let check = &report["expectations"][0];
    assert_eq!((&check["check"], &check["passed"]), (&"share".into(), &false.into()), "{report}");
    let share = check["measured"]["share"].as_f64().expect("a measured share");
    let calls = check["measured"]["calls"].as_f64().expect("a measured count");
    assert!(
        calls > 0.0 && share < 0.5,
        "the check fails on what the pods served (backend-1 at {share} of {calls} OK calls), \
         not for want of calls: {report}; {RERUN}"
    );
    let open = report["faults"].as_array().and_then(|faults| faults.first()).cloned();
    assert!(
        open.is_some_and(|window| window["end_ms"].is_u64()),
        "a fault still holding at the end is healed, its window closed: {report}; {RERUN}"
    );
}

/// A one-backend story of `duration`, without expectations.
fn single(duration: &str) -> String {
    story_text("one pod", 1, &format!("rate = 10\nduration = \"{duration}\"\n"), "")
}

#[test]
fn drive_refuses_what_it_cannot_play_naming_what_was_expected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let three = drive_story();
    let discovery = format!("{three}[discovery]\ninitial = [0, 1]\n");
    let latency = three.replace("backends = 3\n", "backends = 3\nlatency = { base = \"5ms\" }\n");
    assert_ne!(latency, three, "the latency must be added");
    // Line 4, column 12: the value of `backends`.
    let malformed = "name = \"bad\"\n[cluster]\n# three\nbackends = \"three\"\n";
    let cases: [(&str, &str, &[&str], i32, String); 6] = [
        (
            "discovery",
            &discovery,
            &["--control", "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3"],
            2,
            "expected a file without a [discovery] timeline".into(),
        ),
        (
            "latency",
            &latency,
            &["--control", "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3"],
            2,
            "[cluster] `latency` or `latencies` models a backend's own latency".into(),
        ),
        (
            "two-pods",
            &three,
            &["--control", "127.0.0.1:1,127.0.0.1:2"],
            2,
            "pods given: 2; expected one per backend of".into(),
        ),
        (
            "one-name",
            &three,
            &["--pods", "127.0.0.1:1"],
            2,
            "pods given: 1; expected one per backend of".into(),
        ),
        (
            "unreachable",
            &single("1s"),
            &["--control", "127.0.0.1:1"],
            1,
            "cannot reach the control API at 127.0.0.1:1".into(),
        ),
        ("malformed", malformed, &["--control", "127.0.0.1:1"], 2, String::new()),
    ];
    for (case, text, args, code, said) in cases {
        let file = dir.path().join(format!("{case}.toml"));
        std::fs::write(&file, text).unwrap();
        let path = file.to_str().unwrap();
        let said = if said.is_empty() { format!("{path}:4:12:") } else { said };
        let mut command = drive_command(&[path]);
        command.args(args);
        let output = command.output().expect("jostle drive runs");
        let stderr = process::text(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(code),
            "{case}: drive must exit {code} (2 bad input, 1 a pod that fails): {stderr}; {RERUN}"
        );
        assert!(stderr.contains(&said), "{case}: drive must say `{said}`, said: {stderr}; {RERUN}");
    }
}

#[test]
fn drive_refuses_a_pod_of_two_backends_and_one_it_has_no_token_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let story = write(dir.path(), &single("300ms"));
    let story = story.to_str().unwrap();

    let two = Served::start(2);
    let output = drive_command(&[story, "--control", &two.control()]).output().unwrap();
    let stderr = process::text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "a pod of two backends fails: {stderr}; {RERUN}");
    assert!(
        stderr.contains("it serves 2 backends; expected one per pod"),
        "drive must say a pod serves one backend: {stderr}; {RERUN}"
    );

    // As in a pod: the backend on every interface.
    let guarded = Served::start_with(1, &["--token", TOKEN, "--host", "0.0.0.0"]);
    let output = drive_command(&[story, "--control", &guarded.control()]).output().unwrap();
    let stderr = process::text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "no token for a pod that needs one: {stderr}");
    assert!(
        stderr.contains("Unauthenticated"),
        "drive must say the pod refused it UNAUTHENTICATED: {stderr}; {RERUN}"
    );

    // The token from the environment, as the Job gives it, and the pod found by --pods.
    let json = dir.path().join("report.json");
    let mut command =
        drive_command(&[story, "--pods", &guarded.control(), "--json", json.to_str().unwrap()]);
    command.env(TOKEN_ENV, TOKEN);
    let output = command.output().unwrap();
    let stderr = process::text(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "with the pod's token the drive plays (nothing to judge: exit 0): {stderr}; {RERUN}"
    );
    assert!(stderr.contains("verdict: not judged"), "{stderr}; {RERUN}");
    let port = guarded.backend(0).rsplit_once(':').map(|(_, port)| port).unwrap();
    let report = report(&json);
    assert_eq!(
        report["backends"][0]["address"],
        format!("127.0.0.1:{port}"),
        "a pod listening on 0.0.0.0 is reported at the host its control API was reached on, \
         not as 0.0.0.0: {report}; {RERUN}"
    );
}

/// The scenario of the ConfigMap in deploy/kubernetes/drive-story.yaml: the block under
/// `story.toml: |`, its indentation removed.
fn kubernetes_story() -> String {
    const MANIFEST: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/kubernetes/drive-story.yaml");
    let manifest = std::fs::read_to_string(MANIFEST).expect("the ConfigMap manifest");
    let mut lines = manifest.lines().skip_while(|line| line.trim() != "story.toml: |").skip(1);
    let first = lines.next().expect("story.toml has lines");
    let indent = first.len() - first.trim_start().len();
    std::iter::once(first)
        .chain(lines.take_while(|line| line.trim().is_empty() || line.starts_with(' ')))
        .map(|line| line.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_kubernetes_story_is_one_drive_plays_on_three_pods() {
    let dir = tempfile::tempdir().expect("temp dir");
    let story = write(dir.path(), &kubernetes_story());
    let story = story.to_str().unwrap();
    let checked = process::jostle(&["check", story]);
    assert_eq!(
        checked.status.code(),
        Some(0),
        "deploy/kubernetes/drive-story.yaml must hold a valid scenario: {checked:?}; {RERUN}"
    );
    // Past every refusal of the file itself, drive counts the pods: three, as the Deployment.
    let output = drive_command(&[story, "--control", "127.0.0.1:1,127.0.0.1:2"]).output().unwrap();
    let stderr = process::text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}; {RERUN}");
    assert!(
        stderr.contains("pods given: 2; expected one per backend of") && stderr.contains("(3)"),
        "the ConfigMap's story is for the Deployment's three pods: {stderr}; {RERUN}"
    );
}
