//go:build !cgo

package lakebase

// Without cgo this package cannot build; the import below fails the build
// with a message that says so and how to fix it.
import _ "github.com/lakebase-connector/lakebase-go/internal/cgorequired"
