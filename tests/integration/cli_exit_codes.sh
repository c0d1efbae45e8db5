#!/bin/sh
# Every failure class ends with its documented exit status and one line on
# stderr that never holds a secret.
. "$(dirname "$0")/lib.sh"

BAD_SECRET=integration-wrong-secret-7f3a

sp_env() {
    clean_env DATABRICKS_HOST="$BARE_HOST" \
        DATABRICKS_CLIENT_ID="$DATABRICKS_CLIENT_ID" \
        DATABRICKS_CLIENT_SECRET="$DATABRICKS_CLIENT_SECRET" \
        LAKEBASE_CA_FILE="$LAKEBASE_CA_FILE" "$@"
}

# Runs "$@", keeping its stdout, stderr and exit status.
run() {
    set +e
    "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
    status=$?
    set -e
}

expect_failure() { # WHAT STATUS
    err=$(cat "$TEST_TMP/err")
    [ "$status" -eq "$2" ] || fail "$1: exit $status, expected $2; stderr: $err"
    [ ! -s "$TEST_TMP/out" ] || fail "$1: printed on stdout"
    lines=$(wc -l <"$TEST_TMP/err")
    [ "$lines" -eq 1 ] || fail "$1: $lines lines on stderr, expected 1: $err"
    case "$err" in
        lakebase:*) ;;
        *) fail "$1: stderr does not start with 'lakebase:': $err" ;;
    esac
    for secret in "$DATABRICKS_CLIENT_SECRET" "$BAD_SECRET" "$EMULATOR_USER_TOKEN"; do
        if grep -qF -- "$secret" "$TEST_TMP/err"; then
            fail "$1: stderr holds a secret"
        fi
    done
}

expect_stderr_names() { # WHAT TEXT
    grep -qF -- "$2" "$TEST_TMP/err" || fail "$1: stderr does not name $2: $(cat "$TEST_TMP/err")"
}

emulator_reset

run clean_env lakebase --no-such-option
expect_failure "unknown option" 64
run clean_env lakebase
expect_failure "no command" 64
run clean_env lakebase env --json
expect_failure "--json with env" 64

run sp_env LAKEBASE_ENDPOINT="$LAKEBASE_ENDPOINT" \
    LAKEBASE_INSTANCE="$EMULATOR_INSTANCE" lakebase token
expect_failure "endpoint and instance both set" 78
expect_stderr_names "endpoint and instance both set" lakebase.endpoint
expect_stderr_names "endpoint and instance both set" lakebase.instance

run clean_env LAKEBASE_ENDPOINT="$LAKEBASE_ENDPOINT" lakebase token
expect_failure "no workspace host" 78

run clean_env DATABRICKS_HOST="$BARE_HOST" \
    DATABRICKS_CLIENT_ID="$DATABRICKS_CLIENT_ID" \
    DATABRICKS_CLIENT_SECRET="$BAD_SECRET" \
    LAKEBASE_CA_FILE="$LAKEBASE_CA_FILE" \
    LAKEBASE_ENDPOINT="$LAKEBASE_ENDPOINT" lakebase token
expect_failure "wrong client secret" 77

run sp_env LAKEBASE_ENDPOINT=projects/emulator/branches/main/endpoints/no-such-endpoint \
    lakebase token
expect_failure "unknown endpoint" 69
expect_stderr_names "unknown endpoint" no-such-endpoint

# An explicit --instance chooses Provisioned even though the environment
# names an endpoint: no conflict.
run sp_env LAKEBASE_ENDPOINT="$LAKEBASE_ENDPOINT" lakebase \
    --instance "$EMULATOR_INSTANCE" token
[ "$status" -eq 0 ] || fail "--instance over LAKEBASE_ENDPOINT: exit $status: $(cat "$TEST_TMP/err")"
expect_eq "provisioned mints after --instance" "$(emulator_stat mints.provisioned)" 1

# psql missing: the credential is minted, then exec fails with a hint.
set +e
env -i PATH=/nonexistent HOME="$TEST_TMP/home" \
    DATABRICKS_HOST="$BARE_HOST" DATABRICKS_CLIENT_ID="$DATABRICKS_CLIENT_ID" \
    DATABRICKS_CLIENT_SECRET="$DATABRICKS_CLIENT_SECRET" \
    LAKEBASE_CA_FILE="$LAKEBASE_CA_FILE" LAKEBASE_ENDPOINT="$LAKEBASE_ENDPOINT" \
    ${PGPORT:+"PGPORT=$PGPORT"} \
    "$LAKEBASE_CLI" psql >"$TEST_TMP/out" 2>"$TEST_TMP/err"
status=$?
set -e
expect_failure "psql not installed" 69
expect_stderr_names "psql not installed" postgresql-client

# Nothing listens on this port: network errors are retried until the mint
# deadline (30 s by default), then reported.
free_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run clean_env DATABRICKS_HOST="127.0.0.1:$free_port" \
    DATABRICKS_CLIENT_ID="$DATABRICKS_CLIENT_ID" \
    DATABRICKS_CLIENT_SECRET="$DATABRICKS_CLIENT_SECRET" \
    LAKEBASE_CA_FILE="$LAKEBASE_CA_FILE" \
    LAKEBASE_ENDPOINT="$LAKEBASE_ENDPOINT" lakebase token
expect_failure "workspace not listening" 69

echo "ok $TEST_NAME"
