package conformance

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakebase-connector/lakebase-go/internal/emulator"
)

func TestMain(m *testing.M) {
	ChildMain() // this test binary also runs the isolated scenarios
	os.Exit(m.Run())
}

// TestScenarios runs every shared scenario, each in a child process as the
// README requires; each must pass, as with the C runner.
func TestScenarios(t *testing.T) {
	env := emulator.Require(t)
	ctl, err := emulator.NewControl(env)
	if err != nil {
		t.Fatal(err)
	}
	envFile := os.Getenv(emulator.EnvFileVar)
	files, err := filepath.Glob("../../../tests/conformance/scenarios/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios found (%v)", err)
	}
	for _, f := range files {
		var out bytes.Buffer
		r := &Runner{Env: env, Control: ctl, Out: &out, Log: &out}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if v := r.RunIsolated(envFile, f); v != Passed {
			t.Errorf("%s", strings.TrimSpace(out.String()))
		} else if out.String() != "ok "+name+"\n" {
			t.Errorf("%s: verdict line %q", name, out.String())
		}
	}
}

func TestMisspeltExpectationFails(t *testing.T) {
	sc := newScenario(&Runner{Env: emulator.Env{}})
	err := sc.checkOutcome(map[string]any{"ok": true, "errror": "ECONFIG"}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), `unknown key "errror"`) {
		t.Fatalf("err = %v", err)
	}
}
