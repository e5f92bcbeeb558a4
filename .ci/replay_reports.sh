#!/bin/sh
# Plays every fixture and battery file with `jostle run --json` into DIR, one JSON report
# per file, to compare a redesign's reports byte for byte with the ones before it.
# Usage: .ci/replay_reports.sh JOSTLE_BINARY DIR   then: diff -r BEFORE_DIR AFTER_DIR
set -u
bin=$1; out=$2
mkdir -p "$out"
for file in fixtures/*.toml fixtures/battery/*.toml fixtures/grpc/*.toml; do
    name=$(echo "$file" | tr / _)
    "$bin" run --json "$out/$name.json" "$file" > "$out/$name.txt" 2>&1
    echo "$? $file" >> "$out/exit-codes"
done
