#!/bin/sh
# Runs every libFuzzer target for RUNS executions on a scratch copy of its
# committed corpus. Usage: scripts/fuzz.sh BUILD_DIR RUNS
set -eu
build="$1"; runs="$2"
root=$(cd "$(dirname "$0")/.." && pwd)
for bin in "$build"/tests/fuzz_*; do
  case "$bin" in *_replay) continue ;; esac
  [ -x "$bin" ] || continue
  name=$(basename "$bin" | sed 's/^fuzz_//')
  work=$(mktemp -d)
  cp "$root/tests/fuzz/corpus/$name"/* "$work"/ 2>/dev/null || true
  echo "== $name: $runs runs"
  "$bin" -runs="$runs" -max_len=4096 "$work" 2>&1 | tail -n 2
  rm -rf "$work"
done
