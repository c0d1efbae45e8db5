//go:build !cgo

// Package cgorequired stops a build without cgo with one clear error: the
// lakebase package imports it only when cgo is off (it is a cgo binding and
// cannot build then), and the identifier below, undefined on purpose, is
// the message. Being its own package, it fails before the lakebase package's
// files are compiled, so no other error follows.
package cgorequired

const _ = lakebase_go_needs_cgo__install_gcc_and_build_with_CGO_ENABLED_1
