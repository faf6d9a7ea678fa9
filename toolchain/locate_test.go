package toolchain

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeTool puts an executable file named name in dir (never run: only
// found), with ".exe" where the system wants it.
func fakeTool(t *testing.T, dir, name string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+exeSuffix)
	if err := os.WriteFile(path, []byte("#!/bin/false\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLocateOrder(t *testing.T) {
	gcc := Prefix + "gcc"
	onPath := t.TempDir()
	pathGCC := fakeTool(t, onPath, gcc)
	t.Setenv("PATH", onPath)

	mine := t.TempDir()
	mineGCC := fakeTool(t, filepath.Join(mine, "bin"), gcc)
	if got, err := (locator{goos: "linux", getenv: envOf(map[string]string{EnvToolchain: mine})}).find(gcc); err != nil || got != mineGCC {
		t.Errorf("%s set: got %q, %v; want %s before PATH", EnvToolchain, got, err, mineGCC)
	}
	empty := t.TempDir()
	_, err := (locator{goos: "linux", getenv: envOf(map[string]string{EnvToolchain: empty})}).find(gcc)
	var missing *MissingError
	if !errors.As(err, &missing) || !strings.Contains(err.Error(), EnvToolchain+"="+empty) || !strings.Contains(err.Error(), filepath.Join("bin", gcc)) {
		t.Errorf("%s naming a folder without the compiler: got %v", EnvToolchain, err)
	}
	if got, err := (locator{goos: "windows", getenv: envOf(nil)}).find(gcc); err != nil || got != pathGCC {
		t.Errorf("PATH: got %q, %v; want %s", got, err, pathGCC)
	}

	t.Setenv("PATH", t.TempDir())
	programs := t.TempDir()
	win := filepath.Join(programs, "Arm GNU Toolchain arm-none-eabi")
	fakeTool(t, filepath.Join(win, "9.2.1", "bin"), gcc)
	newest := fakeTool(t, filepath.Join(win, "13.3.rel1", "bin"), gcc)
	fakeTool(t, filepath.Join(win, "10.3", "bin"), gcc)
	if got, err := (locator{goos: "windows", getenv: envOf(map[string]string{"ProgramFiles(x86)": programs})}).find(gcc); err != nil || got != newest {
		t.Errorf("Windows install folder: got %q, %v; want the newest, %s", got, err, newest)
	}

	apps := t.TempDir()
	mac := fakeTool(t, filepath.Join(apps, "ArmGNUToolchain", "14.2.rel1", "arm-none-eabi", "bin"), gcc)
	if got, err := (locator{goos: "darwin", getenv: envOf(nil), applications: apps}).find(gcc); err != nil || got != mac {
		t.Errorf("macOS install folder: got %q, %v; want %s", got, err, mac)
	}

	_, err = (locator{goos: "darwin", getenv: envOf(nil), applications: t.TempDir()}).find(gcc)
	if !errors.As(err, &missing) || !strings.Contains(err.Error(), DownloadURL) || !strings.Contains(err.Error(), EnvToolchain) {
		t.Errorf("nothing installed on macOS: got %v, want the download page and %s", err, EnvToolchain)
	}
}
