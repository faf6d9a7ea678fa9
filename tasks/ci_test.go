package tasks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/charmbracelet/log"

	"mpforge/internal/testfw"
	"mpforge/release"
	"mpforge/tasks"
)

// checkoutEnv is an Env on a private copy of the checkout and the tree, with
// no compiler launcher unless the test sets one.
func checkoutEnv(t *testing.T) *tasks.Env {
	root, tree := testfw.Checkout(t)
	t.Setenv("MICROPY_DIR", tree)
	t.Setenv("MPFORGE_CC_LAUNCHER", "")
	t.Setenv(tasks.EnvSizeBaseline, "")
	t.Setenv(tasks.EnvMpyCrossCache, "off") // each test counts its own compiles
	return &tasks.Env{Root: root, Logger: log.New(io.Discard), Jobs: runtime.NumCPU()}
}

func readDist(t *testing.T, dir string) map[string][]byte {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[rel], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// ciHelperRoot, when set, makes TestCIHelperProcess run `mage ci` on that
// checkout: TestCIReproducible runs each CI in a process of its own, as two
// CI jobs would, so that nothing tied to a process (such as its PID) can
// hide in the comparison.
const ciHelperRoot = "MPFORGE_TEST_CI_ROOT"

func TestCIHelperProcess(t *testing.T) {
	root := os.Getenv(ciHelperRoot)
	if root == "" {
		t.Skip("runs only as TestCIReproducible's child process")
	}
	env := &tasks.Env{Root: root, Logger: log.New(io.Discard), Jobs: runtime.NumCPU()}
	if err := env.CI(context.Background(), []string{ciBoard}, os.Stdout); err != nil {
		t.Fatal(err)
	}
}

const ciBoard = "mps2-an505"

// runCI runs `mage ci` for ciBoard on root in a child process and returns its output.
func runCI(t *testing.T, root string) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCIHelperProcess$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), ciHelperRoot+"="+root)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mage ci: %v\n%s", err, out)
	}
	return string(out)
}

// Two `mage ci` runs from clean output folders give the same dist/, byte
// for byte, and the second reports no size change against the first.
func TestCIReproducible(t *testing.T) {
	env := checkoutEnv(t)
	out := runCI(t, env.Root)
	dist := filepath.Join(env.Root, "dist")
	first := readDist(t, dist)
	want := []string{"SHA256SUMS"}
	for _, f := range []string{"firmware.elf", "firmware.bin", "firmware.hex", "firmware.map", "size.json", "manifest.json"} {
		want = append(want, ciBoard+"/"+f)
	}
	for _, f := range want {
		if len(first[f]) == 0 {
			t.Errorf("dist/%s missing or empty", f)
		}
	}
	if len(first) != len(want) {
		t.Errorf("dist/ holds %d files, want %d", len(first), len(want))
	}
	if !strings.Contains(out, "BOARD") || !strings.Contains(out, ciBoard+"  FLASH") {
		t.Errorf("no size table in the output:\n%s", out)
	}

	var m release.Manifest
	if err := json.Unmarshal(first[ciBoard+"/manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	if m.Board != ciBoard || m.MicroPython.Version == "" || m.MicroPython.Source != "MICROPY_DIR" || m.Revision != release.Unknown ||
		!strings.HasPrefix(m.Toolchain, "arm-none-eabi-gcc") || len(m.FlagsSHA256) != 64 {
		t.Errorf("manifest: %+v", m)
	}
	var s release.Size
	if err := json.Unmarshal(first[ciBoard+"/size.json"], &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Regions) != 2 || s.Regions[0].Name != "FLASH" || s.Regions[0].Used < 100_000 || s.Regions[1].Used < 192*1024 {
		t.Errorf("size.json regions: %+v", s.Regions)
	}

	baseline := filepath.Join(t.TempDir(), "previous")
	if err := os.Rename(dist, baseline); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(env.Root, "out")); err != nil {
		t.Fatal(err)
	}
	t.Setenv(tasks.EnvSizeBaseline, baseline)
	out = runCI(t, env.Root)
	second := readDist(t, dist)
	for name, data := range first {
		if !bytes.Equal(second[name], data) {
			t.Errorf("dist/%s differs between two clean runs%s", name, firstDiff(data, second[name]))
		}
	}
	if !strings.Contains(out, "size change against "+baseline) || !strings.Contains(out, "no size change") {
		t.Errorf("no size comparison in the output:\n%s", out)
	}
	cmd := exec.Command("sha256sum", "--check", "--strict", "--quiet", "SHA256SUMS")
	cmd.Dir = dist
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("sha256sum --check: %v\n%s", err, msg)
	}
}

// firstDiff shows the first line that differs, for text files.
func firstDiff(a, b []byte) string {
	if bytes.IndexByte(a, 0) >= 0 {
		return ""
	}
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf(": line %d\n  first:  %s\n  second: %s", i+1, la[i], lb[i])
		}
	}
	return ": one is a prefix of the other"
}

func TestCIErrors(t *testing.T) {
	env := checkoutEnv(t)
	ctx := context.Background()
	if err := env.CI(ctx, []string{"mps2-an505", "mps2-an505"}, io.Discard); err == nil || !strings.Contains(err.Error(), "named twice") {
		t.Errorf("a board named twice: %v", err)
	}
	if err := env.CI(ctx, []string{"mps2-an505", "no-such-board"}, io.Discard); err == nil || !strings.Contains(err.Error(), "no-such-board") || !strings.Contains(err.Error(), "fr30xx") {
		t.Errorf("an unknown board: %v, want its name and the known boards", err)
	}
	if _, err := os.Stat(filepath.Join(env.Root, "out", "mps2-an505")); !os.IsNotExist(err) {
		t.Errorf("an unknown board after a known one: the known one was built first (%v)", err)
	}
	t.Setenv(tasks.EnvSizeBaseline, filepath.Join(t.TempDir(), "nothing"))
	if err := env.CI(ctx, nil, io.Discard); err == nil || !strings.Contains(err.Error(), tasks.EnvSizeBaseline) {
		t.Errorf("a missing baseline: %v", err)
	}
	if _, err := os.Stat(filepath.Join(env.Root, "dist")); !os.IsNotExist(err) {
		t.Errorf("failed runs wrote dist/: %v", err)
	}
}

func TestBoardList(t *testing.T) {
	for in, want := range map[string]string{
		"":                                 "",
		"fr30xx":                           "fr30xx",
		"mps2-an505,mps2-an385":            "mps2-an505|mps2-an385",
		" mps2-an505, fr30xx  mps2-an385 ": "mps2-an505|fr30xx|mps2-an385",
	} {
		if got := strings.Join(tasks.BoardList(in), "|"); got != want {
			t.Errorf("BoardList(%q) = %q, want %q", in, got, want)
		}
	}
}
