//! docs/CLAIMS.md maps each claim of the docs to the test that holds it: every test it names
//! exists in the file it names, so the table cannot point at a test that is gone.

const CLAIMS: &str = include_str!("../../docs/CLAIMS.md");

/// The `code` spans of a table row.
fn spans(row: &str) -> Vec<&str> {
    row.split('`').skip(1).step_by(2).collect()
}

#[test]
fn every_test_the_claims_table_names_exists_in_the_file_it_names() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut checked = 0;
    for row in CLAIMS.lines().filter(|line| line.starts_with("| ") && line.contains(".rs`")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        let Some(tests) = cells.last() else { continue };
        let mut file: Option<String> = None;
        for span in spans(tests) {
            if span.ends_with(".rs") {
                let text = std::fs::read_to_string(format!("{root}/{span}"))
                    .unwrap_or_else(|error| panic!("docs/CLAIMS.md names {span}: {error}"));
                file = Some(text);
                continue;
            }
            let Some(text) = &file else { continue };
            let names: Vec<String> = if let Some(prefix) = span.strip_suffix('*') {
                vec![prefix.to_owned()]
            } else {
                vec![format!("fn {span}("), format!("case::{span}(")]
            };
            assert!(
                names.iter().any(|name| text.contains(name.as_str())),
                "docs/CLAIMS.md names `{span}` in a file that has no such test:\n{row}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 50, "the table names at least 50 tests, found {checked}");
}
