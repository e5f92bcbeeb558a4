//! `jostle drive --pods-file` follows the fleet: three `jostle serve --backends 1` processes
//! stand in for the pods, the file lists their control addresses as a headless Service's DNS
//! answer would, and one pod is replaced mid-drive (a process stopped, another started on a
//! new port, the file rewritten). The drive moves backend 1 to the new pod, plays the rest of
//! the file on it, says when the pods changed, and judges nothing it did not see.
//!
//! Rerun: `cargo test -p jostle-harness --test harness drive`.

use super::driving::{Client, RERUN, SPLIT, drive_command, drive_following, list, report, write};
use super::process::{self, Served};
use crate::stories::{story_text, unavailable};
use serde_json::Value;

/// Backend 1 answers UNAVAILABLE from 6 s to the end; the load is a number of calls, so the
/// driver plays until SIGTERM. Both expectations span the whole drive.
fn followed_story() -> String {
    let rest = format!("{}{SPLIT}", unavailable(1, "6s", None));
    story_text("backend-1 answers Unavailable from 6 s", 3, "rate = 100\ncalls = 1000\n", &rest)
}

/// The report, the driver's stderr, the client's OK calls to the old pod 1, what the client saw
/// from the pods after, the pods' control addresses in backend order (then the old pod 1's and
/// the new pod's backend address),
/// and the pods' seeds in backend order.
type Replaced = (Value, String, u64, Vec<super::driving::Seen>, Vec<String>, Vec<u64>);

/// A pod seeded `seed`, so that the report's seeds tell the pods apart.
fn pod(seed: u64) -> Served {
    Served::start_with(1, &["--seed", &seed.to_string()])
}

/// Plays [`followed_story`] with `--pods-file`: pod 1 is replaced by a new pod, seeded 14, after a few
/// rounds of calls; `old_first` stops the old pod before the file names the new one (a crash),
/// else after (a rolling update: the old pod leaves the Service, then stops). Returns the
/// report, the driver's stderr, the client's OK calls to the old pod 1 and what it saw from the
/// new pods, and the pods' control addresses (old pod 1 last).
fn replaced(old_first: bool) -> Replaced {
    let mut seeded: Vec<(Served, u64)> = (11..=13).map(|seed| (pod(seed), seed)).collect();
    // Backend i is the pod with the i-th control address: the driver sorts them.
    seeded
        .sort_by_key(|(pod, _)| pod.control().parse::<std::net::SocketAddr>().expect("an address"));
    let seeds: Vec<u64> = seeded.iter().map(|(_, seed)| *seed).collect();
    let mut pods: Vec<Served> = seeded.into_iter().map(|(pod, _)| pod).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let story = write(dir.path(), &followed_story());
    let file = dir.path().join("pods.txt");
    list(&file, &pods.iter().collect::<Vec<_>>());
    let json = dir.path().join("report.json");
    let mut driving = drive_following(&story, &file, &json);
    let mut client = Client::connect(&pods);
    for _ in 0..20 {
        client.round();
    }
    let old_ok = client.seen[1].ok;
    assert_eq!(old_ok, 20, "the old pod 1 serves before the fault: {:?}; {RERUN}", client.seen);
    drop(client);

    let old_control = pods[1].control();
    let new = pod(14);
    let mut old = std::mem::replace(&mut pods[1], new);
    if old_first {
        old.terminate();
    }
    list(&file, &pods.iter().collect::<Vec<_>>());
    driving.wait_for("backend-1 moved to a new pod");
    if !old_first {
        old.terminate();
    }

    // The rest of the file is played on the new pod: its status fault at 6 s reaches it.
    let mut client = Client::connect(&pods);
    let faulted = client.rounds_until(&mut driving, |seen| seen[1].unavailable > 0);
    assert!(
        faulted,
        "the status fault on backend-1 at 6 s must reach the pod that replaced it (client saw \
         {:?}); {RERUN}",
        client.seen
    );
    let log = process::lines(&process::ctl(&pods[1], &["faults"]).stdout);
    assert!(
        log.iter().any(|window| window["kind"] == "status"),
        "the new pod's fault log shows the status fault the file plays after the move: {log:?}; \
         {RERUN}"
    );
    let (status, stderr) = driving.terminate();
    assert_eq!(
        status.code(),
        Some(0),
        "a replaced pod is no failure, and what spans it is not judged (exit 0): {stderr}; \
         {RERUN}"
    );
    let controls = vec![
        pods[0].control(),
        pods[1].control(),
        pods[2].control(),
        old_control,
        pods[1].backend(0).to_owned(),
    ];
    let seeds = vec![seeds[0], 14, seeds[2]];
    (report(&json), stderr, old_ok, client.seen.clone(), controls, seeds)
}

