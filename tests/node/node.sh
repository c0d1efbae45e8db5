#!/bin/sh
# Builds and tests the npm package (node/) against the library of this build.
#   node.sh stage BUILD_DIR     install the library into BUILD_DIR/node-stage,
#                               copy the package to BUILD_DIR/node-pkg and
#                               `npm ci` it there (builds the addon through
#                               pkg-config, rpath into the stage)
#   node.sh test BUILD_DIR      npm test (node --test) against the emulator
#   node.sh new-user BUILD_DIR  a fresh project installs the packed package
#                               and runs a ten-line TypeScript program
# The emulator's env file comes from $LAKEBASE_EMULATOR_ENV_FILE.
set -eu

mode=$1
build=$(cd "$2" && pwd)
stage=$build/node-stage
pkg=$build/node-pkg
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../node" && pwd)

# The library comes from the staging prefix through pkg-config, exactly as a
# user's installed copy would; the addon records its libdir as an rpath.
export PKG_CONFIG_PATH="$stage/lib/pkgconfig"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
if [ -z "${HOME:-}" ]; then
    export npm_config_cache="$build/npm-cache"
fi

case $mode in
stage)
    cmake --install "$build" --prefix "$stage" >/dev/null
    rm -rf "$pkg"
    mkdir -p "$pkg"
    (cd "$src" && tar cf - --exclude=./node_modules --exclude=./build --exclude=./bench --exclude='./*.tgz' .) |
        (cd "$pkg" && tar xf -)
    cd "$pkg"
    npm ci --prefer-offline --foreground-scripts >npm-ci.log 2>&1 || { tail -40 npm-ci.log; exit 1; }
    ;;
test)
    cd "$pkg"
    npm test
    ;;
new-user)
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    cd "$pkg"
    tarball=$(npm pack --silent --pack-destination "$work" | tail -1)
    cd "$work"
    cat >package.json <<'JSON'
{ "name": "new-user", "private": true, "type": "module" }
JSON
    npm install --prefer-offline --foreground-scripts "./$tarball" "typescript@^5.4.0" \
        "@types/node@^20.9.0" >install.log 2>&1 || { tail -40 install.log; exit 1; }
    cat >main.ts <<'TS'
import { Pool } from '@lakebase/connector';

// Everything (workspace, identity, endpoint) comes from the environment.
const pool = new Pool({ max: 2 });
try {
  const { rows } = await pool.query<{ who: string }>('SELECT current_user AS who');
  console.log('logged in as', rows[0].who);
} finally {
  await pool.end();
}
TS
    cat >tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext",
  "moduleResolution": "NodeNext", "strict": true, "outDir": "dist" }, "files": ["main.ts"] }
JSON
    npx --no-install tsc -p .
    set -a
    . "$LAKEBASE_EMULATOR_ENV_FILE"
    set +a
    out=$(node dist/main.js)
    echo "$out"
    [ "$out" = "logged in as $DATABRICKS_CLIENT_ID" ]
    ;;
*)
    echo "usage: $0 stage|test|new-user BUILD_DIR" >&2
    exit 2
    ;;
esac
