package frozen

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestPythonFromVariable(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "my-python3")
	if runtime.GOOS == "windows" {
		fake += ".exe" // what exec.LookPath finds there
	}
	if err := os.WriteFile(fake, []byte("#!/bin/false\n"), 0o755); err != nil { // found, never run
		t.Fatal(err)
	}
	t.Setenv(EnvPython, fake)
	if got, err := Python(); err != nil || got != fake {
		t.Errorf("%s=%s: got %q, %v", EnvPython, fake, got, err)
	}
	t.Setenv(EnvPython, filepath.Join(t.TempDir(), "none"))
	if _, err := Python(); err == nil || !strings.Contains(err.Error(), EnvPython) {
		t.Errorf("%s naming nothing: got %v, want an error naming the variable", EnvPython, err)
	}
}
