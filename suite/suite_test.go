package suite_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"mpforge/internal/testenv"
	"mpforge/internal/testfw"
	"mpforge/suite"
)

// few is a handful of upstream basics tests, selected with run-tests.py's
// own filter so the run stays short, plus our own tests from the temp folder.
const few = `basics/(0prelim|int_small|list1|string1|dict1|try1|gen_yield_from)\.py|mpforge_`

// ownTests writes a passing, a failing and a self-skipping test (each
// with a .exp file, so no CPython reference run is involved).
func ownTests(t *testing.T) string {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"mpforge_pass.py":     "print(6 * 7)\n",
		"mpforge_pass.py.exp": "42\n",
		"mpforge_fail.py":     "print('got this')\n",
		"mpforge_fail.py.exp": "wanted that\n",
		"mpforge_skip.py":     "print('SKIP')\nraise SystemExit\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func options(t *testing.T, board string) suite.Options {
	res, b := testfw.Firmware(t, board)
	return suite.Options{
		Tree: testenv.MicroPythonDir(t), Machine: b.QEMU.Machine, Kernel: res.ELF, QEMUArgs: b.QEMU.Args,
	}
}

func TestRunOnTwin(t *testing.T) {
	o := options(t, "mps2-an505")
	own := ownTests(t)
	o.Dirs = []string{"basics", own}
	o.Include = []string{few}
	o.ResultDir = filepath.Join(t.TempDir(), "results")
	var out bytes.Buffer
	o.Output = &out
	res, err := suite.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s", res.Summary(), out.String())
	wantPass := []string{"basics/0prelim.py", "basics/dict1.py", "basics/gen_yield_from.py", "basics/int_small.py",
		"basics/list1.py", "basics/string1.py", "basics/try1.py", filepath.Join(own, "mpforge_pass.py")}
	slices.Sort(res.Passed)
	slices.Sort(wantPass)
	if !slices.Equal(res.Passed, wantPass) {
		t.Errorf("passed %q, want %q", res.Passed, wantPass)
	}
	if want := []string{filepath.Join(own, "mpforge_fail.py")}; !slices.Equal(res.Failed, want) {
		t.Errorf("failed %q, want %q", res.Failed, want)
	}
	if want := []string{filepath.Join(own, "mpforge_skip.py")}; !slices.Equal(res.Skipped, want) {
		t.Errorf("skipped %q, want %q", res.Skipped, want)
	}
	if res.OK() {
		t.Error("OK() with a failed test")
	}
	exp, got := res.Outputs(res.Failed[0])
	for file, want := range map[string]string{exp: "wanted that\n", got: "got this\n"} {
		data, err := os.ReadFile(file)
		if err != nil || string(data) != want {
			t.Errorf("%s: %q, %v; want %q", file, data, err, want)
		}
	}
}

// lineWatch calls found once when a line starting with prefix has been written.
type lineWatch struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	prefix string
	found  func()
	once   sync.Once
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for _, l := range strings.Split(w.buf.String(), "\n") {
		if strings.HasPrefix(l, w.prefix) {
			w.once.Do(w.found)
		}
	}
	return len(p), nil
}

// Cancelling a run stops run-tests.py and the QEMU it started.
func TestCancelStopsQEMU(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // the kernel copy, and so QEMU's command line, lives here
	o := options(t, "mps2-an505")
	o.Dirs = []string{"basics"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o.Output = &lineWatch{prefix: "pass ", found: cancel}
	if _, err := suite.Run(ctx, o); err != context.Canceled {
		t.Fatalf("Run after cancel: %v, want context.Canceled", err)
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if data, err := os.ReadFile(p); err == nil && bytes.Contains(data, []byte(tmp)) {
			t.Errorf("%s still runs: %q", filepath.Dir(p), bytes.ReplaceAll(data, []byte{0}, []byte{' '}))
		}
	}
}

// A python3 without pyserial is refused up front with the package to install.
func TestPythonWithoutSerial(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil || exec.Command(python, "-c", "import serial").Run() == nil {
		t.Skip("no python3 without pyserial on PATH to try") // here: the pyenv one lacks it
	}
	_, err = suite.Run(context.Background(), suite.Options{Tree: testenv.MicroPythonDir(t), Python: python, Machine: "mps2-an505"})
	if err == nil || !strings.Contains(err.Error(), "install python3-serial") {
		t.Fatalf("got %v, want the python3-serial hint", err)
	}
}

func TestRunErrors(t *testing.T) {
	tree := testenv.MicroPythonDir(t)
	ctx := context.Background()
	for name, c := range map[string]struct {
		o    suite.Options
		want string
	}{
		"no tests folder":  {suite.Options{Tree: t.TempDir(), Machine: "mps2-an505"}, "has no tests/run-tests.py"},
		"no python":        {suite.Options{Tree: tree, Python: "/nonexistent/python3", Machine: "mps2-an505"}, "install python3 and python3-serial"},
		"no machine":       {suite.Options{Tree: tree}, "no QEMU machine"},
		"no firmware":      {suite.Options{Tree: tree, Machine: "mps2-an505", Kernel: "/nonexistent.elf"}, "build the board first"},
		"space in an arg":  {suite.Options{Tree: tree, Machine: "mps2-an505", Kernel: "/bin/true", QEMUArgs: []string{"-d guest_errors"}}, "splits its command on whitespace"},
		"unknown QEMU bin": {suite.Options{Tree: tree, Machine: "mps2-an505", Kernel: "/bin/true", QEMU: "/nonexistent/qemu"}, "install qemu-system-arm"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := suite.Run(ctx, c.o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)

			}
		})
	}
}
