//! The README's toolchain line names the `rust-version` of Cargo.toml, which .ci/rust_version.py
//! holds to what the dependency tree needs.

#[test]
fn the_readme_names_the_rust_version_of_the_manifest() {
    let readme = include_str!("../../README.md");
    let wanted = format!("(Rust {}+;", env!("CARGO_PKG_RUST_VERSION"));
    assert!(
        readme.contains(&wanted),
        "README.md's quick start must say {wanted:?}, the workspace's rust-version: change one \
         with the other"
    );
}
