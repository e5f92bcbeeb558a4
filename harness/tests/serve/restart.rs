//! `jostle drive --pods-file` and a pod restarted in place: pod 1's process is stopped and
//! another started on the same control and serving ports (as a container restarts in place),
//! the pods file unchanged. The drive tells the new process by its identity, moves backend 1 to
//! it as to a new pod, reports the delay fault the old process held as lost with it, sends the
//! file's later status fault to the new process, and judges nothing it did not see.
//!
//! Rerun: `cargo test -p jostle-harness --test harness serve::restart`.

use super::driving::{Client, SPLIT, drive_following, list, report, write};
use super::process::{Served, ctl, lines};
use crate::stories::{story_text, unavailable};

const RERUN: &str = "rerun: cargo test -p jostle-harness --test harness serve::restart";

/// Backend 1 is slowed by 1 ms from the start to the end (held when its pod restarts), then
/// answers UNAVAILABLE from 6 s; the load is a number of calls: the driver plays until SIGTERM.
fn restarted_story() -> String {
    let delay = "[[fault]]\nkind = \"delay\"\ntarget = [1]\nat = \"0s\"\ndelay = \"1ms\"\n";
    let rest = format!("{delay}{}{SPLIT}", unavailable(1, "6s", None));
    story_text("backend-1 restarts in place", 3, "rate = 100\ncalls = 1000\n", &rest)
}

/// A `jostle serve --backends 1` pod; on `ports` (control, serving) when given.
fn pod(seed: u64, ports: Option<(&str, &str)>) -> Served {
    let seed = seed.to_string();
    let mut args = vec!["--seed", seed.as_str()];
    if let Some((control, serving)) = ports {
        args.extend(["--control", control, "--ports", serving]);
    }
    Served::start_with(1, &args)
}

#[test]
fn drive_tells_a_pod_restarted_on_the_same_address_and_judges_nothing_it_did_not_see() {
    let mut pods: Vec<Served> = (11..=13).map(|seed| pod(seed, None)).collect();
    pods.sort_by_key(|pod| pod.control().parse::<std::net::SocketAddr>().expect("an address"));
    let dir = tempfile::tempdir().expect("temp dir");
    let story = write(dir.path(), &restarted_story());
    let file = dir.path().join("pods.txt");
    list(&file, &pods.iter().collect::<Vec<_>>());
    let json = dir.path().join("report.json");
    let mut driving = drive_following(&story, &file, &json);
    let mut client = Client::connect(&pods);
    for _ in 0..20 {
        client.round();
    }
    assert_eq!(client.seen[1].ok, 20, "pod 1 serves before it restarts: {:?}", client.seen);
    drop(client);

    // The same ports, another process: its counters and clock start again.
    let control = pods[1].control();
    let port = pods[1].backend(0).rsplit_once(':').expect("host:port").1.to_owned();
    pods[1].terminate();
    pods[1] = pod(14, Some((&control, &port)));
    assert_eq!(pods[1].control(), control, "the restarted pod has the same control address");

    let mut client = Client::connect(&pods);
    let faulted = client.rounds_until(&mut driving, |seen| seen[1].unavailable > 0);
    assert!(faulted, "the status fault at 6 s must reach the restarted pod: {:?}", client.seen);
    let log = lines(&ctl(&pods[1], &["faults"]).stdout);
    let (status, stderr) = driving.terminate();
    assert_eq!(status.code(), Some(0), "a restarted pod is no failure: {stderr}; {RERUN}");
    let report = report(&json);
    let fleet = &report["fleet"];

    let moved = &fleet["moved"][0];
    assert_eq!(
        (&moved["backend"], &moved["from"], &moved["to"], &moved["answered"]),
        (&"backend-1".into(), &control.clone().into(), &control.clone().into(), &false.into()),
        "the restart is a move to a new pod at the same address, the old process silent: \
         {fleet}; {RERUN}"
    );
    assert!(
        stderr.contains("its pod restarted in place"),
        "the text report says the pod restarted in place: {stderr}; {RERUN}"
    );
    let whole = fleet["whole_until_ms"].as_u64().expect("the records cannot be whole");
    assert!(
        whole <= moved["last_read_ms"].as_u64().unwrap(),
        "the records are whole only until the old process's last reading: {fleet}; {RERUN}"
    );
    let judged = report["expectations"].as_array().expect("expectations");
    assert!(
        judged.is_empty() && report["verdict"] == "not judged",
        "no window spanning the restart is judged: {report}; {RERUN}"
    );
    let lost: Vec<&serde_json::Value> =
        fleet["missed"].as_array().unwrap().iter().filter(|m| m["kind"] == "delay").collect();
    assert!(
        lost.len() == 1 && lost[0]["injected_at_ms"].is_u64() && lost[0]["backend"] == "backend-1",
        "the delay the old process held is a step no pod took the rest of: {fleet}; {RERUN}"
    );
    assert!(
        fleet["missed"].as_array().unwrap().iter().all(|m| m["kind"] != "status"),
        "the status fault at 6 s was taken by the restarted pod: {fleet}; {RERUN}"
    );
    let kinds: Vec<&str> = log.iter().map(|w| w["kind"].as_str().unwrap_or_default()).collect();
    assert_eq!(
        kinds,
        ["status"],
        "the restarted pod's fault log shows the later step, and only it: {log:?}; {RERUN}"
    );
}
