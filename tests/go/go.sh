#!/bin/sh
# Builds and tests the Go module (go/) against the library of this build.
#   go.sh stage BUILD_DIR          install the library into BUILD_DIR/go-stage
#                                  and build the Go conformance runner there
#   go.sh test BUILD_DIR DIR       go vet + go test -race in the module DIR
#   go.sh vet BUILD_DIR DIR        go vet only (the benchmark module)
#   go.sh new-user BUILD_DIR       a fresh module importing the package runs a
#                                  query against the emulator, configured only
#                                  by the emulator's environment variables
# The emulator's env file comes from $LAKEBASE_EMULATOR_ENV_FILE.
set -eu

mode=$1
build=$(cd "$2" && pwd)
stage=$build/go-stage
here=$(cd "$(dirname "$0")" && pwd)
go_dir=$(cd "$here/../../go" && pwd)

# The library comes from the staging prefix through pkg-config, exactly as
# a user's installed copy would. Nothing is downloaded for the main module
# (it has no dependencies); the pgx adapter and the bench resolve pgx from
# the module cache or the Go proxy.
export PKG_CONFIG_PATH="$stage/lib/pkgconfig"
export LD_LIBRARY_PATH="$stage/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=1
if [ -z "${HOME:-}" ] && [ -z "${GOCACHE:-}" ]; then
    export GOCACHE="$build/go-cache"
fi

case $mode in
stage)
    cmake --install "$build" --prefix "$stage" >/dev/null
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
    cd "$work"
    cat >main.go <<'GO'
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
    go mod init example >/dev/null 2>&1
    go mod edit -replace "github.com/lakebase-connector/lakebase-go=$go_dir"
    GOPROXY=off go mod tidy
    set -a
    . "$LAKEBASE_EMULATOR_ENV_FILE"
    set +a
    out=$(GOPROXY=off go run .)
    echo "$out"
    [ "$out" = "logged in as $DATABRICKS_CLIENT_ID" ]
    ;;
*)
    echo "usage: $0 stage|test|vet|new-user BUILD_DIR [MODULE_DIR]" >&2
    exit 2
    ;;
esac
