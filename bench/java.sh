#!/bin/sh
# Java pool benchmark: builds the Java binding (jni/, with its bench module)
# against a Release build, starts the emulator, runs jni/bench's PoolBench
# (LakebasePool, LakebaseDataSource + HikariCP, HikariCP + pgjdbc; direct
# PostgreSQL, static password, alternating rounds) and stops the emulator.
#   bench/java.sh [BUILD_DIR] [THREADS] [SECONDS] [ROUNDS] [ONLY] [SQL]
# ONLY: comma-separated contenders to run (default or empty: all; see
# PoolBench). SQL: the statement instead of SELECT 1 (every cell is read).
# LAKEBASE_BENCH_JVM_FLAGS adds JVM flags (a JFR recording, for example).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build-bench}
threads=${2:-8}
seconds=${3:-5}
rounds=${4:-5}

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
build=$(cd "$build" && pwd)
cmake --build "$build" -j2 --target lakebase_jni lakebase_emulator >/dev/null
# One reactor run, so bench resolves lakebase-jdbc from this build: every
# module writes its class path to the same file, bench (the last) wins.
mvn -B -q --no-transfer-progress -f "$root/jni/pom.xml" -Dlakebase.native.dir="$build/jni" -DskipTests \
    package dependency:build-classpath -Dmdep.outputFile="$build/bench-java.classpath"

state=$build/bench-java-emulator
LAKEBASE_EMULATOR=$build/lakebase-emulator sh "$root/tests/emulator/start.sh" "$state" >/dev/null
trap 'sh "$root/tests/emulator/stop.sh" "$state" >/dev/null' EXIT INT TERM

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(java -version 2>&1 | head -1)"
java -cp "$root/jni/bench/target/classes:$(cat "$build/bench-java.classpath")" ${LAKEBASE_BENCH_JVM_FLAGS:-} \
    io.lakebase.bench.PoolBench "$state/env" "$threads" "$seconds" "$rounds" "${5:-}" "${6:-}"
