# Shared by the integration tests: sourced, never run. Needs
# LAKEBASE_EMULATOR_ENV_FILE (the running emulator's environment) and
# LAKEBASE_CLI (the built lakebase executable); ctest sets both.

set -eu

: "${LAKEBASE_EMULATOR_ENV_FILE:?set by ctest: the emulator environment file}"
: "${LAKEBASE_CLI:?set by ctest: path of the lakebase executable}"

# shellcheck disable=SC1090
. "$LAKEBASE_EMULATOR_ENV_FILE"

if ! command -v psql >/dev/null 2>&1; then
    echo "SKIP: psql is not installed (apt-get install postgresql-client)"
    exit 77
fi

TEST_NAME=$(basename "$0" .sh)
TEST_TMP=$(mktemp -d)
trap 'rm -rf "$TEST_TMP"' EXIT INT TERM
# A home of its own: no ~/.databrickscfg, no ~/.pgpass, as on a new machine.
mkdir "$TEST_TMP/home"
CLI_DIR=$(cd "$(dirname "$LAKEBASE_CLI")" && pwd)
# What a new user types: a bare host name, as DATABRICKS_HOST often is.
BARE_HOST=${DATABRICKS_HOST#https://}

fail() {
    echo "FAIL $TEST_NAME: $*" >&2
    exit 1
}

# Runs "$@" with only PATH (lakebase first), HOME and the given NAME=value
# words in the environment. PGPORT is added when the emulator needs it.
clean_env() {
    env -i PATH="$CLI_DIR:$PATH" HOME="$TEST_TMP/home" \
        ${PGPORT:+"PGPORT=$PGPORT"} "$@"
}

# The emulator's control API, through python3 (always installed; curl may
# not be). Prints the answer's body.
emulator_api() { # METHOD PATH
    python3 -c '
import ssl, sys, urllib.request
method, url, ca = sys.argv[1:4]
ctx = ssl.create_default_context(cafile=ca)
data = b"" if method == "POST" else None
req = urllib.request.Request(url, data=data, method=method)
with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
    sys.stdout.write(resp.read().decode())' "$1" "$EMULATOR_URL$2" "$LAKEBASE_CA_FILE" ||
        fail "emulator $1 $2 failed"
}

emulator_reset() {
    emulator_api POST /emulator/reset >/dev/null
}

# Prints one counter of GET /emulator/stats, by dot path (logins.accepted).
emulator_stat() {
    stats=$(emulator_api GET /emulator/stats)
    printf '%s' "$stats" | python3 -c '
import json, sys
node = json.load(sys.stdin)
for part in sys.argv[1].split("."):
    node = node[part]
print(node)' "$1" || fail "emulator stats have no $1"
}

expect_eq() { # WHAT ACTUAL EXPECTED
    [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

# Prints one field of the JSON object on stdin.
json_field() {
    python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}
