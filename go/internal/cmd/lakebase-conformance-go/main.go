// Command lakebase-conformance-go is the Go runner of the shared
// conformance scenarios (tests/conformance/README.md):
//
//	lakebase-conformance-go [-v] --env-file FILE scenario.json...
package main

import (
	"os"

	"github.com/lakebase-connector/lakebase-go/internal/conformance"
)

func main() {
	conformance.ChildMain()
	os.Exit(conformance.Main(os.Args[1:], os.Stdout, os.Stderr))
}
