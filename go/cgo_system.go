//go:build lakebase_system && cgo

package lakebase

// With -tags lakebase_system the package links an installed liblakebase,
// found through pkg-config (lakebase.pc), instead of compiling the bundled
// C sources (cgo_bundled.go). The library's directory is recorded as the
// program's run path by lakebase.pc.

/*
#cgo pkg-config: lakebase
*/
import "C"
