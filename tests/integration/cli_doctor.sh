#!/bin/sh
# lakebase doctor against the emulator: a healthy set-up passes, and each
# failure class is named — the failing step, its cause and its fix — with
# the CLI's exit status, and never a secret in the output.
. "$(dirname "$0")/lib.sh"

BAD_SECRET=doctor-wrong-secret-5c1e

sp_env() {
    clean_env DATABRICKS_HOST="$BARE_HOST" \
        DATABRICKS_CLIENT_ID="$DATABRICKS_CLIENT_ID" \
        DATABRICKS_CLIENT_SECRET="$DATABRICKS_CLIENT_SECRET" \
        LAKEBASE_CA_FILE="$LAKEBASE_CA_FILE" PGSSLROOTCERT="$PGSSLROOTCERT" \
        LAKEBASE_ENDPOINT="$LAKEBASE_ENDPOINT" "$@"
}

knobs() { # JSON
    python3 -c '
import ssl, sys, urllib.request
url, ca, body = sys.argv[1:4]
ctx = ssl.create_default_context(cafile=ca)
req = urllib.request.Request(url, data=body.encode(), method="POST")
urllib.request.urlopen(req, context=ctx, timeout=10).read()' \
        "$EMULATOR_URL/emulator/knobs" "$LAKEBASE_CA_FILE" "$1" ||
        fail "setting knobs $1 failed"
}

# Runs lakebase doctor --json with the given environment; keeps the JSON.
doctor() {
    set +e
    # shellcheck disable=SC2086
    "$@" lakebase ${DOCTOR_FLAGS:-} doctor --json >"$TEST_TMP/out" 2>"$TEST_TMP/err"
    status=$?
    set -e
    for secret in "$DATABRICKS_CLIENT_SECRET" "$BAD_SECRET" "$EMULATOR_USER_TOKEN"; do
        if grep -qF -- "$secret" "$TEST_TMP/out" "$TEST_TMP/err"; then
            fail "doctor printed a secret"
        fi
    done
}

# Prints "verdict|error|detail|fix" of one step of the last report.
step() { # NAME
    python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
for s in report["steps"]:
    if s["name"] == sys.argv[2]:
        print("|".join([s["verdict"], s["error"], s["detail"], s["fix"]]).replace("\n", " "))
        break
else:
    sys.exit("no step " + sys.argv[2])' "$TEST_TMP/out" "$1" || fail "no step $1 in: $(cat "$TEST_TMP/out")"
}

# The first failed step of the last report.
first_failure() {
    python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
print(next((s["name"] for s in report["steps"] if s["verdict"] == "fail"), ""))' "$TEST_TMP/out"
}

expect_step() { # CASE NAME VERDICT TEXT... (each TEXT in detail or fix)
    what=$1 name=$2 verdict=$3
    shift 3
    got=$(step "$name")
    case "$got" in
        "$verdict"\|*) ;;
        *) fail "$what: step $name is '$got', expected $verdict" ;;
    esac
    for text in "$@"; do
        case "$got" in
            *"$text"*) ;;
            *) fail "$what: step $name does not say '$text': $got" ;;
        esac
    done
}

expect_exit() { # CASE STATUS FIRST-FAILED-STEP
    [ "$status" -eq "$2" ] || fail "$1: exit $status, expected $2: $(cat "$TEST_TMP/out" "$TEST_TMP/err")"
    expect_eq "$1: first failed step" "$(first_failure)" "$3"
    python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); sys.exit(r["exit_code"] != int(sys.argv[2]))' \
        "$TEST_TMP/out" "$2" || fail "$1: exit_code in the JSON is not $2"
}

emulator_reset

# A healthy set-up: every step passes, down to SELECT 1.
doctor sp_env
expect_exit "healthy" 0 ""
expect_step "healthy" settings ok "LAKEBASE_ENDPOINT" "auth.client_secret = (secret, not shown)"
expect_step "healthy" auth ok "OAuth M2M" "DATABRICKS_CLIENT_SECRET"
expect_step "healthy" endpoint ok "state ACTIVE"
expect_step "healthy" credential ok "minted a database credential for role $DATABRICKS_CLIENT_ID"
expect_step "healthy" tls ok "TLS"
expect_step "healthy" login ok "logged in as $DATABRICKS_CLIENT_ID"
expect_step "healthy" query ok "SELECT 1 returned 1"
# ... and the text form says so too.
set +e
sp_env lakebase doctor >"$TEST_TMP/text" 2>&1
text_status=$?
set -e
expect_eq "healthy text exit" "$text_status" 0
grep -q "^ok    query" "$TEST_TMP/text" || fail "healthy text: $(cat "$TEST_TMP/text")"

