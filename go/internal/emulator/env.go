// Package emulator reads the local Lakebase emulator's environment file and
// talks to its control API, for the tests and the conformance runner.
package emulator

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

// EnvFileVar names the variable holding the emulator's env file path.
const EnvFileVar = "LAKEBASE_EMULATOR_ENV_FILE"

// Env is the emulator's environment: `export KEY='value'` lines.
type Env map[string]string

// Load reads an env file as a POSIX shell would read its simple lines
// (export, single and double quotes, backslashes); later lines win.
func Load(path string) (Env, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open the environment file %s: %w", path, err)
	}
	defer f.Close()
	env := Env{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		eq := strings.IndexByte(line, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("%s:%d: expected KEY=value", path, n)
		}
		env[line[:eq]] = shellWord(line[eq+1:])
	}
	return env, sc.Err()
}

// shellWord reads one shell word (quotes and backslashes as sh does).
func shellWord(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && s[i] != ' ' && s[i] != '\t'; {
		switch s[i] {
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				end = len(s) - i - 1
			}
			b.WriteString(s[i+1 : i+1+end])
			i += end + 2
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$", s[i+1]) >= 0 {
					i++
				}
				b.WriteByte(s[i])
			}
			i++
		default:
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

// Expand replaces ${NAME} and ${NAME:-default} with values from env; "$${"
// stands for a literal "${". An undefined name without default is an error.
func (env Env) Expand(text string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(text); {
		switch {
		case strings.HasPrefix(text[i:], "$${"):
			b.WriteString("${")
			i += 3
		case strings.HasPrefix(text[i:], "${"):
			end := strings.IndexByte(text[i+2:], '}')
			if end < 0 {
				return "", fmt.Errorf("unterminated ${ in %q", text)
			}
			name := text[i+2 : i+2+end]
			value, ok := env[name]
			if k, dflt, has := strings.Cut(name, ":-"); has {
				value, ok = env[k]
				if !ok {
					value, ok = dflt, true
				}
			}
			if !ok {
				return "", fmt.Errorf("${%s} is not defined in the environment file", name)
			}
			b.WriteString(value)
			i += end + 3
		default:
			b.WriteByte(text[i])
			i++
		}
	}
	return b.String(), nil
}

// Require loads the env file named by LAKEBASE_EMULATOR_ENV_FILE and fails
// the test (never skips it) when it is missing or unreadable.
func Require(t testing.TB) Env {
	t.Helper()
	path := os.Getenv(EnvFileVar)
	if path == "" {
		t.Fatalf("%s is not set: start the emulator (tests/emulator/start.sh STATE_DIR) "+
			"and point %s at STATE_DIR/env, or run the tests through ctest -L go", EnvFileVar, EnvFileVar)
	}
	env, err := Load(path)
	if err != nil {
		t.Fatalf("%s: %v", EnvFileVar, err)
	}
	return env
}

// Reset puts the emulator back to its defaults, applies knobs (a JSON
// object; "" for none) and resets it again when the test ends, failing the
// test on an error. It returns the control client for further requests.
func Reset(t testing.TB, env Env, knobs string) *Control {
	t.Helper()
	ctl, err := NewControl(env)
	if err != nil {
		t.Fatal(err)
	}
	if err := ctl.Post("/emulator/reset", nil); err != nil {
		t.Fatal(err)
	}
	if knobs != "" {
		if err := ctl.Post("/emulator/knobs", []byte(knobs)); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { ctl.Post("/emulator/reset", nil) })
	return ctl
}
