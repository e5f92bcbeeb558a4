//! The printed report that README.md and docs/REPORT.md show is the real output of the story
//! they name, fixtures/article-restart.toml, played here: README.md shows it with the passing
//! expectations cut to `  ...`, docs/REPORT.md in full. `JOSTLE_BLESS=1` rewrites both blocks
//! from the run when a change of the report is meant.

use jostle_harness::load::Progress;
use jostle_harness::{runner, scenario};
use std::path::Path;

const FIXTURE: &str = "fixtures/article-restart.toml";
const RERUN: &str = "cargo test --test balancers readme::report_block";

/// The ```text block of `doc` that starts with the report's first line, as byte offsets of its
/// body (after the fence's line, up to the closing fence).
fn block(doc: &str, first_line: &str) -> Option<(usize, usize)> {
    let start = doc.find(&format!("```text\n{first_line}\n"))? + "```text\n".len();
    let end = start + doc[start..].find("```\n")?;
    Some((start, end))
}

/// The report as the README shows it: every passing expectation cut, one `  ...` in their place.
fn abridged(report: &str) -> String {
    let mut out = String::new();
    let mut cut = false;
    for line in report.lines() {
        if line.starts_with("  pass ") {
            cut = true;
            continue;
        }
        if cut && !line.starts_with("  ") {
            out.push_str("  ...\n");
            cut = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Checks (or with `JOSTLE_BLESS`, rewrites) the block of `file` that shows `wanted`.
fn compare(file: &str, wanted: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let doc =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file} must be readable: {e}"));
    let first_line = wanted.lines().next().unwrap_or_default();
    let (start, end) = block(&doc, first_line).unwrap_or_else(|| {
        panic!(
            "{file} must show the report of {FIXTURE} in a ```text block starting {first_line:?}"
        )
    });
    if doc[start..end] == *wanted {
        return;
    }
    if std::env::var_os("JOSTLE_BLESS").is_some() {
        let blessed = format!("{}{wanted}{}", &doc[..start], &doc[end..]);
        std::fs::write(&path, blessed).unwrap_or_else(|e| panic!("{file} must be writable: {e}"));
        return;
    }
    panic!(
        "{file}'s report block must be the real output of `jostle run {FIXTURE}` (no copied \
         numbers); regenerate it with JOSTLE_BLESS=1 {RERUN}\n--- {file} shows:\n{}\n--- the \
         run prints:\n{wanted}",
        &doc[start..end]
    );
}

#[test]
fn the_readme_and_report_docs_show_the_real_printed_report_of_the_article_story() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    let loaded = scenario::load(&path).unwrap_or_else(|e| panic!("{FIXTURE}: {e}"));
    let replay = format!("jostle run {FIXTURE}");
    let report = runner::runtime(&loaded)
        .unwrap()
        .block_on(runner::run_with(&loaded, &replay, &Progress::new()))
        .unwrap_or_else(|e| panic!("{FIXTURE} must run: {e}"));
    let printed = format!("{report}\n");
    compare("docs/REPORT.md", &printed);
    compare("README.md", &abridged(&printed));
}

#[test]
fn the_readme_form_cuts_passing_expectations_to_one_ellipsis() {
    let report = "x\nexpectations:\n  pass a: one\n  FAIL b: two\n  pass c: three\nverdict\n";
    assert_eq!(abridged(report), "x\nexpectations:\n  FAIL b: two\n  ...\nverdict\n");
}
