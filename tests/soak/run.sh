#!/bin/sh
# The long soak: starts an emulator of its own, runs the soak harness for
# DURATION seconds with the long-run settings (extra harness flags after
# it override them), writes the report next to the build and stops the
# emulator.
#   tests/soak/run.sh BUILD_DIR DURATION [soak flags...]
# `make soak DURATION=1800` runs it on the normal build.
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 BUILD_DIR DURATION [soak flags...]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
duration=$2
shift 2

cmake --build "$build" -j2 --target soak lakebase_emulator >/dev/null
state=$build/soak-emulator
report=$build/soak-report.md
# The emulator outlives the run by half an hour (its safety net).
LAKEBASE_EMULATOR=$build/lakebase-emulator sh "$root/tests/emulator/start.sh" "$state" \
    --max-lifetime "$((duration + 1800))s" >/dev/null
trap 'sh "$root/tests/emulator/stop.sh" "$state" >/dev/null' EXIT INT TERM

echo "# soak: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
status=0
# SOAK_WRAP runs the harness under a tool, e.g. 'heaptrack -o FILE'.
LAKEBASE_EMULATOR_ENV_FILE=$state/env ${SOAK_WRAP:-} "$build/tests/soak/soak" \
    --duration "$duration" --callers 8 --ttl 15 --gap 10 --fault-seconds 3 \
    --warmup 120 --report "$report" "$@" || status=$?
echo "# report: $report (exit $status)"
exit "$status"
