#!/bin/sh
# Builds pool_bench, starts the emulator, runs the pool benchmarks against
# PostgreSQL directly (static password, no TLS, no proxy) alternating with
# raw libpq and pgbench in the same run, then the event-loop pool (async,
# pipelined or not, 64 statements outstanding from one thread) against
# pgbench pipelined (64 statements per pipeline) and the sync pool, then the
# warm-up of open(wait) with 10 connections against one connect, and stops
# the emulator.
#   bench/run.sh [BUILD_DIR] [SECONDS] [ROUNDS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build-bench}
seconds=${2:-10}
rounds=${3:-2}

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target pool_bench lakebase_emulator >/dev/null

state=$build/bench-emulator
LAKEBASE_EMULATOR=$build/lakebase-emulator sh "$root/tests/emulator/start.sh" "$state" >/dev/null
trap 'sh "$root/tests/emulator/stop.sh" "$state" >/dev/null' EXIT INT TERM
. "$state/env"
export EMULATOR_DIRECT_HOST EMULATOR_DIRECT_PORT EMULATOR_DIRECT_PASSWORD DATABRICKS_CLIENT_ID

bench=$build/bench/pool_bench
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cpus, ${seconds}s per run, $rounds rounds"
"$bench" acquire 2000000
"$bench" acquire 2000000
for round in $(seq "$rounds"); do
    for n in 1 8 64; do
        "$bench" pool "$n" "$seconds"
        "$bench" raw "$n" "$seconds"
        tps=$(PGPASSWORD=$EMULATOR_DIRECT_PASSWORD pgbench -n -f "$here/select1.sql" \
            -c "$n" -j "$n" -T "$seconds" -h "$EMULATOR_DIRECT_HOST" -p "$EMULATOR_DIRECT_PORT" \
            -U "$DATABRICKS_CLIENT_ID" databricks_postgres 2>/dev/null |
            sed -n 's/^tps = \([0-9.]*\).*/\1/p')
        echo "pgbench_tps_$n $tps"
    done
done
pgbench_pipelined() { # CLIENTS -> statements/s (64 per pipeline)
    PGPASSWORD=$EMULATOR_DIRECT_PASSWORD pgbench -n -M extended \
        -f "$here/select1_pipeline.sql" -c "$1" -j "$1" -T "$seconds" \
        -h "$EMULATOR_DIRECT_HOST" -p "$EMULATOR_DIRECT_PORT" \
        -U "$DATABRICKS_CLIENT_ID" databricks_postgres 2>/dev/null |
        sed -n 's/^tps = \([0-9.]*\).*/\1/p' | awk '{printf "%.0f", $1 * 64}'
}
for round in $(seq "$rounds"); do
    "$bench" async 64 "$seconds" 1 1
    "$bench" async 64 "$seconds" 1 2
    "$bench" async 64 "$seconds" 0 8
    "$bench" pool 8 "$seconds"
    echo "pgbench_pipelined_sps_1 $(pgbench_pipelined 1)"
    echo "pgbench_pipelined_sps_2 $(pgbench_pipelined 2)"
done
"$bench" warmup 10 5 4
"$bench" warmup 10 5 10
