#!/bin/sh
# The README's first command: builds the CLI and the demo programs, starts
# the local Lakebase emulator with 8-second credentials, mints one with the
# CLI and logs in with psql, opens a new connection per second across token
# rotations, runs a pool under load through two faults (a throttled
# background refresh and a cold start), packs the npm package and installs
# it into a fresh app that runs under load too, then gives a one-line
# verdict. Exits non-zero if any step fails. Build and install output goes to
# log files, shown only on failure.
# Usage: scripts/demo.sh BUILD_DIR
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "${1:-build}"
build=$(cd "${1:-build}" && pwd)
state=$(mktemp -d /tmp/lakebase-demo.XXXXXX)
started=$(date +%s)
step_name="starting"
summary=""

finish() {
    status=$?
    sh "$root/tests/emulator/stop.sh" "$state/emulator" >/dev/null 2>&1 || true
    rm -rf "$state"
    elapsed=$(($(date +%s) - started))
    echo
    if [ "$status" = 0 ]; then
        echo "== verdict: OK in ${elapsed} s. $summary"
    else
        echo "== verdict: FAILED at \"$step_name\" after ${elapsed} s (exit status $status)" >&2
    fi
    exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

step() {
    step_name=$1
    echo
    echo "== $1"
}

# quietly LOG COMMAND...: runs it with its output in LOG, shown on failure.
quietly() {
    log=$1
    shift
    if ! "$@" >"$log" 2>&1; then
        tail -40 "$log" >&2
        echo "(the whole output is in $log)" >&2
        return 1
    fi
}

step "building the lakebase CLI, the two C demo programs and the emulator (cmake; log: $build/demo-build.log)"
quietly "$build/demo-build.log" sh -c "cmake -S '$root' -B '$build' -DLAKEBASE_WERROR=ON &&
    cmake --build '$build' -j2 --target lakebase_cli credentials_demo pool_demo lakebase_emulator"
echo "   built in $(($(date +%s) - started)) s"

step "starting the local Lakebase emulator (credentials live 8 s)"
LAKEBASE_EMULATOR="$build/lakebase-emulator" sh "$root/tests/emulator/start.sh" "$state/emulator" \
    --ttl 8 >/dev/null
# shellcheck disable=SC1091
. "$state/emulator/env"
echo "   workspace $DATABRICKS_HOST, endpoint $LAKEBASE_ENDPOINT"
echo "   service principal $DATABRICKS_CLIENT_ID (its client id is its Postgres role)"
control() { # PATH [JSON]: the emulator's control API
    if [ $# -gt 1 ]; then
        curl -sSf --cacert "$LAKEBASE_CA_FILE" -X POST -d "$2" "$EMULATOR_URL/emulator/$1" >/dev/null
    else
        curl -sSf --cacert "$LAKEBASE_CA_FILE" "$EMULATOR_URL/emulator/$1"
    fi
}

step "lakebase token --json (the token redacted here)"
"$build/lakebase" token --json | sed 's/"token": *"[^"]*"/"token":"<redacted>"/'

sql="select current_user || ' on PostgreSQL ' || current_setting('server_version')"
step "lakebase psql -- -c \"$sql\""
"$build/lakebase" psql -- -X -A -t -c "$sql"

step "credentials_demo 8: a new connection per second for 8 s, across a token rotation"
"$build/credentials_demo" 8

step "pool_demo 14 3: 8 callers for 14 s, connections retired after ~3 s, tokens refreshed ~6 s after each mint; two faults injected on the way"
(
    sleep 3
    control knobs '{"mint_failures": [{"status": 429, "retry_after": 1, "count": 1}]}'
    echo "   >> fault: the workspace API answers the next credential request (the background refresh, while the token is still valid) with HTTP 429, Retry-After: 1"
    sleep 5
    control knobs '{"cold_start": {"seconds": 3, "mode": "57P03"}}'
    echo "   >> fault: the database cold-starts for 3 s, answering every new login 57P03, while connections retire"
) &
faults=$!
"$build/pool_demo" 14 3
wait "$faults"
stats=$(control stats)
throttled=$(echo "$stats" | sed 's/.*"mints":{[^}]*"failed":\([0-9]*\).*/\1/')
cold=$(echo "$stats" | sed 's/.*"cold_start":\([0-9]*\).*/\1/')
if [ "$throttled" -lt 1 ] || [ "$cold" -lt 1 ]; then
    echo "demo: the faults did not happen (throttled mints $throttled, cold-start refusals $cold)" >&2
    exit 1
fi
echo "   survived: $throttled throttled credential request(s), $cold login(s) refused during the cold start, no query failed"

step "npm pack node/, then npm install the tarball into a fresh app (the addon compiles the C sources; log: $build/demo-npm.log)"
mkdir -p "$state/app"
quietly "$build/demo-npm.log" sh -c "cd '$root/node' && npm pack --pack-destination '$state'"
tarball=$(ls "$state"/lakebase-connector-*.tgz)
cp "$root/node/examples/demo.mjs" "$state/app/"
echo '{ "name": "lakebase-demo-app", "private": true, "type": "module" }' >"$state/app/package.json"
quietly "$build/demo-npm.log" sh -c "cd '$state/app' &&
    npm install --prefer-offline --no-audit --no-fund '$tarball'"
echo "   installed $(basename "$tarball") ($(du -k "$tarball" | cut -f1) kB)"

step "node demo.mjs 10 8 3: 8 callers for 10 s, a transaction every 4 s, connections retired after ~3 s"
(cd "$state/app" && node demo.mjs 10 8 3)

summary="CLI, psql, a connection per credential, a pool through a throttled refresh and a cold start, and the Node app: no query failed."
