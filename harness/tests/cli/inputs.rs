//! Bad input of every kind exits 2 with a located, escaped message, and runs nothing: files
//! that are not regular, too large, not UTF-8 or missing among several; numbers and durations
//! out of their documented ranges; loads past the limits; faults after the load.

use super::{GOOD, TempFile, jostle, text};
use std::time::{Duration, Instant};

/// A small valid story with `load` as its `[load]` table and `rest` after it.
fn story(load: &str, rest: &str) -> String {
    format!(
        "name = \"s\"\n[cluster]\nbackends = 1\n[balancer]\npolicy = \"round_robin\"\n[load]\n{load}\n{rest}"
    )
}

/// `jostle check` and `jostle run` of `content` both exit 2 with `message` at `line:col`.
fn refused(content: &str, line_col: &str, message: &str) {
    let file = TempFile::new("refused.toml", content);
    for command in ["check", "run"] {
        let output = jostle(&[command, file.path()]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "jostle {command}: bad input exits 2: {stderr}");
        assert!(
            stderr.starts_with(&format!("error: {}:{line_col}: ", file.path())),
            "jostle {command} must name the place {line_col}: {stderr}"
        );
        assert!(stderr.contains(message), "jostle {command} must say {message:?}: {stderr}");
        assert!(text(&output.stdout).is_empty(), "jostle {command} runs nothing on bad input");
    }
}

#[test]
fn a_fifo_given_as_a_scenario_is_refused_at_once_not_waited_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("story.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success(), "mkfifo made the FIFO");
    let started = Instant::now();
    let output = jostle(&["check", fifo.to_str().expect("utf-8")]);
    assert!(started.elapsed() < Duration::from_secs(30), "check of a FIFO must not hang");
    assert_eq!(output.status.code(), Some(2), "a FIFO is bad input: exit 2");
    assert!(
        text(&output.stderr).contains("it is a FIFO; expected a regular file"),
        "the error must say what the path is: {}",
        text(&output.stderr)
    );
}

#[test]
fn a_directory_given_as_a_scenario_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = jostle(&["run", dir.path().to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(2), "a folder is bad input: exit 2");
    assert!(text(&output.stderr).contains("it is a directory"), "{}", text(&output.stderr));
}

