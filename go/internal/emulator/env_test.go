package emulator

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadReadsShellQuotingAndLaterLinesWin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env")
	os.WriteFile(path, []byte("# c\nexport A='x y'\nB=\"q\\\"z\"\nC=a\\ b\nA='last'\n"), 0o600)
	env, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if env["A"] != "last" || env["B"] != `q"z` || env["C"] != "a b" {
		t.Fatalf("env = %q", env)
	}
}

func TestExpandSubstitutesDefaultsAndEscapes(t *testing.T) {
	env := Env{"H": "host"}
	got, err := env.Expand("${H}:${P:-5432}/$${literal}")
	if err != nil || got != "host:5432/${literal}" {
		t.Fatalf("Expand = %q, %v", got, err)
	}
	if _, err := env.Expand("${MISSING}"); err == nil {
		t.Fatal("an undefined variable expanded")
	}
}
