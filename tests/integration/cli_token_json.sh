#!/bin/sh
# `lakebase token --json` is valid JSON with every field, and `lakebase env`
# survives eval whatever the values hold.
. "$(dirname "$0")/lib.sh"

sp_env() {
    clean_env DATABRICKS_HOST="$BARE_HOST" \
        DATABRICKS_CLIENT_ID="$DATABRICKS_CLIENT_ID" \
        DATABRICKS_CLIENT_SECRET="$DATABRICKS_CLIENT_SECRET" \
        LAKEBASE_CA_FILE="$LAKEBASE_CA_FILE" \
        LAKEBASE_ENDPOINT="$LAKEBASE_ENDPOINT" "$@"
}

emulator_reset

json=$(sp_env lakebase token --json) || fail "lakebase token --json failed"
printf '%s' "$json" | python3 -c '
import datetime, json, sys
d = json.load(sys.stdin)
want = {"token": str, "expire_time": str, "user": str, "host": str,
        "port": int, "database": str, "sslmode": str}
for key, kind in want.items():
    if not isinstance(d.get(key), kind):
        sys.exit("field %s is missing or not a %s: %r" % (key, kind.__name__, d.get(key)))
    if kind is str and not d[key]:
        sys.exit("field %s is empty" % key)
extra = set(d) - set(want)
if extra:
    sys.exit("unexpected fields %s" % sorted(extra))
exp = datetime.datetime.strptime(d["expire_time"], "%Y-%m-%dT%H:%M:%SZ")
exp = exp.replace(tzinfo=datetime.timezone.utc)
now = datetime.datetime.now(datetime.timezone.utc)
if exp <= now:
    sys.exit("expire_time %s is not in the future" % d["expire_time"])
if d["user"] != sys.argv[1]:
    sys.exit("user %r, expected the client id" % d["user"])
if d["database"] != "databricks_postgres" or d["sslmode"] != "require":
    sys.exit("unexpected database/sslmode %r/%r" % (d["database"], d["sslmode"]))
' "$DATABRICKS_CLIENT_ID" || fail "token --json: $json"

# A role full of shell and JSON metacharacters: both formats must carry it
# unchanged (the role is only printed here, never used to log in).
odd_role="o'brien \"\\\$HOME\" \`id\` \$(id)"
json=$(sp_env lakebase --user "$odd_role" token --json) || fail "token --json --user failed"
expect_eq "JSON user with metacharacters" "$(printf '%s' "$json" | json_field user)" "$odd_role"
got=$(sp_env sh -c 'eval "$(lakebase --user "$1" env)" && printf %s "$PGUSER"' sh "$odd_role") ||
    fail "eval of lakebase env failed"
expect_eq "PGUSER after eval" "$got" "$odd_role"

# Every variable is exported and matches the JSON.
sp_env sh -c 'eval "$(lakebase env)" && env' >"$TEST_TMP/env" || fail "lakebase env failed"
for var in PGHOST PGPORT PGDATABASE PGUSER PGSSLMODE PGPASSWORD; do
    grep -q "^$var=." "$TEST_TMP/env" || fail "lakebase env does not export $var"
done
expect_eq "PGUSER from env" "$(sed -n 's/^PGUSER=//p' "$TEST_TMP/env")" "$DATABRICKS_CLIENT_ID"
expect_eq "PGDATABASE from env" "$(sed -n 's/^PGDATABASE=//p' "$TEST_TMP/env")" databricks_postgres
echo "ok $TEST_NAME"
