//! Every fixture in fixtures/ is a valid scenario, and no damaged copy of one panics the parser.

use jostle_harness::scenario;
use rstest::rstest;
use std::path::PathBuf;

#[rstest]
fn every_fixture_is_a_valid_scenario(#[files("../fixtures/*.toml")] path: PathBuf) {
    let story = scenario::load(&path)
        .unwrap_or_else(|error| panic!("fixture {} must be valid: {error}", path.display()));
    assert!(!story.name().is_empty(), "fixture {} must have a name", path.display());
    let text = std::fs::read_to_string(&path).expect("readable fixture");
    assert!(
        text.starts_with("# origin: "),
        "fixture {} must open with a `# origin: ` comment saying where the story comes from",
        path.display()
    );
}

#[test]
fn there_are_at_least_eight_fixtures() {
    let fixtures = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures"))
        .expect("fixtures/ exists")
        .filter(|entry| {
            entry.as_ref().is_ok_and(|entry| entry.path().extension().is_some_and(|e| e == "toml"))
        })
        .count();
    assert!(fixtures >= 8, "fixtures/ must hold at least 8 stories, has {fixtures}");
}

#[rstest]
fn every_prefix_of_a_fixture_parses_or_fails_without_panicking(
    #[files("../fixtures/*.toml")] path: PathBuf,
) {
    let text = std::fs::read_to_string(&path).expect("readable fixture");
    for (end, _) in text.char_indices() {
        let prefix = &text[..end];
        if let Err(error) = scenario::parse(prefix, "prefix.toml") {
            assert!(
                error.to_string().starts_with("prefix.toml:"),
                "every error must name the file and place; got {error}"
            );
        }
    }
}
