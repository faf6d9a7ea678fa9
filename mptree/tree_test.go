package mptree

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mpforge/internal/testenv"
)

func TestCheckRealTrees(t *testing.T) {
	for _, dir := range testenv.MicroPythonDirs(t) {
		tree, err := Check(dir)
		if err != nil {
			t.Errorf("Check(%s): %v", dir, err)
			continue
		}
		if !tree.Version.Supported() || !filepath.IsAbs(tree.Dir) {
			t.Errorf("Check(%s) = %+v", dir, tree)
		}
		// The version must agree with the folder name where it carries one (Debian tarballs do).
		if m := regexp.MustCompile(`micropython-(\d+\.\d+\.\d+)$`).FindStringSubmatch(filepath.Clean(dir)); m != nil && tree.Version.String() != m[1] {
			t.Errorf("Check(%s).Version = %v, want %s", dir, tree.Version, m[1])
		}
		t.Logf("%s: MicroPython %v, git=%v, source=%q", dir, tree.Version, tree.Git, tree.Source)
	}
}

// fakeTree builds a tree that passes Check's file checks, from the real tree's py/mpconfig.h
// with its version lines rewritten to version (major, minor, micro as text).
func fakeTree(t *testing.T, major, minor, micro string) string {
	t.Helper()
	cfg, err := os.ReadFile(filepath.Join(testenv.MicroPythonDir(t), "py", "mpconfig.h"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(cfg)
	for name, v := range map[string]string{"MAJOR": major, "MINOR": minor, "MICRO": micro} {
		re := regexp.MustCompile(`(?m)^#define MICROPY_VERSION_` + name + ` \d+$`)
		if !re.MatchString(text) {
			t.Fatalf("real py/mpconfig.h has no MICROPY_VERSION_%s line to edit", name)
		}
		text = re.ReplaceAllString(text, "#define MICROPY_VERSION_"+name+" "+v)
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "py", "mpconfig.h"), text)
	for _, p := range requiredPaths {
		write(t, filepath.Join(dir, p), "")
	}
	return dir
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckFakeTree(t *testing.T) {
	dir := fakeTree(t, "1", "25", "7")
	tree, err := Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tree.Version != (Version{1, 25, 7}) || tree.Git || tree.Source != "" || tree.Dir != dir {
		t.Errorf("Check = %+v", tree)
	}
	write(t, filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/master\n")
	write(t, filepath.Join(dir, sourceFile), "debian:micropython=1.25.7+ds-1\n")
	if tree, err = Check(dir); err != nil || !tree.Git || tree.Source != "debian:micropython=1.25.7+ds-1" {
		t.Errorf("Check with .git and source marker = %+v, %v", tree, err)
	}
}

func TestCheckErrors(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	write(t, file, "x")
	noVersion := filepath.Join(tmp, "noversion")
	write(t, filepath.Join(noVersion, "py", "mpconfig.h"), "#define MICROPY_VERSION_MAJOR 1\n#define MICROPY_VERSION_MINOR 26\n")
	old := fakeTree(t, "1", "22", "0")
	noReadline := fakeTree(t, "1", "26", "1")
	must(t, os.Remove(filepath.Join(noReadline, "shared", "readline", "readline.c")))
	noCMSIS := fakeTree(t, "1", "25", "0")
	must(t, os.RemoveAll(filepath.Join(noCMSIS, "lib", "cmsis")))

	for _, tc := range []struct{ dir, want string }{
		{filepath.Join(tmp, "absent"), "absent: no such directory"},
		{file, "file: not a directory"},
		{tmp, tmp + ": not a MicroPython tree: py/mpconfig.h missing"},
		{noVersion, "noversion: not a MicroPython tree: py/mpconfig.h: MICROPY_VERSION_MICRO not defined"},
		{old, old + ": version 1.22.0 not supported (need 1.25 or 1.26)"},
		{noReadline, noReadline + ": incomplete: shared/readline/readline.c missing ("},
		{noCMSIS, noCMSIS + ": incomplete: lib/cmsis/inc/core_cm3.h, lib/cmsis/inc/core_cm33.h, lib/cmsis/inc/cmsis_gcc.h missing"},
	} {
		_, err := Check(tc.dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Check(%s) error = %v; want it to contain %q", tc.dir, err, tc.want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestLocate(t *testing.T) {
	real := testenv.MicroPythonDir(t)
	fake := fakeTree(t, "1", "26", "1") // before MICROPY_DIR changes below
	root := t.TempDir()

	t.Setenv(EnvDir, real)
	tree, err := Locate(root)
	if err != nil || tree.Source != EnvDir {
		t.Errorf("Locate with %s=%s = %+v, %v", EnvDir, real, tree, err)
	}

	bad := filepath.Join(root, "nothing-here")
	t.Setenv(EnvDir, bad)
	if _, err := Locate(root); err == nil || !strings.HasPrefix(err.Error(), EnvDir+"="+bad+": no such directory") {
		t.Errorf("Locate with a bad %s: %v", EnvDir, err)
	}

	t.Setenv(EnvDir, "")
	_, err = Locate(root)
	if !errors.Is(err, ErrNoTree) || !strings.Contains(err.Error(), "mage setup") {
		t.Errorf("Locate with nothing: %v; want ErrNoTree mentioning mage setup", err)
	}

	managed := ManagedDir(root, Pinned)
	must(t, os.MkdirAll(managed, 0o755))
	if _, err := Locate(root); err == nil || !strings.Contains(err.Error(), "managed copy "+managed+": not a MicroPython tree") ||
		!strings.HasSuffix(err.Error(), "run `mage setup` to replace it") {
		t.Errorf("Locate with an empty managed copy: %v", err)
	}

	must(t, os.Remove(managed))
	must(t, os.Rename(fake, managed))
	if tree, err := Locate(root); err != nil || tree.Dir != managed || tree.Version != Pinned {
		t.Errorf("Locate with a managed copy = %+v, %v", tree, err)
	}
}
