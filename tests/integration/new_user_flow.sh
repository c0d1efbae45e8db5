# The first session of a new user, for one product line: sourced by
# cli_new_user_autoscaling.sh and cli_new_user_provisioned.sh after they set
# MODE_VAR (LAKEBASE_ENDPOINT or LAKEBASE_INSTANCE), MODE_VALUE, and
# MINTS_STAT / OTHER_MINTS_STAT (the emulator counters of this product line's
# mints and of the other's).

new_user() {
    clean_env DATABRICKS_HOST="$BARE_HOST" \
        DATABRICKS_CLIENT_ID="$DATABRICKS_CLIENT_ID" \
        DATABRICKS_CLIENT_SECRET="$DATABRICKS_CLIENT_SECRET" \
        "$MODE_VAR=$MODE_VALUE" \
        LAKEBASE_CA_FILE="$LAKEBASE_CA_FILE" \
        PGSSLROOTCERT="$PGSSLROOTCERT" "$@"
}

emulator_reset

token=$(new_user lakebase token) || fail "lakebase token failed"
[ -n "$token" ] || fail "lakebase token printed nothing"
[ "$(printf '%s\n' "$token" | wc -l)" -eq 1 ] || fail "token is not one line"
[ "$token" != "$DATABRICKS_CLIENT_SECRET" ] || fail "token is the client secret"
[ "$token" != "$EMULATOR_USER_TOKEN" ] || fail "token is a workspace token"

json=$(new_user lakebase token --json) || fail "lakebase token --json failed"
host=$(printf '%s' "$json" | json_field host)
port=$(printf '%s' "$json" | json_field port)
expect_eq "token --json user" "$(printf '%s' "$json" | json_field user)" \
    "$DATABRICKS_CLIENT_ID"

# The credential works as a plain password with the real psql.
role=$(clean_env PGPASSWORD="$token" PGSSLROOTCERT="$PGSSLROOTCERT" psql -XAt \
    "host=$host port=$port user=$DATABRICKS_CLIENT_ID dbname=databricks_postgres sslmode=require" \
    -c 'select current_user') || fail "psql with the printed token failed"
expect_eq "psql with the token" "$role" "$DATABRICKS_CLIENT_ID"

role=$(new_user lakebase psql -- -XAt -c 'select current_user') ||
    fail "lakebase psql failed"
expect_eq "lakebase psql" "$role" "$DATABRICKS_CLIENT_ID"

role=$(new_user sh -c 'eval "$(lakebase env)" && psql -XAt -c "select current_user"') ||
    fail "eval \"\$(lakebase env)\" then psql failed"
expect_eq "eval lakebase env; psql" "$role" "$DATABRICKS_CLIENT_ID"

# token, token --json, psql and env: four processes, four mints.
expect_eq "$MINTS_STAT" "$(emulator_stat "$MINTS_STAT")" 4
expect_eq "$OTHER_MINTS_STAT" "$(emulator_stat "$OTHER_MINTS_STAT")" 0
accepted=$(emulator_stat logins.accepted)
[ "$accepted" -ge 3 ] || fail "emulator accepted $accepted logins, expected >= 3"
expect_eq "logins refused as workspace tokens" \
    "$(emulator_stat logins.refused.workspace_token)" 0
echo "ok $TEST_NAME"
