// Package testenv gives tests the environment they need: the MicroPython tree.
package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ManagedVersion is the MicroPython version `mage setup` keeps under .mpforge/.
const ManagedVersion = "1.26.1"

// MicroPythonDir returns the MicroPython tree tests should use: $MICROPY_DIR when set,
// else the managed copy <repo>/.mpforge/micropython-<ManagedVersion>. It fails the test
// with a hint when neither exists, so a missing tree is never mistaken for a pass.
func MicroPythonDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("MICROPY_DIR"); dir != "" {
		if !isDir(filepath.Join(dir, "py")) {
			t.Fatalf("MICROPY_DIR=%s: not a MicroPython tree (no py/ folder); unset it or point it at a clone", dir)
		}
		return dir
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, ".mpforge", "micropython-"+ManagedVersion)
	if !isDir(filepath.Join(dir, "py")) {
		t.Fatalf("no MicroPython tree: MICROPY_DIR is unset and %s does not exist; run `go run ./mage setup` or set MICROPY_DIR", dir)
	}
	return dir
}

// MicroPythonDirs returns MicroPythonDir(t) followed by the extra trees listed in
// $MPFORGE_TEST_TREES (colon-separated), without duplicates, for tests that should hold
// for every supported MicroPython version.
func MicroPythonDirs(t testing.TB) []string {
	t.Helper()
	dirs := []string{MicroPythonDir(t)}
	seen := map[string]bool{filepath.Clean(dirs[0]): true}
	for _, d := range filepath.SplitList(os.Getenv("MPFORGE_TEST_TREES")) {
		if d = strings.TrimSpace(d); d == "" || seen[filepath.Clean(d)] {
			continue
		}
		if !isDir(filepath.Join(d, "py")) {
			t.Fatalf("MPFORGE_TEST_TREES lists %s, which is not a MicroPython tree (no py/ folder)", d)
		}
		seen[filepath.Clean(d)] = true
		dirs = append(dirs, d)
	}
	return dirs
}

// RepoRoot returns the repository root: the nearest directory at or above the
// working directory (a test's package folder) that holds go.mod.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", &os.PathError{Op: "find go.mod above", Path: wd, Err: os.ErrNotExist}
		}
	}
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
