package genhdr

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

var (
	pythonOnce sync.Once
	pythonPath string
)

// python3 returns the interpreter that runs the upstream scripts as the
// oracle, or skips the test when there is none. It resolves the real
// executable once, so that version-manager shims (pyenv) do not slow down
// every run.
func python3(t testing.TB) string {
	t.Helper()
	pythonOnce.Do(func() {
		p, err := exec.LookPath("python3")
		if err != nil {
			return
		}
		pythonPath = p
		if out, err := exec.Command(p, "-c", "import sys; print(sys.executable)").Output(); err == nil && len(bytes.TrimSpace(out)) > 0 {
			pythonPath = string(bytes.TrimSpace(out))
		}
	})
	if pythonPath == "" {
		t.Skip("python3 not found on PATH: the oracle tests run MicroPython's own scripts with it")
	}
	return pythonPath
}

// runPython runs python3 with args in dir, with extra environment
// variables, and returns its standard output. Standard error is reported
// only when the command fails.
func runPython(t testing.TB, dir string, env []string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(python3(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("python3 %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// diffText fails t with the first differing line of want and got.
func diffText(t testing.TB, what string, want, got []byte) {
	t.Helper()
	if bytes.Equal(want, got) {
		return
	}
	wl := strings.SplitAfter(string(want), "\n")
	gl := strings.SplitAfter(string(got), "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			t.Errorf("%s differs from the upstream script's output at line %d (%d vs %d bytes in all):\n want %q\n  got %q", what, i+1, len(want), len(got), w, g)
			return
		}
	}
}

var (
	zlibOnce    sync.Once
	zlibVersion string
)

// pythonZlibIsClassic reports whether the oracle's Python uses madler's
// zlib, whose deflate output sizes deflateLen models. Builds against
// zlib-ng compress differently, so the gzip/zlib size comments of
// compressed.data.h cannot match there.
func pythonZlibIsClassic(t testing.TB) bool {
	t.Helper()
	py := python3(t)
	zlibOnce.Do(func() {
		out, err := exec.Command(py, "-c", "import zlib; print(zlib.ZLIB_RUNTIME_VERSION)").Output()
		if err == nil {
			zlibVersion = strings.TrimSpace(string(out))
		}
	})
	return zlibVersion != "" && !strings.Contains(strings.ToLower(zlibVersion), "ng")
}
