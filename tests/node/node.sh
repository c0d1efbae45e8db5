#!/bin/sh
# Builds, tests and installs the npm package (node/) the way its users do:
# the addon compiles the C library's sources (the source distribution in
# deps/) against the system libraries, with no installed liblakebase.
#   node.sh pack BUILD_DIR          copy the parts of the repository the
#                                   package builds from to BUILD_DIR/node-checkout
#                                   (as a fresh clone has them) and `npm pack`
#                                   there into BUILD_DIR/node-pkg
#   node.sh stage BUILD_DIR         pack, then `npm ci` the copy (dev install)
#   node.sh test BUILD_DIR          npm test (node --test) against the emulator
#   node.sh new-user BUILD_DIR      a fresh project installs the packed package
#                                   and runs a ten-line TypeScript program; the
#                                   addon exports only the N-API entry points
#   node.sh folder-install BUILD_DIR true|false
#                                   a fresh project runs `npm install <fresh
#                                   clone>/node` with npm's install-links on (the
#                                   folder packed, npm 9's default) or off (the
#                                   folder linked, npm 10 and 11's default)
#   node.sh missing-dev BUILD_DIR   with each dependency's .pc file hidden in
#                                   turn, installing the packed package stops
#                                   with the apt-get line that installs it
# The emulator's env file comes from $LAKEBASE_EMULATOR_ENV_FILE.
set -eu

mode=$1
build=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
checkout=$build/node-checkout
pkg=$build/node-pkg
. "$here/../fresh_machine.sh"

export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export JOBS=2 # node-gyp's parallel compile
if [ -z "${HOME:-}" ]; then
    export npm_config_cache="$build/npm-cache"
fi

# clone_subset DIR: the package's part of the repository, as a fresh clone
# has it (no node_modules, no build output, no copied C sources).
clone_subset() {
    rm -rf "$1"
    mkdir -p "$1"
    (cd "$root" && tar cf - --exclude=node_modules --exclude=node/build --exclude=node/deps \
        --exclude='*.tgz' cmake scripts core bindings include node) | (cd "$1" && tar xf -)
}

# new_project DIR: an empty ESM project.
new_project() {
    mkdir -p "$1"
    echo '{ "name": "new-user", "private": true, "type": "module" }' >"$1/package.json"
}

# npm_install LOG ARGS...: npm install, its output shown only on failure.
npm_install() {
    log=$1
    shift
    npm install --prefer-offline --foreground-scripts "$@" >"$log" 2>&1 || { tail -40 "$log"; exit 1; }
}

# query_as_user: one query through the installed package, the answer checked.
query_as_user() {
    cat >query.mjs <<'JS'
import { Pool } from '@lakebase/connector';

const pool = new Pool({ max: 1 });
const { rows } = await pool.query('SELECT current_user AS who');
console.log('logged in as', rows[0].who);
await pool.end();
JS
    (
        set -a
        . "$LAKEBASE_EMULATOR_ENV_FILE"
        set +a
        out=$(node query.mjs)
        echo "$out"
        [ "$out" = "logged in as $DATABRICKS_CLIENT_ID" ]
    )
}

pack() {
    clone_subset "$checkout"
    rm -rf "$pkg"
    mkdir -p "$pkg"
    (cd "$checkout/node" && npm pack --silent --pack-destination "$pkg" >/dev/null)
    ls "$pkg"/*.tgz
}

case $mode in
pack)
    pack
    ;;
stage)
    pack >/dev/null
    cd "$checkout/node"
    npm ci --prefer-offline --foreground-scripts >npm-ci.log 2>&1 || { tail -40 npm-ci.log; exit 1; }
    ;;
test)
    cd "$checkout/node"
    npm test
    ;;
new-user)
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    new_project "$work"
    cd "$work"
    npm_install install.log "$(ls "$pkg"/*.tgz)" "typescript@^5.4.0" "@types/node@^20.9.0"
    addon=node_modules/@lakebase/connector/build/Release/lakebase.node
    exported=$(nm -D --defined-only "$addon" | awk '{print $3}' | sort | tr '\n' ' ')
    if [ "$exported" != "napi_register_module_v1 node_api_module_get_api_version_v1 " ]; then
        echo "the addon exports more than the N-API entry points: $exported" >&2
        exit 1
    fi
    if ldd "$addon" | grep -q liblakebase; then
        echo "the addon links a shared liblakebase: $(ldd "$addon" | grep liblakebase)" >&2
        exit 1
    fi
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
folder-install)
    links=$3
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    clone_subset "$work/clone"
    new_project "$work/app"
    cd "$work/app"
    npm_install install.log --install-links="$links" "$work/clone/node"
    if [ "$links" = false ] && [ ! -L node_modules/@lakebase/connector ]; then
        echo "with install-links off npm was expected to link the folder" >&2
        exit 1
    fi
    query_as_user
    ;;
missing-dev)
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    tarball=$(ls "$pkg"/*.tgz)
    for dependency in $(node -e "for (const d of require('$checkout/node/deps/manifest.json').pkg_config) console.log(d.module + '=' + d.debian_package)"); do
        module=${dependency%%=*}
        debian=${dependency#*=}
        # A pkg-config search path with every .pc file but this module's.
        rm -rf "$work/pc" "$work/app"
        mkdir -p "$work/pc"
        for dir in $(pkg-config --variable pc_path pkg-config | tr ':' ' '); do
            for pc in "$dir"/*.pc; do
                [ -f "$pc" ] && [ "$(basename "$pc")" != "$module.pc" ] && ln -sf "$pc" "$work/pc/"
            done
        done
        new_project "$work/app"
        cd "$work/app"
        if PKG_CONFIG_LIBDIR="$work/pc" npm install --prefer-offline "$tarball" >install.log 2>&1; then
            echo "npm install succeeded without $module.pc" >&2
            exit 1
        fi
        # (a module whose .pc requires the hidden one is reported too)
        fix=$(grep -o 'apt-get install [a-z0-9 .+-]*$' install.log || true)
        case " $fix " in
        *" $debian "*) echo "without $module.pc: $fix" ;;
        *)
            echo "without $module.pc the install did not stop with an apt-get line naming $debian:" >&2
            cat install.log >&2
            exit 1
            ;;
        esac
    done
    ;;
*)
    echo "usage: $0 pack|stage|test|new-user|missing-dev BUILD_DIR | folder-install BUILD_DIR true|false" >&2
    exit 2
    ;;
esac
