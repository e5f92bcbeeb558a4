//! `--profile` of `jostle run` and `jostle explore`, and `profile` / `timeouts_to_eject` in
//! `[balancer]`: gRPC's client defaults against jostle's on a story where they differ.

use super::{TempFile, jostle, text};

/// Every backend slower than the deadline: a gRPC client sees DEADLINE_EXCEEDED only (the xDS
/// interop timeout test); jostle's default ejection turns some of it into fast UNAVAILABLE.
fn every_backend_hangs(balancer_keys: &str) -> String {
    format!(
        "name = \"every backend slower than the deadline\"\n\
         [cluster]\nbackends = 2\n\
         [balancer]\npolicy = \"round_robin\"\n{balancer_keys}\
         [load]\nconcurrency = 1\ncalls = 20\ndeadline = \"100ms\"\n\
         [[fault]]\ntarget = [0, 1]\nkind = \"hang\"\n\
         [expect]\ncodes = [\"DeadlineExceeded\"]\n"
    )
}

#[test]
fn run_with_profile_grpc_gives_deadline_exceeded_only_where_jostle_ejects() {
    let story = TempFile::new("hang.toml", &every_backend_hangs(""));
    let jostles = jostle(&["run", story.path()]);
    let out = text(&jostles.stdout);
    assert_eq!(jostles.status.code(), Some(1), "jostle's profile ejects: codes fails\n{out}");
    assert!(out.contains("FAIL codes: calls fail only with DeadlineExceeded"), "{out}");

    let grpc = jostle(&["run", story.path(), "--profile", "grpc"]);
    let out = text(&grpc.stdout);
    assert_eq!(grpc.status.code(), Some(0), "gRPC's profile never ejects on timeouts\n{out}");
    assert!(out.contains("pass codes"), "{out}");
}

#[test]
fn profile_and_timeouts_to_eject_in_the_file_do_what_the_flag_does() {
    for keys in ["profile = \"grpc\"\n", "timeouts_to_eject = 0\n"] {
        let story = TempFile::new("hang.toml", &every_backend_hangs(keys));
        let output = jostle(&["run", story.path()]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "`{}` turns ejection on timeouts off\n{}",
            keys.trim(),
            text(&output.stdout)
        );
    }
}

#[test]
fn a_failed_run_with_a_profile_replays_with_it() {
    let story = TempFile::new("hang.toml", &every_backend_hangs("profile = \"grpc\"\n"));
    let output = jostle(&["run", story.path(), "--profile", "jostle"]);
    let out = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "--profile jostle replaces the file's\n{out}");
    let replay = format!("jostle run {} --profile jostle", story.path());
    assert!(out.contains(&replay), "the replay command keeps the flag: {replay}\n{out}");
}

#[test]
fn an_unknown_profile_is_bad_input_naming_the_flag_or_the_place() {
    let story = TempFile::new("hang.toml", &every_backend_hangs(""));
    let output = jostle(&["run", story.path(), "--profile", "grcp"]);
    assert_eq!(output.status.code(), Some(2), "a bad flag value exits 2");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(
            "'--profile <NAME>': unknown profile `grcp`; expected one of `jostle` or `grpc`"
        ),
        "{stderr}"
    );
    let output = jostle(&["explore", "--profile", "grcp", "--seeds", "0..1"]);
    assert_eq!(output.status.code(), Some(2), "explore: a bad flag value exits 2");

    let typo = TempFile::new("typo.toml", &every_backend_hangs("profile = \"grcp\"\n"));
    let output = jostle(&["check", typo.path()]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: {}:6:11: unknown profile `grcp`; expected one of `jostle` or `grpc`; \
             did you mean `grpc`?",
            typo.path()
        ),
        "the error names the file, line and column"
    );
}

#[test]
fn an_out_of_range_timeouts_to_eject_is_located() {
    for value in ["-1", "1000001"] {
        let keys = format!("timeouts_to_eject = {value}\n");
        let story = TempFile::new("eject.toml", &every_backend_hangs(&keys));
        let output = jostle(&["check", story.path()]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert_eq!(
            stderr.trim_end(),
            format!(
                "error: {}:6:21: `timeouts_to_eject` is {value}; expected a whole number from \
                 0 (never eject) to 1000000",
                story.path()
            ),
            "the error names the place and the range"
        );
    }
}

#[test]
fn a_profile_for_a_balancer_that_is_not_a_jostle_policy_is_refused() {
    let story = TempFile::new("hang.toml", &every_backend_hangs(""));
    let output =
        jostle(&["run", story.path(), "--balancer", "round_robin_dialer", "--profile", "grpc"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        text(&output.stderr).contains("--profile: a profile applies to jostle policies only"),
        "{}",
        text(&output.stderr)
    );
    let output = jostle(&["explore", "--balancer", "fallback_dialer", "--profile", "grpc"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        text(&output.stderr).contains("--profile: a profile applies to jostle policies only"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn explore_accepts_profile_grpc_for_a_jostle_policy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("found");
    let output = jostle(&[
        "explore",
        "--profile",
        "grpc",
        "--seeds",
        "0..2",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with("explored 2 schedules against round_robin (seeds 0..2)"),
        "{output:?}"
    );
}
