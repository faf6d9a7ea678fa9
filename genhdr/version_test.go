package genhdr

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"mpforge/internal/testenv"
)

// versionScript runs the makeversionhdr.py found in tree on tree, with
// SOURCE_DATE_EPOCH set from testBuildDate, and returns the header.
// ceiling confines git to tree, as MPVersion does.
func versionScript(t *testing.T, script, tree string, ceiling bool) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "mpversion.h")
	env := []string{"SOURCE_DATE_EPOCH=" + strconv.FormatInt(testBuildDate.Unix(), 10)}
	if ceiling {
		env = append(env, "GIT_CEILING_DIRECTORIES="+filepath.Dir(tree))
	}
	cmd := exec.Command(python3(t), script, "-r", tree, out)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MICROPY_GIT_") && !strings.HasPrefix(kv, "GIT_CEILING_DIRECTORIES=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("makeversionhdr.py: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestMPVersionTreeOracle(t *testing.T) {
	python3(t)
	for _, tree := range testenv.MicroPythonDirs(t) {
		t.Run(treeName(t, tree), func(t *testing.T) {
			t.Parallel()
			want := versionScript(t, filepath.Join(tree, "py", "makeversionhdr.py"), tree, true)
			// The date is the UTC date whatever zone the caller's time is in.
			got, err := MPVersion(tree, testBuildDate.In(time.FixedZone("UTC+5", 5*3600)))
			if err != nil {
				t.Fatal(err)
			}
			diffText(t, "mpversion.h", want, got)
		})
	}
}

// gitRun runs git in dir with a fixed identity and no user configuration.
func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=genhdr test", "GIT_AUTHOR_EMAIL=test@example.invalid",
		"GIT_COMMITTER_NAME=genhdr test", "GIT_COMMITTER_EMAIL=test@example.invalid",
		"GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// miniTree makes a folder with just what makeversionhdr.py reads.
func miniTree(t *testing.T, from, dir string) string {
	t.Helper()
	for _, name := range []string{"mpconfig.h", "makeversionhdr.py"} {
		data, err := os.ReadFile(filepath.Join(from, "py", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "py"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "py", name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestMPVersionGitOracle(t *testing.T) {
	python3(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not found on PATH")
	}
	from := testenv.MicroPythonDir(t)
	tree := miniTree(t, from, filepath.Join(t.TempDir(), "micropython"))
	script := filepath.Join(tree, "py", "makeversionhdr.py")
	check := func(state, wantTag string) string {
		t.Helper()
		want := versionScript(t, script, tree, true)
		got, err := MPVersion(tree, testBuildDate)
		if err != nil {
			t.Fatal(err)
		}
		diffText(t, "mpversion.h of a git tree "+state, want, got)
		if !strings.Contains(string(got), `MICROPY_GIT_TAG "`+wantTag) {
			t.Errorf("%s: tag is not %q:\n%s", state, wantTag, got)
		}
		return string(got)
	}
	version, err := mpconfigVersion(tree)
	if err != nil {
		t.Fatal(err)
	}

	gitRun(t, tree, "init", "-q")
	check("without commits", version)
	gitRun(t, tree, "add", ".")
	gitRun(t, tree, "commit", "-q", "-m", "first")
	head := strings.TrimSpace(gitRun(t, tree, "rev-parse", "--short", "HEAD"))
	check("without tags", head)
	gitRun(t, tree, "tag", "v1.26.1")
	check("at a release tag", "v1.26.1")
	gitRun(t, tree, "commit", "-q", "--allow-empty", "-m", "second")
	check("after the tag", "v1.26.1-1.g")
	if err := os.WriteFile(filepath.Join(tree, "py", "mpconfig.h"), []byte("// edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := check("with local changes", "v1.26.1-1.g"); !strings.Contains(got, `.dirty"`) {
		t.Errorf("with local changes: tag is not marked dirty:\n%s", got)
	}
}

// TestMPVersionNestedTree documents the one deliberate difference from the
// script: a tree inside another project's repository is versioned from
// py/mpconfig.h, not from the project's commits.
func TestMPVersionNestedTree(t *testing.T) {
	python3(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not found on PATH")
	}
	outer := t.TempDir()
	gitRun(t, outer, "init", "-q")
	gitRun(t, outer, "commit", "-q", "--allow-empty", "-m", "project")
	tree := miniTree(t, testenv.MicroPythonDir(t), filepath.Join(outer, ".mpforge", "micropython"))
	script := filepath.Join(tree, "py", "makeversionhdr.py")

	got, err := MPVersion(tree, testBuildDate)
	if err != nil {
		t.Fatal(err)
	}
	diffText(t, "mpversion.h of a nested tree", versionScript(t, script, tree, true), got)
	if string(got) == string(versionScript(t, script, tree, false)) {
		t.Error("the script no longer describes the enclosing repository; the documented difference is gone")
	}
	if !strings.Contains(string(got), `"<no hash>"`) {
		t.Errorf("nested tree got a git hash:\n%s", got)
	}
}

func TestMPVersionErrors(t *testing.T) {
	if _, err := MPVersion(t.TempDir(), testBuildDate); err == nil || !strings.Contains(err.Error(), "MicroPython tree") {
		t.Errorf("MPVersion on an empty folder: err = %v, want one naming the missing tree", err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "py"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "py", "mpconfig.h"), []byte("#define MICROPY_VERSION_MAJOR 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := MPVersion(dir, testBuildDate); err == nil || !strings.Contains(err.Error(), "PRERELEASE") {
		t.Errorf("MPVersion without MICROPY_VERSION_PRERELEASE: err = %v", err)
	}
	preview := "#define MICROPY_VERSION_MAJOR 1\n#define MICROPY_VERSION_MINOR 27\n#define MICROPY_VERSION_MICRO 0\n#define MICROPY_VERSION_PRERELEASE 1\n"
	if err := os.WriteFile(filepath.Join(dir, "py", "mpconfig.h"), []byte(preview), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := MPVersion(dir, testBuildDate)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), `#define MICROPY_GIT_TAG "v1.27.0-preview"`) || !strings.Contains(string(got), `#define MICROPY_BUILD_DATE "2023-11-14"`) {
		t.Errorf("preview tree:\n%s", got)
	}
}
