//! `jostle serve` as a separate process, driven from the outside: real gRPC calls to its
//! backends, `jostle ctl` from other processes for counters, faults, crash and restart, and
//! SIGTERM for a clean stop with every port freed. Every wait has a deadline and names what it
//! waited for.
//!
//! Rerun: `cargo test -p jostle-harness --test harness serve::`.

mod dns;
mod drive;
mod driving;
mod events;
mod follow;
mod go_client;
mod grpc_corpus;
mod load;
mod namespaces;
mod netns;
mod outside;
mod process;
mod python;
mod records;
mod restart;
mod scenario;
mod standard;
mod stop_count;
mod tally;
mod token;

use jostle_harness::proto::order_service_client::OrderServiceClient;
use jostle_harness::sample::create_order_request;
use process::{Served, ctl, jostle, lines};
use serde_json::Value;
use std::net::{TcpListener, TcpStream};
use tonic::Code;

/// One CreateOrder call to `address` on a fresh connection: its status code.
fn call(address: &str) -> Code {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut client = match OrderServiceClient::connect(format!("http://{address}")).await {
            Ok(client) => client,
            Err(_) => return Code::Unavailable,
        };
        match client.create_order(create_order_request(1)).await {
            Ok(_) => Code::Ok,
            Err(status) => status.code(),
        }
    })
}

/// `jostle ctl list` as JSON, by backend.
fn listed(served: &Served) -> Vec<Value> {
    let output = ctl(served, &["list"]);
    assert_eq!(output.status.code(), Some(0), "ctl list must succeed: {output:?}");
    lines(&output.stdout)
}

#[test]
fn served_backends_count_the_calls_clients_make_and_reset_to_zero() {
    let served = Served::start(3);
    for _ in 0..5 {
        assert_eq!(call(served.backend(0)), Code::Ok, "a served backend must answer");
    }
    for _ in 0..2 {
        assert_eq!(call(served.backend(1)), Code::Ok, "a served backend must answer");
    }
    let backends = listed(&served);
    let served_counts: Vec<u64> =
        backends.iter().map(|backend| backend["served"].as_u64().unwrap()).collect();
    assert_eq!(served_counts, [5, 2, 0], "each backend must count the calls it served");
    assert_eq!(backends[0]["connections_accepted"], 5, "one connection per fresh client");
    assert_eq!(backends[2]["state"], "running");
    assert_eq!(backends[1]["address"], served.backend(1), "list must give the announced address");

    let reset = ctl(&served, &["reset"]);
    assert_eq!(reset.status.code(), Some(0), "ctl reset must succeed: {reset:?}");
    let after: Vec<Value> = listed(&served);
    assert!(
        after.iter().all(|backend| backend["served"] == 0 && backend["connections_accepted"] == 0),
        "reset must count every backend from zero again: {after:?}"
    );
    assert_eq!(call(served.backend(1)), Code::Ok);
    assert_eq!(listed(&served)[1]["served"], 1, "counting must go on after a reset");
}

#[test]
fn an_injected_unavailable_status_fails_calls_to_its_backend_until_healed() {
    let served = Served::start(3);
    let injected = ctl(
        &served,
        &["inject", "status", "--on", "backend-1", "code=Unavailable", "probability=1"],
    );
    assert_eq!(injected.status.code(), Some(0), "a valid fault must be injected: {injected:?}");
    let id = lines(&injected.stdout)[0]["id"].as_u64().expect("inject prints the fault id");

    assert_eq!(call(served.backend(1)), Code::Unavailable, "the faulted backend must fail calls");
    assert_eq!(call(served.backend(0)), Code::Ok, "a fault on backend-1 must spare backend-0");
    let backends = listed(&served);
    assert_eq!(
        backends[1]["failed"]["Unavailable"], 1,
        "the failure must be counted: {backends:?}"
    );
    let faults = lines(&ctl(&served, &["faults"]).stdout);
    assert_eq!(faults.len(), 1, "one window for one fault on one backend: {faults:?}");
    assert_eq!(faults[0]["backend"], "backend-1");
    assert!(faults[0]["end_ms"].is_null(), "the window must be open until healed");

    let healed = ctl(&served, &["heal", &id.to_string()]);
    assert_eq!(healed.status.code(), Some(0), "healing the injected id must succeed: {healed:?}");
    assert_eq!(call(served.backend(1)), Code::Ok, "a healed backend must serve again");
    let faults = lines(&ctl(&served, &["faults"]).stdout);
    assert!(faults[0]["end_ms"].is_u64(), "healing must close the window: {faults:?}");
}

