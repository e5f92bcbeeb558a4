//! The seed article's Go program (examples/clients/go/article_client: its round-robin dialer,
//! grpc-go from Debian's packages in GOPATH mode) against `jostle serve --scenario FILE --calls
//! FILE`, judged from the call records it writes:
//!
//! - with an authority set, its one-connection pinning shows: a backend that crashes and comes
//!   back never serves again (`recovery` fails), one backend is never dialled at all;
//! - with the article's empty target (an empty `:authority`), every call fails INTERNAL at the
//!   HTTP/2 layer and the backends count no call: the records make serve's verdict say so.
//!
//! Needs `go` and grpc-go's sources under /usr/share/gocode (Debian: `apt-get install golang-go
//! golang-google-grpc-dev`); without them the test is skipped with that message, unless
//! JOSTLE_REQUIRE_GO_GRPC is set. The build is cached under the target folder (about 20 s the
//! first time). Rerun: `cargo test -p jostle-harness --test harness serve::go_client`.

use super::outside::{Play, Played, SLACK, Stop, or_skip};
use super::process::{self, Served};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const SOURCE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/clients/go/article_client/main.go");
const BATTERY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/battery");
const GOPATH: &str = "/usr/share/gocode";

/// The article's program built, or why it cannot be.
fn built() -> Result<PathBuf, String> {
    let grpc = Path::new(GOPATH).join("src/google.golang.org/grpc");
    let go = Command::new("go").arg("version").output();
    if !go.is_ok_and(|output| output.status.success()) {
        return Err("no `go` on the PATH".to_owned());
    }
    if !grpc.is_dir() {
        return Err(format!("no grpc-go sources at {}", grpc.display()));
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-article-client");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let binary = out.join("article_client");
    let output = Command::new("go")
        .args(["build", "-o"])
        .arg(&binary)
        .arg(SOURCE)
        .env("GOPATH", GOPATH)
        .env("GO111MODULE", "off")
        .env("GOCACHE", out.join("cache"))
        .env("GOPROXY", "off")
        .output()
        .map_err(|e| e.to_string())?;
    assert!(
        output.status.success(),
        "the article's program must build in GOPATH mode against Debian's grpc-go: {}",
        process::text(&output.stderr)
    );
    Ok(binary)
}

fn built_or_skip() -> Option<PathBuf> {
    or_skip(built(), "JOSTLE_REQUIRE_GO_GRPC", "apt-get install golang-go golang-google-grpc-dev")
}

/// The article's program plays `file` (open loop, its rate and length) with `authority`
/// against `jostle serve --scenario --calls`: serve's report of the scenario and the
/// program's own counts.
fn served(binary: &Path, file: &str, authority: &str) -> (Value, Value) {
    let path = Path::new(BATTERY).join(file);
    let story = jostle_harness::scenario::load(&path).expect("a battery file");
    let spec = story.load_spec();
    let (
        jostle_harness::load::Pace::Open { per_second },
        jostle_harness::load::Until::Elapsed(length),
    ) = (spec.pace, spec.until)
    else {
        panic!("{file} must be an open loop bounded by time");
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let calls = dir.path().join("calls.jsonl");
    let mut client = Command::new(binary);
    client
        .args(["-ready", "-", "-authority", authority, "-calls"])
        .arg(&calls)
        .args(["-rate", &per_second.to_string(), "-duration", &length.as_secs_f64().to_string()])
        .args(["-warm-up", &story.warm_up().as_secs_f64().to_string()])
        .args(["-deadline", &spec.deadline.as_secs_f64().to_string()]);
    let play = Play {
        file: &path,
        backends: story.backends(),
        calls: Some(&calls),
        go: Served::announced_line,
        counts_within: story.warm_up() + length + SLACK,
        stop: Stop::AtItsEnd,
    };
    let Played { report, counts } = play.run(client, "the Go program");
    (report["scenario"].clone(), counts)
}

fn verdicts(report: &Value) -> Vec<(String, bool)> {
    report["client"]["expectations"]
        .as_array()
        .unwrap_or_else(|| panic!("serve must judge the records: {report}"))
        .iter()
        .map(|e| (e["check"].as_str().unwrap_or_default().to_owned(), e["passed"] == true))
        .collect()
}

#[test]
fn the_articles_program_is_judged_from_its_records_pinned_with_an_authority_refused_without() {
    let Some(binary) = built_or_skip() else { return };
    let binary = binary.as_path();
    let ((pinned, pinned_counts), (refused, refused_counts)) = std::thread::scope(|scope| {
        let pinned = scope.spawn(move || served(binary, "restart.toml", "jostle-serve"));
        let refused = scope.spawn(move || served(binary, "one-down.toml", ""));
        (pinned.join().expect("pinned"), refused.join().expect("refused"))
    });
    let checks = verdicts(&pinned);
    assert!(
        checks.contains(&("recovery".to_owned(), false)),
        "the article's dialer keeps its one connection: backend-1, back from its crash, must \
         never serve again (recovery fails); counts {pinned_counts}; report {pinned}"
    );
    let unused = pinned["backends"]
        .as_array()
        .expect("backends")
        .iter()
        .filter(|b| b["served"] == 0)
        .count();
    assert!(unused >= 1, "one backend is never dialled: the counters show it: {pinned}");
    assert_eq!(pinned["verdict"], "not as expected", "{pinned}");
    // Every call fails: INTERNAL from a live backend's refused stream, or UNAVAILABLE from a
    // dial that met one-down's crashed backend (the article's dialer re-dials at random).
    let failed = refused_counts["failed"].as_object().expect("failed by code");
    let total: u64 = failed.values().filter_map(Value::as_u64).sum();
    assert!(
        total == refused_counts["calls"].as_u64().unwrap_or(0)
            && failed.keys().all(|code| code == "INTERNAL" || code == "UNAVAILABLE")
            && failed.get("INTERNAL").and_then(Value::as_u64).unwrap_or(0) > 0,
        "with the article's empty :authority no call succeeds: a live backend refuses every \
         stream (INTERNAL), only a dial to the crashed one fails otherwise (UNAVAILABLE): \
         {refused_counts}"
    );
    let counted: u64 = refused["backends"]
        .as_array()
        .expect("backends")
        .iter()
        .map(|b| b["served"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(counted, 0, "the backends count none of the refused calls: {refused}");
    assert_eq!(
        refused["verdict"], "not as expected",
        "the records must make serve say what the client saw: {refused}"
    );
    assert!(verdicts(&refused).contains(&("fallback".to_owned(), false)), "{refused}");
}
