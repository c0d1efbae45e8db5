#!/bin/sh
# The C library as a new user installs and uses it: `cmake --install` into a
# prefix of their choosing (never a default pkg-config or loader path), the
# CLI run from there, and a ten-line program built through pkg-config, both
# with no LD_LIBRARY_PATH, then again after the prefix is moved.
#   new_user.sh BUILD_DIR
# The emulator's env file comes from $LAKEBASE_EMULATOR_ENV_FILE.
set -eu
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../fresh_machine.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
runpath=$(readelf -d "$prefix/bin/lakebase" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
if [ "$runpath" != '$ORIGIN/../lib' ]; then
    echo "bin/lakebase has run path '$runpath', want \$ORIGIN/../lib" >&2
    exit 1
fi

cd "$work"
cat >main.c <<'C'
#include <stdio.h>
#include <lakebase.h>

int main(void) { /* everything (workspace, identity, endpoint) from the environment */
    lakebase_error *err = NULL;
    lakebase_config *cfg = NULL;
    lakebase_pool *pool = NULL;
    lakebase_result *res = NULL;
    int ok = lakebase_config_new(&cfg, &err) == 0 && lakebase_pool_new(&pool, cfg, &err) == 0 &&
             lakebase_pool_query(pool, "SELECT current_user", 0, NULL, &res, &err) == 0;
    if (ok)
        printf("logged in as %s\n", lakebase_result_text(res, 0, 0, NULL));
    else
        fprintf(stderr, "%s\n", lakebase_error_message(err));
    lakebase_result_free(res);
    lakebase_pool_free(pool);
    lakebase_config_free(cfg);
    lakebase_error_free(err);
    return ok ? 0 : 1;
}
C
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cc -o hello main.c $(pkg-config --cflags --libs lakebase)
unset PKG_CONFIG_PATH

set -a
. "$LAKEBASE_EMULATOR_ENV_FILE"
set +a
check() { # PROGRAM CLI: both run from wherever the prefix now is
    out=$("$1")
    echo "$out"
    [ "$out" = "logged in as $DATABRICKS_CLIENT_ID" ]
    "$2" token >/dev/null # the token itself is never printed
    echo "$2 token: ok"
}
check ./hello "$prefix/bin/lakebase"
# The CLI's run path is relative: the whole prefix can move. The program
# recorded the prefix it was built against, so it is rebuilt, like any
# program after its libraries move.
mv "$prefix" "$work/moved"
cc -o hello main.c $(PKG_CONFIG_PATH="$work/moved/lib/pkgconfig" pkg-config --cflags --libs lakebase)
check ./hello "$work/moved/bin/lakebase"
