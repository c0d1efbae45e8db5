#!/bin/sh
# Builds and tests the Go module (go/), which compiles the C library from the
# sources in its package directory (make go-sources): no installed
# liblakebase, no PKG_CONFIG_PATH, no LD_LIBRARY_PATH.
#   go.sh stage BUILD_DIR          build the Go conformance runner into
#                                  BUILD_DIR/go-stage/bin
#   go.sh test BUILD_DIR DIR       go vet + go test -race in the module DIR
#   go.sh vet BUILD_DIR DIR        go vet only (the benchmark module)
#   go.sh new-user BUILD_DIR       the README's recipe: a fresh module using the
#                                  module from this checkout, with the module
#                                  proxy off, runs a query against the emulator,
#                                  then again vendored (go mod vendor,
#                                  -mod=vendor); without cgo the build stops
#                                  with the message that says so
#   go.sh system-tag BUILD_DIR     -tags lakebase_system: the same program links
#                                  the library installed into BUILD_DIR/go-system
#                                  through pkg-config instead
# The emulator's env file comes from $LAKEBASE_EMULATOR_ENV_FILE.
set -eu

mode=$1
build=$(cd "$2" && pwd)
stage=$build/go-stage
here=$(cd "$(dirname "$0")" && pwd)
go_dir=$(cd "$here/../../go" && pwd)
. "$here/../fresh_machine.sh"

# Nothing is downloaded for the main module (it has no dependencies); the
# pgx adapter and the bench resolve pgx from the module cache or the Go proxy.
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=1
if [ -z "${HOME:-}" ] && [ -z "${GOCACHE:-}" ]; then
    export GOCACHE="$build/go-cache"
fi

# new_module DIR: a fresh module whose main.go queries through the package.
new_module() {
    mkdir -p "$1"
    cat >"$1/main.go" <<'GO'
package main

import (
	"context"
	"fmt"
	"log"

	lakebase "github.com/lakebase-connector/lakebase-go"
)

func main() {
	ctx := context.Background()
	pool, err := lakebase.Open(ctx, lakebase.Config{}) // everything from the environment
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	var who string
	if err := pool.QueryRow(ctx, "SELECT current_user").Scan(&who); err != nil {
		log.Fatal(err)
	}
	fmt.Println("logged in as", who)
}
GO
}

# run_as_user PROGRAM: runs it against the emulator and checks the answer.
run_as_user() {
    (
        set -a
        . "$LAKEBASE_EMULATOR_ENV_FILE"
        set +a
        out=$("$1")
        echo "$out"
        [ "$out" = "logged in as $DATABRICKS_CLIENT_ID" ]
    )
}

case $mode in
stage)
    cd "$go_dir"
    go build -o "$stage/bin/lakebase-conformance-go" ./internal/cmd/lakebase-conformance-go
    ;;
test)
    cd "$3"
    go vet ./...
    # -p 1: packages share one emulator and the conformance scenarios reset it.
    go test -race -p 1 -count=1 ./...
    ;;
vet)
    cd "$3"
    go vet ./...
    ;;
new-user)
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    new_module "$work"
    cd "$work"
    export GOPROXY=off # the recipe must not need the module proxy
    # The README's recipe (go/README.md, "From a checkout"):
    go mod init example.com/app >/dev/null 2>&1
    go mod edit -require=github.com/lakebase-connector/lakebase-go@v0.0.0 \
        -replace=github.com/lakebase-connector/lakebase-go="$go_dir"
    go build
    if readelf -d app | grep -q 'liblakebase\|RUNPATH\|RPATH'; then
        echo "the program links a shared liblakebase or carries a run path:" >&2
        readelf -d app | grep 'NEEDED\|RUNPATH\|RPATH' >&2
        exit 1
    fi
    run_as_user ./app
    # Vendored: the C sources travel with the package directory.
    go mod vendor
    go build -mod=vendor -o app-vendored .
    run_as_user ./app-vendored
    # Without cgo: one error, saying what to do.
    if CGO_ENABLED=0 go build -o app-nocgo . 2>nocgo.log; then
        echo "a build with CGO_ENABLED=0 succeeded" >&2
        exit 1
    fi
    if ! grep -q 'lakebase_go_needs_cgo__install_gcc_and_build_with_CGO_ENABLED_1' nocgo.log ||
        [ "$(grep -c ': ' nocgo.log)" != 1 ]; then
        echo "a build with CGO_ENABLED=0 did not stop with the one cgo message:" >&2
        cat nocgo.log >&2
        exit 1
    fi
    echo "CGO_ENABLED=0: $(grep ': ' nocgo.log | sed 's/.*: //')"
    ;;
system-tag)
    system=$build/go-system
    cmake --install "$build" --prefix "$system" >/dev/null
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    new_module "$work"
    cd "$work"
    export GOPROXY=off
    go mod init example.com/app >/dev/null 2>&1
    go mod edit -require=github.com/lakebase-connector/lakebase-go@v0.0.0 \
        -replace=github.com/lakebase-connector/lakebase-go="$go_dir"
    PKG_CONFIG_PATH="$system/lib/pkgconfig" go vet -tags lakebase_system "$go_dir"
    PKG_CONFIG_PATH="$system/lib/pkgconfig" go build -tags lakebase_system
    if ! readelf -d app | grep -q 'NEEDED.*liblakebase\.so'; then
        echo "with -tags lakebase_system the program does not link liblakebase.so" >&2
        exit 1
    fi
    run_as_user ./app
    ;;
*)
    echo "usage: $0 stage|test|vet|new-user|system-tag BUILD_DIR [MODULE_DIR]" >&2
    exit 2
    ;;
esac
