#!/bin/sh
# Regenerates the Go package's copy of the C library (go/*.c, go/*.h and
# go/cgo_bundled.go) from a fresh source distribution: `make go-sources`,
# then commit go/. Run it after changing core/, bindings/src/ or include/.
#   scripts/go-sources.sh [GO_PACKAGE_DIR]     (default: this checkout's go/)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/go}
dist=$(mktemp -d)
trap 'rm -rf "$dist"' EXIT
cmake -D OUT="$dist/src" -P "$root/scripts/source-dist.cmake" >/dev/null
cmake -D DIST="$dist/src" -D OUT="$out" -P "$root/scripts/go-sources.cmake"
