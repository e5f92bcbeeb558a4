//! `--json` and `--html` never replace what is not a regular file nor the scenario being run,
//! follow symlinks, and write whole; a stdout that cannot be written exits 1, not 101.

use super::{FIXTURES, GOOD, TempFile, jostle, text};
use std::path::Path;

fn story() -> String {
    format!("{FIXTURES}/flaky-replica.toml")
}

/// `jostle run` with `flag path` exits 2 naming the flag and `why`, and runs nothing.
fn refused(flag: &str, path: &str, why: &str) {
    let output = jostle(&["run", &story(), flag, path]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "a bad output path is bad input: {stderr}");
    assert!(stderr.contains(&format!("error: {flag} {path}: {why}")), "{stderr}");
    assert!(text(&output.stdout).is_empty(), "nothing runs when an output is refused");
}

#[test]
fn a_device_as_output_is_refused_and_left_a_device() {
    use std::os::unix::fs::FileTypeExt;
    refused("--html", "/dev/full", "is a device, not a regular file");
    let still = std::fs::metadata("/dev/full").expect("/dev/full");
    assert!(still.file_type().is_char_device(), "/dev/full must stay a device");
}

#[test]
fn a_fifo_as_output_is_refused_and_left_a_fifo() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("report.json");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    refused("--json", fifo.to_str().unwrap(), "is a FIFO, not a regular file");
    let still = std::fs::symlink_metadata(&fifo).expect("the FIFO is there");
    assert!(still.file_type().is_fifo(), "the FIFO must stay a FIFO");
}

#[test]
fn a_directory_as_output_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    refused("--json", dir.path().to_str().unwrap(), "is a directory, not a regular file");
    assert!(dir.path().is_dir(), "the folder must stay a folder");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "and stay empty");
}

#[test]
fn the_scenario_being_run_is_never_its_own_report() {
    let original = std::fs::read_to_string(story()).unwrap();
    let copy = TempFile::new("story.toml", &original);
    let output = jostle(&["run", copy.path(), "--json", copy.path()]);
    assert_eq!(output.status.code(), Some(2), "writing over the scenario is bad input");
    assert!(text(&output.stderr).contains("is the scenario being run"), "{}", text(&output.stderr));
    assert_eq!(std::fs::read_to_string(copy.path()).unwrap(), original, "the scenario is intact");
}

#[test]
fn a_symlink_to_the_scenario_is_refused_too() {
    let original = std::fs::read_to_string(story()).unwrap();
    let copy = TempFile::new("story.toml", &original);
    let link = Path::new(copy.path()).with_file_name("report.json");
    std::os::unix::fs::symlink(copy.path(), &link).unwrap();
    let output = jostle(&["run", copy.path(), "--json", link.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "a link to the scenario is the scenario");
    assert_eq!(std::fs::read_to_string(copy.path()).unwrap(), original, "the scenario is intact");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "link kept");
}

#[test]
fn json_and_html_to_the_same_file_are_refused() {
    let out = TempFile::new("report.out", "");
    let output = jostle(&["run", &story(), "--json", out.path(), "--html", out.path()]);
    assert_eq!(output.status.code(), Some(2), "two reports in one file is bad input");
    assert!(text(&output.stderr).contains("are the same file"), "{}", text(&output.stderr));
}

#[test]
fn a_symlink_output_writes_its_target_and_stays_a_symlink() {
    let target = TempFile::new("target.json", "old");
    let link = Path::new(target.path()).with_file_name("link.json");
    std::os::unix::fs::symlink(target.path(), &link).unwrap();
    let output = jostle(&["run", &story(), "--json", link.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(),
        "the symlink must not be replaced by a plain file"
    );
    let written = std::fs::read_to_string(target.path()).unwrap();
    let report: serde_json::Value = serde_json::from_str(&written).expect("whole JSON");
    assert_eq!(report["seed"], 37, "the report reaches the link's target");
}

#[test]
fn an_existing_report_keeps_its_permissions_and_is_replaced_whole() {
    use std::os::unix::fs::PermissionsExt;
    let old = TempFile::new("report.json", "old");
    std::fs::set_permissions(old.path(), std::fs::Permissions::from_mode(0o640)).unwrap();
    let output = jostle(&["run", GOOD, "--json", old.path()]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let mode = std::fs::metadata(old.path()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "a replaced report keeps the old file's permissions");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(old.path()).unwrap()).expect("whole JSON");
    assert_eq!(report["seed"], 7);
    let dir = Path::new(old.path()).parent().unwrap();
    assert_eq!(std::fs::read_dir(dir).unwrap().count(), 1, "no partial file is left behind");
}

#[test]
fn a_full_stdout_exits_1_with_a_message_not_a_panic() {
    for args in [&["run", GOOD][..], &["check", GOOD], &["list"]] {
        let full = std::fs::File::create("/dev/full").expect("/dev/full");
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_jostle"))
            .args(args)
            .stdout(full)
            .output()
            .expect("jostle runs");
        assert_eq!(output.status.code(), Some(1), "jostle {args:?} to a full stdout exits 1");
        assert!(
            text(&output.stderr).contains("error: cannot write to stdout: No space left on device"),
            "jostle {args:?} must say why: {}",
            text(&output.stderr)
        );
        assert!(!text(&output.stderr).contains("panic"), "and not panic");
    }
}

/// `jostle ARGS` exits 2 before any work, saying `says`, with nothing on stdout (where serve
/// announces its ports).
fn refused_before_work(args: &[&str], says: &str) {
    let output = jostle(args);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: a bad output path is bad input: {stderr}");
    assert!(stderr.contains(says), "{args:?}: must say `{says}`: {stderr}");
    assert!(text(&output.stdout).is_empty(), "{args:?}: nothing is served or run: {output:?}");
}

#[test]
fn serve_and_drive_refuse_a_fifo_as_json_before_serving() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("summary.json");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let fifo = fifo.to_str().unwrap();
    let says = format!("error: --json {fifo}: is a FIFO, not a regular file");
    refused_before_work(&["serve", "--duration", "30s", "--json", fifo], &says);
    let story = story();
    refused_before_work(&["drive", &story, "--control", "127.0.0.1:1", "--json", fifo], &says);
    let still = std::fs::symlink_metadata(fifo).expect("the FIFO is there");
    assert!(still.file_type().is_fifo(), "the FIFO must stay a FIFO");
}

#[test]
fn serve_and_drive_never_write_their_report_over_the_scenario() {
    let original = std::fs::read_to_string(story()).unwrap();
    let copy = TempFile::new("story.toml", &original);
    let path = copy.path();
    let says = "is the scenario being run";
    refused_before_work(&["serve", "--scenario", path, "--json", path], says);
    refused_before_work(&["drive", path, "--control", "127.0.0.1:1", "--json", path], says);
    assert_eq!(std::fs::read_to_string(path).unwrap(), original, "the scenario is intact");
}

#[test]
fn an_output_under_something_that_is_not_a_folder_is_refused_before_the_run() {
    let says = "/dev/null is a device, not a folder";
    refused_before_work(&["run", &story(), "--json", "/dev/null/report.json"], says);
    refused_before_work(&["run", &story(), "--html", "/dev/null/a/b.html"], says);
    refused_before_work(&["serve", "--duration", "30s", "--json", "/dev/null/x.json"], says);
}