#[test]
fn a_crashed_backend_refuses_connects_until_started_and_restart_keeps_it_serving() {
    let served = Served::start(3);
    let crashed = ctl(&served, &["crash", "backend-2"]);
    assert_eq!(crashed.status.code(), Some(0), "crash must succeed: {crashed:?}");
    assert_eq!(lines(&crashed.stdout)[0]["state"], "stopped");
    let refused = TcpStream::connect(served.backend(2));
    assert!(refused.is_err(), "a crashed backend's port must refuse connects");
    assert_eq!(call(served.backend(0)), Code::Ok, "the other backends must go on serving");

    let again = ctl(&served, &["crash", "2"]);
    assert_eq!(again.status.code(), Some(1), "crashing a stopped backend is refused: {again:?}");
    assert!(process::text(&again.stderr).contains("backend-2 is not running"));

    let started = ctl(&served, &["start", "backend-2"]);
    assert_eq!(started.status.code(), Some(0), "start must succeed: {started:?}");
    assert_eq!(call(served.backend(2)), Code::Ok, "a started backend must serve on its address");

    let restarted = ctl(&served, &["restart", "backend-2"]);
    assert_eq!(restarted.status.code(), Some(0), "restart must succeed: {restarted:?}");
    assert_eq!(call(served.backend(2)), Code::Ok, "a restarted backend must serve");
    assert_eq!(listed(&served)[2]["served"], 2, "counters must outlive crash and restart");
}

#[test]
fn bad_control_requests_say_what_was_wrong_and_serving_goes_on() {
    let served = Served::start(2);
    let cases: [(&[&str], i32, &str); 6] = [
        (&["crash", "backend-7"], 1, "unknown backend `backend-7`"),
        (&["inject", "statsu", "--on", "0"], 1, "did you mean `status`?"),
        (
            &["inject", "status", "code=Unavailable", "probability=2"],
            1,
            "probability: `probability` is 2.0; expected a probability in 0..=1",
        ),
        (&["inject", "status", "code=Unavailable", "probability"], 2, "expected NAME=VALUE"),
        (&["heal", "99"], 1, "no fault 99 was injected"),
        (&["inject", "delay", "delay=300ms", "target=1"], 1, "parameter `target` is not allowed"),
    ];
    for (args, code, message) in cases {
        let output = ctl(&served, args);
        let stderr = process::text(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "ctl {args:?} must exit {code}: {stderr}");
        assert!(stderr.contains(message), "ctl {args:?} must say `{message}`, said: {stderr}");
    }
    assert_eq!(call(served.backend(1)), Code::Ok, "serving must go on after bad requests");
    assert_eq!(listed(&served).len(), 2, "the control API must go on after bad requests");
}

#[test]
fn sigterm_stops_serving_with_exit_0_a_summary_and_every_port_free() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("summary.json");
    let mut served = Served::start_with(3, &["--json", report.to_str().expect("utf-8 path")]);
    assert_eq!(call(served.backend(0)), Code::Ok);
    let ports: Vec<String> = served.addresses();
    let output = served.terminate();
    assert_eq!(output.status.code(), Some(0), "SIGTERM must stop serving cleanly: {output:?}");
    let stderr = process::text(&output.stderr);
    assert!(
        stderr.contains("backend-0 ") && stderr.contains("served 1"),
        "the summary must give each backend's served calls: {stderr}"
    );
    for address in ports {
        let bound = TcpListener::bind(&address);
        assert!(bound.is_ok(), "{address} must be free after the stop: {bound:?}");
    }
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(summary["backends"][0]["served"], 1, "--json must give served calls: {summary}");
    assert_eq!(summary["backends"][2]["connections_accepted"], 0, "and connections: {summary}");
}

#[test]
fn serve_stops_by_itself_after_its_duration_with_exit_0() {
    let output = jostle(&["serve", "--backends", "1", "--duration", "100ms"]);
    assert_eq!(output.status.code(), Some(0), "--duration must end serving cleanly: {output:?}");
    assert_eq!(lines(&output.stdout).len(), 1, "exactly one JSON line on stdout: {output:?}");
}

