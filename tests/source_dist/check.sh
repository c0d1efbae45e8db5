#!/bin/sh
# The source distribution on its own: write it, build the library from it
# with only its manifest (consumer/CMakeLists.txt), and run the unit tests
# against that build.
#   check.sh WORK_DIR
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$1
rm -rf "$work"
mkdir -p "$work"
cmake -D OUT="$work/dist" -P "$root/scripts/source-dist.cmake"
cmake -S "$here/consumer" -B "$work/build" -DDIST="$work/dist" \
    -DUNIT_TESTS="$root/tests/unit" >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" -j2 >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
ctest --test-dir "$work/build" --output-on-failure
