#!/usr/bin/env bash
# A user's crate, outside the workspace, built against the packaged crates: the check that what
# users get works. Needs `cargo package --workspace` first (target/package/*.crate). Unpacks
# both .crate files into a temp dir, makes a new crate depending on them (lean: no default
# features), and runs the README's first test and its conformance example there.
# CARGO_TARGET_DIR is the workspace's target dir, so that the dependencies the packaging's
# verification built are reused. Prints how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)"
for name in jostle jostle-harness; do
  if [ ! -f "target/package/$name-$version.crate" ]; then
    echo "target/package/$name-$version.crate is missing: run cargo package --workspace first" >&2
    exit 1
  fi
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for name in jostle jostle-harness; do
  tar -xzf "target/package/$name-$version.crate" -C "$work"
done
crate="$work/user-crate"
mkdir -p "$crate/src" "$crate/tests"
cat >"$crate/Cargo.toml" <<TOML
[package]
name = "user-crate"
version = "0.1.0"
edition = "2024"
publish = false

[dev-dependencies]
jostle = { path = "../jostle-$version", default-features = false }
jostle-harness = { path = "../jostle-harness-$version", default-features = false }
rstest = { version = "0.26", default-features = false }
tokio = { version = "1.54", features = ["macros", "rt", "test-util"] }

# The packaged harness asks for jostle from the registry: take the packaged one.
[patch.crates-io]
jostle = { path = "../jostle-$version" }
TOML
# The workspace's dev profile (the runtime crates optimised, as the README advises a user to
# do): the battery's calls run fast, and dependencies built for the workspace are reused.
python3 - Cargo.toml >>"$crate/Cargo.toml" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
for table in re.findall(r"^\[profile\.dev[^\n]*\]\n(?:[^\[#\n][^\n]*\n)*", text, re.M):
    print(table)
PY
echo "//! A user's crate." >"$crate/src/lib.rs"
# The README's examples, byte for byte (tests/readme/main.rs holds them equal to the README).
cp tests/readme/first_test.rs "$crate/tests/first_test.rs"
cp tests/conformance/readme.rs "$crate/tests/conformance.rs"
# The workspace's versions, so that the build reuses what is built already.
cp Cargo.lock "$crate/Cargo.lock"
started="$(date +%s)"
(cd "$crate" && CARGO_TARGET_DIR="$root/target" cargo test --quiet)
echo "user crate: built and passed in $(( $(date +%s) - started )) s"
