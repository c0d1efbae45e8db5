// Code generated from manifest.json by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

package lakebase

// The C library is compiled from the files next to this one (copied from
// core/, bindings/src/ and include/) and linked into the program, so it
// needs no installed liblakebase and no LD_LIBRARY_PATH. Building needs a
// C compiler, pkg-config and libcurl4-openssl-dev libpq-dev libssl-dev libcjson-dev.
// With -tags lakebase_system the package links an installed liblakebase
// instead (cgo_system.go).

/*
#cgo CFLAGS: -I${SRCDIR} -std=c11 -fvisibility=hidden -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
#cgo LDFLAGS: -pthread -lm
#cgo pkg-config: libcurl libpq openssl libcjson
*/
import "C"