#[test]
fn ctl_without_a_server_to_reach_exits_1_saying_so() {
    let output = jostle(&["ctl", "--control", "127.0.0.1:1", "list"]);
    assert_eq!(output.status.code(), Some(1), "an unreachable server is exit 1: {output:?}");
    let stderr = process::text(&output.stderr);
    assert!(stderr.contains("cannot reach 127.0.0.1:1"), "{output:?}");
    assert!(stderr.contains("Connection refused"), "the OS's reason must be given: {stderr}");
}

#[test]
fn ctl_against_a_listener_that_never_speaks_http2_gives_up_saying_so() {
    // The kernel completes the TCP handshake from the backlog; nothing ever answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = silent.local_addr().unwrap().to_string();
    // Both verbs at once: each waits out the same 5 s on its own connection.
    let children: Vec<_> = ["events", "list"]
        .into_iter()
        .map(|verb| {
            let child = std::process::Command::new(env!("CARGO_BIN_EXE_jostle"))
                .args(["ctl", "--control", &address, verb])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            (verb, child)
        })
        .collect();
    for (verb, mut child) in children {
        // A bound on the wait, not a timing claim: before the fix `events` never returned.
        let mut waited = 0;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if waited >= 600 {
                let _ = child.kill();
                let _ = child.wait();
                panic!("ctl {verb} against a silent listener must give up, not hang");
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
            waited += 1;
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(1), "ctl {verb}: a silent listener is exit 1: {stderr}");
        assert!(stderr.contains("sent no gRPC answer within 5 s"), "ctl {verb}: {stderr}");
    }
    drop(silent);
}

#[test]
fn serve_refuses_a_control_address_that_is_not_loopback() {
    let output = jostle(&["serve", "--control", "0.0.0.0:0", "--duration", "1s"]);
    assert_eq!(output.status.code(), Some(2), "a non-loopback address is bad input: {output:?}");
    assert!(
        process::text(&output.stderr).contains("is not a loopback address"),
        "the error must say why: {output:?}"
    );
    assert!(output.stdout.is_empty(), "nothing may be announced: {output:?}");
}

#[test]
fn backends_listen_on_the_ports_given_and_a_wrong_count_is_bad_input() {
    // Free ports now, from the kernel; given back before serve binds them.
    let free: Vec<u16> = (0..2)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect::<Vec<_>>()
        .iter()
        .map(|listener| listener.local_addr().unwrap().port())
        .collect();
    let ports = format!("{},{}", free[0], free[1]);
    let served = Served::start_with(2, &["--ports", &ports]);
    for (index, port) in free.iter().enumerate() {
        assert_eq!(
            served.backend(index),
            format!("127.0.0.1:{port}"),
            "backend-{index} must listen on the port given"
        );
    }
    assert_eq!(call(served.backend(1)), Code::Ok, "a backend on a given port must serve");

    let output = jostle(&["serve", "--backends", "3", "--ports", &ports]);
    assert_eq!(output.status.code(), Some(2), "two ports for three backends is bad input");
    assert!(
        process::text(&output.stderr).contains("expected one per backend (3)"),
        "the error must say how many ports: {output:?}"
    );
}

/// FNV-1a 64 over the seed's little-endian bytes, then the name's: docs/KUBERNETES.md's
/// formula, computed apart from the binary's.
fn fnv1a(seed: u64, name: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in seed.to_le_bytes().into_iter().chain(name.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x100_0000_01b3);
    }
    hash
}

#[test]
fn replicas_started_alike_are_seeded_apart_by_their_names_and_say_the_seed() {
    let mut seeds = Vec::new();
    for name in ["jostle-orders-7d9f-abcde", "jostle-orders-7d9f-fghij"] {
        let output = jostle(&[
            "serve",
            "--backends",
            "1",
            "--seed",
            "3",
            "--seed-from",
            name,
            "--duration",
            "100ms",
        ]);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        let expected = fnv1a(3, name);
        let says = format!(
            "seed {expected}, from seed 3 and the name `{name}` (replay this pod's draws with --seed {expected})"
        );
        let stderr = process::text(&output.stderr);
        assert!(stderr.contains(&says), "each pod prints the seed it uses, `{says}`: {stderr}");
        seeds.push(expected);
    }
    assert_ne!(seeds[0], seeds[1], "two pods started alike must not draw alike");
    let output = jostle(&["serve", "--backends", "1", "--seed-from", "", "--duration", "100ms"]);
    assert_eq!(output.status.code(), Some(2), "an empty name is bad input: {output:?}");
    assert!(process::text(&output.stderr).contains("is not a pod name"), "{output:?}");
}
