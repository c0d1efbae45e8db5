#!/bin/sh
# The README's first command: start the local Lakebase emulator with 8-second
# credentials, show the CLI minting and logging in with psql, then run the
# demo programs across several token rotations (a connection per credential,
# then a pool under load that must not fail a single query, then the same
# with the Node package in an app), and shut everything down. Exits non-zero
# if any step fails.
# Usage: scripts/demo.sh BUILD_DIR
set -eu
build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
state=$(mktemp -d /tmp/lakebase-demo.XXXXXX)

stop() { sh "$root/tests/emulator/stop.sh" "$state" >/dev/null 2>&1 || true; rm -rf "$state"; }
trap stop EXIT INT TERM

echo "== starting the local Lakebase emulator (credentials live 8 s)"
LAKEBASE_EMULATOR="$build/lakebase-emulator" sh "$root/tests/emulator/start.sh" "$state" --ttl 8 >/dev/null
# shellcheck disable=SC1091
. "$state/env"
echo "   workspace $DATABRICKS_HOST, endpoint $LAKEBASE_ENDPOINT"
echo "   service principal $DATABRICKS_CLIENT_ID (its client id is its Postgres role)"

echo "== lakebase token --json (token redacted here)"
"$build/lakebase" token --json | sed 's/"token": *"[^"]*"/"token":"<redacted>"/'

echo "== lakebase psql -- -c 'select current_user, version()'"
"$build/lakebase" psql -- -X -A -t -c "select current_user || ' on ' || split_part(version(), ' ', 2)"

echo "== a new connection per second for 10 s, across token rotations"
"$build/credentials_demo" 10

echo "== a pool: 8 callers for 20 s, connections retired after ~3 s, tokens rotating every ~6 s"
"$build/pool_demo" 20 3

echo "== the Node package: an app with 8 callers for 15 s, a transaction every 4 s, connections retired after ~3 s"
# Stage the package against this build (the library installed into
# BUILD/node-stage, the package npm ci'd and its addon built in
# BUILD/node-pkg; ~15 s), then install it into a fresh app as a user would.
# --ignore-scripts: stage has already built the addon the link points at.
sh "$root/tests/node/node.sh" stage "$build"
mkdir "$state/app"
cp "$root/node/examples/demo.mjs" "$state/app/"
echo '{ "name": "lakebase-demo-app", "private": true, "type": "module" }' >"$state/app/package.json"
(cd "$state/app" && npm install --prefer-offline --ignore-scripts --no-audit --no-fund \
    "$build/node-pkg" >npm-install.log 2>&1) || { tail -20 "$state/app/npm-install.log"; exit 1; }
(cd "$state/app" && node demo.mjs 15 8 3)

echo "== emulator stats"
curl -s --cacert "$LAKEBASE_CA_FILE" "$EMULATOR_URL/emulator/stats"
echo
