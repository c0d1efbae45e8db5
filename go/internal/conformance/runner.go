// Package conformance runs the language-neutral scenarios of
// tests/conformance/scenarios against the emulator with the Go binding. The
// format and the runner contract are specified in
// tests/conformance/README.md; verdicts must equal the C runner's.
package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"

	"github.com/lakebase-connector/lakebase-go/internal/emulator"
)

// capabilities this runner implements; scenarios requiring more are skipped.
var capabilities = map[string]bool{"credentials": true, "pool": true}

const maxScenarioBytes = 1 << 20

// Verdict of one scenario.
type Verdict int

// Verdicts, in the order of the summary counts.
const (
	Passed Verdict = iota
	Failed
	Skipped
)

// Runner executes scenario files one after another.
type Runner struct {
	Env     emulator.Env
	Control *emulator.Control
	Out     io.Writer // one line per scenario, then the summary
	Log     io.Writer // step progress with Verbose; never stdout
	Verbose bool
}

// Main implements `RUNNER [-v] --env-file FILE scenario.json...` and
// returns the exit status: 1 if a scenario failed, 77 if all were skipped, 2
// for usage errors, else 0.
func Main(args []string, stdout, stderr io.Writer) int {
	var envFile string
	verbose := false
	i := 0
	for ; i < len(args) && strings.HasPrefix(args[i], "-"); i++ {
		if args[i] == "-v" {
			verbose = true
		} else if args[i] == "--env-file" && i+1 < len(args) {
			i++
			envFile = args[i]
		} else {
			break
		}
	}
	if envFile == "" || i >= len(args) {
		fmt.Fprintln(stderr, "usage: lakebase-conformance-go [-v] --env-file FILE scenario.json...")
		return 2
	}
	env, err := emulator.Load(envFile)
	if err != nil {
		fmt.Fprintf(stderr, "conformance: %v\n", err)
		return 2
	}
	ctl, err := emulator.NewControl(env)
	if err != nil {
		fmt.Fprintf(stderr, "conformance: %v\n", err)
		return 2
	}
	r := &Runner{Env: env, Control: ctl, Out: stdout, Log: stderr, Verbose: verbose}
	var counts [3]int
	files := args[i:]
	for _, path := range files {
		if len(files) == 1 {
			counts[r.RunFile(path)]++ // this process is the scenario's own
		} else {
			counts[r.RunIsolated(envFile, path)]++
		}
	}
	if counts[Skipped] > 0 {
		fmt.Fprintf(stdout, "%d passed, %d failed, %d skipped\n", counts[Passed], counts[Failed], counts[Skipped])
	} else {
		fmt.Fprintf(stdout, "%d passed, %d failed\n", counts[Passed], counts[Failed])
	}
	switch {
	case counts[Failed] > 0:
		return 1
	case counts[Passed] == 0:
		return 77
	}
	return 0
}

// childEnv carries a child's arguments ("-v" or "", env file, scenario,
// one per line) to ChildMain.
const childEnv = "LAKEBASE_CONFORMANCE_CHILD"

// ChildMain runs the scenario a parent's RunIsolated asked for, when this
// process is such a child, and exits; otherwise it returns at once. Call it
// first in main and in TestMain.
func ChildMain() {
	spec, ok := os.LookupEnv(childEnv)
	if !ok {
		return
	}
	args := strings.Split(spec, "\n")
	if len(args) != 3 {
		os.Exit(2)
	}
	argv := []string{"--env-file", args[1], args[2]}
	if args[0] == "-v" {
		argv = append([]string{"-v"}, argv...)
	}
	os.Exit(Main(argv, os.Stdout, os.Stderr))
}

// RunIsolated runs one scenario in a child process of this executable,
// since the library keeps a provider whose last handle is gone while its
// token is usable and no cache may carry over into the next scenario.
func (r *Runner) RunIsolated(envFile, path string) Verdict {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(r.Out, "FAIL %s: could not run it in a child process: %v\n", path, err)
		return Failed
	}
	verbose := ""
	if r.Verbose {
		verbose = "-v"
	}
	var out bytes.Buffer
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+verbose+"\n"+envFile+"\n"+path)
	cmd.Stdout, cmd.Stderr = &out, r.Log
	err = cmd.Run()
	// The child's last line is its summary; the lines before are the verdict.
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) > 1 {
		fmt.Fprintln(r.Out, strings.Join(lines[:len(lines)-1], "\n"))
	}
	code := cmd.ProcessState.ExitCode()
	switch {
	case err == nil:
		return Passed
	case code == 1:
		return Failed
	case code == 77:
		return Skipped
	}
	fmt.Fprintf(r.Out, "FAIL %s: crashed (%v)\n", path, err)
	return Failed
}

// RunFile runs one scenario file and prints its verdict line.
func (r *Runner) RunFile(path string) Verdict {
	root, name, err := readScenario(path)
	if err != nil {
		fmt.Fprintf(r.Out, "FAIL %s: not a scenario: %v\n", path, err)
		return Failed
	}
	if missing := missingCapability(root["requires"]); missing != "" {
		fmt.Fprintf(r.Out, "skip %s: requires %s\n", name, missing)
		return Skipped
	}
	sc := newScenario(r)
	defer sc.clear()
	if err := r.Control.Post("/emulator/reset", nil); err != nil {
		fmt.Fprintf(r.Out, "FAIL %s: setup: %v\n", name, err)
		return Failed
	}
	if knobs, ok := root["knobs"]; ok {
		if err := sc.postKnobs(knobs); err != nil {
			fmt.Fprintf(r.Out, "FAIL %s: setup: %v\n", name, err)
			return Failed
		}
	}
	for n, s := range root["steps"].([]any) {
		step, _ := s.(map[string]any)
		op, _ := step["op"].(string)
		if op == "" {
			op = "?"
		}
		if r.Verbose {
			fmt.Fprintf(r.Log, "  %s: step %d (%s)\n", name, n+1, op)
		}
		if err := sc.runStep(step); err != nil {
			fmt.Fprintf(r.Out, "FAIL %s: step %d (%s): %v\n", name, n+1, op, err)
			return Failed
		}
	}
	fmt.Fprintf(r.Out, "ok %s\n", name)
	return Passed
}

func readScenario(path string) (map[string]any, string, error) {
	data, err := os.ReadFile(path)
	if err == nil && len(data) > maxScenarioBytes {
		err = errors.New("larger than 1 MiB")
	}
	var root map[string]any
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber() // numbers keep their JSON text ("0.5", "5432")
		err = dec.Decode(&root)
	}
	name, _ := root["name"].(string)
	_, hasSteps := root["steps"].([]any)
	if err != nil || name == "" || !hasSteps {
		return nil, "", errors.New("unreadable, not JSON, or without name and steps")
	}
	if err := checkKeys(root, "name,description,requires,knobs,steps", "the scenario"); err != nil {
		return nil, "", err
	}
	return root, name, nil
}

func missingCapability(requires any) string {
	list, _ := requires.([]any)
	for _, item := range list {
		s, ok := item.(string)
		if !ok {
			return "(not a string)"
		}
		if !capabilities[s] {
			return s
		}
	}
	return ""
}

// checkKeys fails on a key outside allowed (comma-separated), so a
// misspelt expectation can never pass silently.
func checkKeys(obj map[string]any, allowed, what string) error {
	ok := map[string]bool{}
	for _, k := range strings.Split(allowed, ",") {
		ok[k] = true
	}
	for _, k := range sortedKeys(obj) {
		if !ok[k] {
			return fmt.Errorf("unknown key %q in %s", k, what)
		}
	}
	return nil
}

func sortedKeys(obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