#[test]
fn a_missing_file_among_several_exits_2_and_the_others_are_still_checked() {
    let output = jostle(&["check", GOOD, "/nonexistent/jostle/story.toml"]);
    assert_eq!(output.status.code(), Some(2), "a missing file is bad input, among several too");
    assert!(text(&output.stdout).contains(": ok"), "the valid file is still checked");
    assert!(
        text(&output.stderr).starts_with("error: cannot read /nonexistent/jostle/story.toml: "),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_file_larger_than_the_limit_is_refused_unread() {
    let padding =
        "#".repeat(usize::try_from(jostle_harness::scenario::MAX_FILE_BYTES).expect("1 MiB fits"));
    let big = TempFile::new("big.toml", &format!("{padding}\n"));
    let output = jostle(&["check", big.path()]);
    assert_eq!(output.status.code(), Some(2), "an oversized file is bad input: exit 2");
    assert!(
        text(&output.stderr).contains("larger than 1048576 bytes"),
        "the error must give the limit: {}",
        text(&output.stderr)
    );
}

#[test]
fn invalid_utf8_exits_2_with_its_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("latin1.toml");
    std::fs::write(&path, b"name = \"x\"\nseed = \"caf\xe9\"\n").expect("write");
    let output = jostle(&["check", path.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(2), "invalid UTF-8 is bad input: exit 2");
    assert!(
        text(&output.stderr)
            .contains(":2:12: byte 0xE9 is not UTF-8 text; expected a UTF-8 text file"),
        "the error must locate the bad byte: {}",
        text(&output.stderr)
    );
}

#[test]
fn error_lines_escape_control_characters() {
    let output = jostle(&["check", "/nonexistent/a\nb\u{1b}[31m.toml"]);
    assert_eq!(output.status.code(), Some(2), "a missing file is bad input");
    let stderr = text(&output.stderr);
    assert_eq!(
        stderr.lines().count(),
        1,
        "a newline in a name must not split the error: {stderr:?}"
    );
    assert!(!stderr.contains('\u{1b}'), "an escape must not reach the terminal: {stderr:?}");
    assert!(stderr.contains(r"a\nb\u{1b}[31m.toml"), "the name is shown escaped: {stderr:?}");
}

#[test]
fn a_name_with_a_control_character_is_refused() {
    let content = story("rate = 1\nduration = \"1s\"", "").replace("\"s\"", "\"a\\u001b[2Jb\"");
    refused(&content, "1:8", "the name has a control character");
}

#[test]
fn a_month_is_not_a_duration() {
    refused(&story("rate = 1\nduration = \"1M\"", ""), "8:12", "unknown unit `M`");
}

#[test]
fn a_sub_millisecond_fault_time_is_refused_not_rounded() {
    let fault = "[[fault]]\nat = \"1500us\"\ntarget = [0]\nkind = \"hang\"";
    refused(
        &story("rate = 1\nduration = \"1s\"", fault),
        "10:6",
        "not a whole number of milliseconds",
    );
}

#[test]
fn a_fault_after_the_load_ends_is_an_error_at_its_place() {
    let fault = "[[fault]]\nat = \"5s\"\ntarget = [0]\nkind = \"hang\"";
    refused(
        &story("rate = 1\nduration = \"2s\"\nwarm_up = \"1s\"", fault),
        "11:6",
        "this fault starts at 5s, when the load is over (it ends at 3s",
    );
}

#[test]
fn a_duration_of_thousands_of_years_is_refused() {
    refused(&story("rate = 1\nduration = \"87600000h\"", ""), "8:12", "longer than 24h");
}

#[test]
fn a_huge_deadline_is_refused() {
    refused(
        &story("concurrency = 1\ncalls = 1\ndeadline = \"999999999h\"", ""),
        "9:12",
        "longer than 24h",
    );
}

#[test]
fn a_huge_or_a_tiny_rate_is_refused() {
    refused(&story("rate = 1e12\ncalls = 1", ""), "7:8", "`rate` is 1000000000000");
    refused(&story("rate = 1e-12\ncalls = 1", ""), "7:8", "calls per second in 0.001..=100000");
}

#[test]
fn too_many_calls_or_too_much_concurrency_is_refused() {
    refused(&story("concurrency = 1\ncalls = 1000001", ""), "8:9", "`calls` is 1000001");
    refused(&story("concurrency = 10001\ncalls = 1", ""), "7:15", "calls in flight in 1..=10000");
}

#[test]
fn a_load_whose_rate_times_duration_exceeds_the_call_limit_is_refused_at_its_header() {
    refused(
        &story("rate = 100000\nduration = \"11s\"", ""),
        "6:1",
        "this load makes up to 1100000 calls; expected at most 1000000 calls",
    );
}

#[test]
fn a_load_that_would_run_past_24h_is_refused_at_its_header() {
    refused(
        &story("concurrency = 1\ncalls = 100000\ndeadline = \"1s\"", ""),
        "6:1",
        "a load that ends within 24h",
    );
}

#[test]
fn a_failed_write_to_stderr_does_not_panic() {
    let full = std::fs::File::create("/dev/full").expect("/dev/full");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jostle"))
        .args(["check", "/nonexistent/jostle/story.toml"])
        .stderr(full)
        .output()
        .expect("jostle runs");
    assert_eq!(
        output.status.code(),
        Some(2),
        "a full stderr must not turn bad input into a panic (101)"
    );
}

#[test]
fn drive_refuses_a_malformed_pods_name_before_resolving_it() {
    let story = format!("{}/flaky-replica.toml", super::FIXTURES);
    for (pods, says) in [
        ("orders-control", "no port"),
        (":7000", "no name"),
        ("orders-control:http", "`http` is not a port"),
        ("orders-control:0", "port 0"),
        ("orders-control:70000", "`70000` is not a port"),
        ("a:b:7000", "a name with a `:` that is not an IPv6 address in brackets"),
    ] {
        let output = jostle(&["drive", &story, "--pods", pods]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "--pods {pods} is bad input: {stderr}");
        assert!(
            stderr.contains(&format!("error: --pods {pods}: {says}; expected NAME:PORT")),
            "--pods {pods} must say `{says}` and what was expected: {stderr}"
        );
    }
}

#[test]
fn serve_and_drive_read_a_seed_above_i64_max_as_check_and_run_do() {
    let top = story("rate = 10\nduration = \"1s\"", "")
        .replace("name = \"s\"\n", "name = \"s\"\nseed = 18446744073709551615\n");
    let file = TempFile::new("top.toml", &top);
    let check = jostle(&["check", file.path()]);
    assert_eq!(check.status.code(), Some(0), "check takes u64::MAX: {check:?}");
    // Past the file, drive goes on to the pods: 127.0.0.1:1 refuses, exit 1, not a file error.
    let drive = jostle(&["drive", file.path(), "--control", "127.0.0.1:1"]);
    let stderr = text(&drive.stderr);
    assert_eq!(drive.status.code(), Some(1), "drive reads u64::MAX as check does: {stderr}");
    assert!(stderr.contains("cannot reach the control API at 127.0.0.1:1"), "{stderr}");
    let over =
        TempFile::new("over.toml", &top.replace("18446744073709551615", "18446744073709551616"));
    for args in [
        vec!["check", over.path()],
        vec!["drive", over.path(), "--control", "127.0.0.1:1"],
        vec!["serve", "--scenario", over.path(), "--duration", "30s"],
    ] {
        let output = jostle(&args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: a seed past u64::MAX is bad input");
        assert!(
            stderr.contains(&format!("{}:2:8: ", over.path()))
                && !stderr.contains("TOML parse error"),
            "{args:?}: the error must name FILE:LINE:COL in one line: {stderr}"
        );
    }
}