/// What both orders of a replacement show alike.
fn follows(report: &Value, stderr: &str, controls: &[String], seeds: &[u64]) -> Value {
    let fleet = &report["fleet"];
    let change = &fleet["changes"][0];
    assert_eq!(
        (&change["gone"], &change["came"], &change["given"]),
        (&serde_json::json!([controls[3]]), &serde_json::json!([controls[1]]), &3.into()),
        "the report says what changed: pod 1's old address gone, the new one come: {report}; \
         {RERUN}"
    );
    let moved = &fleet["moved"][0];
    assert_eq!(
        (&moved["backend"], &moved["from"], &moved["to"]),
        (&"backend-1".into(), &controls[3].clone().into(), &controls[1].clone().into()),
        "backend-1 moves from the old pod to the new one: {report}; {RERUN}"
    );
    assert!(
        stderr.contains("pods at ") && stderr.contains("backend-1 moved to a new pod at"),
        "the text report says when the pods changed and which backend moved: {stderr}; {RERUN}"
    );
    let backends = report["backends"].as_array().expect("backends");
    assert_eq!(backends[1]["address"], controls[4], "backend-1 is the new pod's now: {report}");
    let reported: Vec<Option<u64>> = backends.iter().map(|b| b["seed"].as_u64()).collect();
    assert_eq!(
        reported,
        seeds.iter().copied().map(Some).collect::<Vec<_>>(),
        "each backend's seed is its pod's own, the new pod's for backend-1: {report}; {RERUN}"
    );
    let whole = fleet["whole_until_ms"].as_u64().expect("the records are not whole");
    assert!(
        whole <= moved["at_ms"].as_u64().unwrap(),
        "the records are whole only until the move at most: {report}; {RERUN}"
    );
    let judged = report["expectations"].as_array().expect("expectations");
    assert!(
        judged.is_empty(),
        "no window spanning the replacement is judged (neither a pass on calls not seen nor an \
         alarm the file did not cause): {report}; {RERUN}"
    );
    let not_judged: Vec<&str> = report["not_judged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["why"].as_str().unwrap())
        .collect();
    assert!(
        not_judged.len() == 2 && not_judged.iter().all(|why| why.contains("whole until")),
        "both expectations are not judged, saying the pods changed: {report}; {RERUN}"
    );
    assert_eq!(report["verdict"], "not judged", "{report}; {RERUN}");
    report["backends"][1].clone()
}

#[test]
fn drive_follows_a_pod_that_crashed_and_was_replaced_and_judges_nothing_it_did_not_see() {
    let (report, stderr, old_ok, seen, controls, seeds) = replaced(true);
    let backend = follows(&report, &stderr, &controls, &seeds);
    assert_eq!(report["fleet"]["moved"][0]["answered"], false, "the old pod was gone: {report}");
    let served = backend["served"].as_u64().unwrap();
    assert!(
        (seen[1].ok..=seen[1].ok + old_ok).contains(&served),
        "backend-1 counts the new pod's {} OK calls and at most the old pod's {old_ok} (those \
         after its last reading are lost with it): {served}; {report}; {RERUN}",
        seen[1].ok
    );
    assert_eq!(
        backend["failed"]["Unavailable"].as_u64(),
        Some(seen[1].unavailable),
        "the new pod's UNAVAILABLE answers are counted: {report}; {RERUN}"
    );
}

#[test]
fn drive_follows_a_pod_replaced_by_a_rolling_update_and_counts_both_pods() {
    let (report, stderr, old_ok, seen, controls, seeds) = replaced(false);
    let backend = follows(&report, &stderr, &controls, &seeds);
    assert_eq!(
        report["fleet"]["moved"][0]["answered"], true,
        "the old pod still answered when it left the list: read a last time: {report}; {RERUN}"
    );
    assert_eq!(
        backend["served"].as_u64(),
        Some(old_ok + seen[1].ok),
        "backend-1 counts the old pod's {old_ok} OK calls, read a last time, and the new pod's \
         {}: {report}; {RERUN}",
        seen[1].ok
    );
}

#[test]
fn drive_refuses_a_bad_pods_file_or_period_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let story = write(dir.path(), &followed_story());
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "127.0.0.1:1\n  nope\n").unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "# none yet\n").unwrap();
    let missing = dir.path().join("missing.txt");
    let (bad, empty, missing) =
        (bad.to_str().unwrap(), empty.to_str().unwrap(), missing.to_str().unwrap());
    let cases: [(&[&str], String); 5] = [
        (&["--pods-file", bad], format!("{bad}:2:3: `nope` is not ADDR:PORT")),
        (&["--pods-file", empty], format!("--pods-file {empty}: no address; expected one per pod")),
        (&["--pods-file", missing], format!("--pods-file {missing}: cannot read it")),
        (
            &["--pods-file", bad, "--resolve-every", "10ms"],
            "--resolve-every 10ms; expected 100ms to 10m".into(),
        ),
        (&["--pods-file", bad, "--control", "127.0.0.1:1"], "cannot be used with".into()),
    ];
    for (args, said) in cases {
        let mut command = drive_command(&[story.to_str().unwrap()]);
        command.args(args);
        let output = command.output().expect("jostle drive runs");
        let stderr = process::text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?} is bad input: {stderr}; {RERUN}");
        assert!(stderr.contains(&said), "{args:?}: drive must say `{said}`: {stderr}; {RERUN}");
    }
}