# Wrong secret: the workspace refuses the service principal.
doctor sp_env DATABRICKS_CLIENT_SECRET="$BAD_SECRET"
expect_exit "wrong secret" 77 auth
expect_step "wrong secret" auth fail "invalid_client" "auth.client_secret"

# A workspace token (a PAT) given as the Postgres password, with nothing
# else to log in with: the trap is the cause, ahead of the settings.
doctor clean_env DATABRICKS_HOST="$BARE_HOST" LAKEBASE_CA_FILE="$LAKEBASE_CA_FILE" \
    PGHOST="$EMULATOR_PROXY_HOST" PGUSER="$EMULATOR_USER_EMAIL" \
    PGPASSWORD="$EMULATOR_USER_TOKEN" PGSSLMODE=require
expect_exit "workspace token as password" 77 password_is_workspace_token
expect_step "workspace token as password" password_is_workspace_token fail \
    "PGPASSWORD" "personal access token" "not a database credential" "LAKEBASE_ENDPOINT"
# ... and psql, which does send it, is refused exactly so.
set +e
clean_env PGHOST="$EMULATOR_PROXY_HOST" PGUSER="$EMULATOR_USER_EMAIL" \
    PGPASSWORD="$EMULATOR_USER_TOKEN" PGSSLMODE=require PGDATABASE=databricks_postgres \
    psql -c 'SELECT 1' >/dev/null 2>"$TEST_TMP/psql"
set -e
grep -q "workspace_token" "$TEST_TMP/psql" || fail "psql with a PAT: $(cat "$TEST_TMP/psql")"
# Beside an endpoint the library mints and logs in, but the trap still
# fails the check: every other tool in this environment sends the PAT.
doctor sp_env PGPASSWORD="$EMULATOR_USER_TOKEN"
expect_exit "workspace token in PGPASSWORD beside minting" 77 password_is_workspace_token
expect_step "workspace token in PGPASSWORD beside minting" login ok "logged in as $DATABRICKS_CLIENT_ID"

# An endpoint that does not exist.
doctor sp_env LAKEBASE_ENDPOINT=projects/emulator/branches/main/endpoints/nope
expect_exit "unknown endpoint" 69 endpoint
expect_step "unknown endpoint" endpoint fail "does not exist" "lakebase.endpoint (from LAKEBASE_ENDPOINT)"

# PGUSER of another identity than the one that mints.
doctor sp_env PGUSER="$EMULATOR_OTHER_CLIENT_ID"
expect_exit "wrong role" 77 role
expect_step "wrong role" role fail "$EMULATOR_OTHER_CLIENT_ID (from PGUSER)" \
    "minted for $DATABRICKS_CLIENT_ID" "unset pg.user (PGUSER)"
expect_step "wrong role" login fail "28P01" "wrong_identity"

# The endpoint scaled to zero, still waking when doctor connects.
knobs '{"cold_start": {"seconds": 120, "mode": "refuse"}}'
doctor sp_env
expect_exit "scaled to zero" 69 tcp
expect_step "scaled to zero" endpoint warn "scaled to zero" "state INIT"
expect_step "scaled to zero" tcp fail "scaled to zero and still waking" "retry in a few seconds"
emulator_reset

# TLS: the workspace's certificate is not trusted (no CA bundle given).
doctor clean_env DATABRICKS_HOST="$BARE_HOST" \
    DATABRICKS_CLIENT_ID="$DATABRICKS_CLIENT_ID" \
    DATABRICKS_CLIENT_SECRET="$DATABRICKS_CLIENT_SECRET" \
    LAKEBASE_ENDPOINT="$LAKEBASE_ENDPOINT"
expect_exit "TLS failure" 69 workspace
expect_step "TLS failure" workspace fail "over verified TLS" "http.ca_file (LAKEBASE_CA_FILE)"

# This machine's clock an hour off the workspace's.
knobs '{"clock_skew_seconds": -3600}'
doctor sp_env
expect_exit "skewed clock" 78 clock_skew
expect_step "skewed clock" clock_skew fail "3600 s ahead of the workspace's" "NTP"
expect_step "skewed clock" query ok "SELECT 1 returned 1"
emulator_reset

# PGPASSWORD beside an explicit endpoint: ignored by the library (0.3), but
# a trap for every other tool started from the same shell.
DOCTOR_FLAGS="--endpoint $LAKEBASE_ENDPOINT"
doctor sp_env PGPASSWORD=leftover-static-password
DOCTOR_FLAGS=
expect_exit "PGPASSWORD beside minting" 0 ""
expect_step "PGPASSWORD beside minting" pgpassword_beside_minting warn \
    "PGPASSWORD is set" "unset PGPASSWORD"

echo "ok $TEST_NAME"
