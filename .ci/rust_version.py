#!/usr/bin/env python3
"""Fails when a workspace package's `rust-version` is below what its dependency tree needs.

Usage: python3 .ci/rust_version.py [METADATA.json]
Reads `cargo metadata --format-version 1` output (runs it when no file is given), takes the
highest `rust-version` any non-workspace package declares, and exits 1 naming every workspace
package that declares less (or none), and the dependency that needs more. Exit 0 prints the
version both agree on. `--self-test` checks that a dependency declaring more is refused.
"""
import json
import subprocess
import sys


def version(text):
    """`1.88` or `1.88.0` as a comparable tuple; None for no rust-version."""
    if not text:
        return None
    return tuple(int(part) for part in text.split("."))


def shown(parts):
    return ".".join(str(part) for part in parts)


def problems(metadata):
    """(message lines, needed version) for the metadata given."""
    members = set(metadata["workspace_members"])
    needed, needer = (0,), None
    for package in metadata["packages"]:
        if package["id"] in members:
            continue
        declared = version(package.get("rust_version"))
        if declared is not None and declared > needed:
            needed, needer = declared, f'{package["name"]} {package["version"]}'
    found = []
    for package in metadata["packages"]:
        if package["id"] not in members:
            continue
        declared = version(package.get("rust_version"))
        if declared is None or declared < needed:
            found.append(
                f'{package["name"]}: rust-version {package.get("rust_version") or "(none)"} '
                f"is below {shown(needed)}, which {needer} declares: raise it in Cargo.toml "
                "(and the README's toolchain line)"
            )
    return found, needed


def self_test(metadata):
    """A dependency declaring a higher version than the workspace must be refused."""
    members = set(metadata["workspace_members"])
    raised = json.loads(json.dumps(metadata))
    for package in raised["packages"]:
        if package["id"] not in members:
            package["rust_version"] = "9.99"
            break
    found, _ = problems(raised)
    if not found:
        print("rust_version.py accepted a dependency needing Rust 9.99", file=sys.stderr)
        return 1
    return 0


def main(args):
    test = "--self-test" in args
    files = [arg for arg in args if arg != "--self-test"]
    if files:
        with open(files[0], encoding="utf-8") as file:
            metadata = json.load(file)
    else:
        output = subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        metadata = json.loads(output)
    if test:
        return self_test(metadata)
    found, needed = problems(metadata)
    for line in found:
        print(line, file=sys.stderr)
    if found:
        return 1
    print(f"rust-version {shown(needed)}: what the dependency tree needs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
