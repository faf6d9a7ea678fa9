// Package python_test runs the Python tests of python/ under Debian's
// pytest, so that `go test ./...` covers the pytest plugin.
package python_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"mpforge/internal/testenv"
	"mpforge/internal/testfw"
	"mpforge/suite"
)

// The plugin's own tests (test_pytest_mpforge.py) pass, one of them against
// the mps2-an505 twin that mpforge builds.
func TestPytestPlugin(t *testing.T) {
	python := suite.DefaultPython
	if out, err := exec.Command(python, "-c", "import pytest, serial").CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import pytest and serial, which the plugin's tests need (Debian: apt install python3-pytest python3-serial): %v\n%s", python, err, out)
	}
	res, _ := testfw.Firmware(t, "mps2-an505")
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-m", "pytest", "-p", "pytester", "-p", "no:cacheprovider",
		"--basetemp="+t.TempDir(), "-v", filepath.Join(root, "python", "test_pytest_mpforge.py"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"PYTHONPATH="+filepath.Join(root, "python"),
		"PYTHONDONTWRITEBYTECODE=1", // no __pycache__ in the checkout
		"MPFORGE_TEST_ELF="+res.ELF,
		"MICROPY_DIR="+testenv.MicroPythonDir(t),
	)
	out, err := cmd.CombinedOutput()
	t.Logf("pytest:\n%s", out)
	if err != nil {
		t.Fatalf("the plugin's tests failed: %v", err)
	}
}
