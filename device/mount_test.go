package device_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"mpforge/device"
	"mpforge/device/internal/devtest"
)

// vectors holds every byte value, so the bytes the raw REPL and the mount
// protocol treat specially (Ctrl-C, Ctrl-D, DLE, 0xA5) must all arrive as data.
func vectors() []byte {
	b := make([]byte, 1500)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

// A folder with helper modules, a package and data runs on a twin whose
// firmware has none of them frozen in: the runner serves the folder.
func TestRunMountsScriptFolder(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("host secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := writeScripts(t, map[string]string{
		"mylib.py":             "def answer():\n    return 42\n",
		"helpers/__init__.py":  "",
		"helpers/checks.py":    "def total(b):\n    return sum(b)\n",
		"data/notes.txt":       "line one\nline two\n",
		"test_uses_helpers.py": testUsesHelpers,
		"test_writes.py":       "import os\nwith open('out.txt', 'w') as f:\n    f.write('from the board')\nos.mkdir('made')\nprint('wrote')\n",
	})
	vec := vectors()
	if err := os.WriteFile(filepath.Join(dir, "data", "vectors.bin"), vec, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "escape.txt")); err != nil {
		t.Fatal(err)
	}
	var sum int
	for _, b := range vec {
		sum += int(b)
	}
	tg := startQEMU(t)
	var out bytes.Buffer
	scripts := []string{filepath.Join(dir, "test_uses_helpers.py"), filepath.Join(dir, "test_writes.py")}
	rep, err := device.RunScripts(context.Background(), tg, scripts, device.Options{Out: &out, Mount: device.MountReadOnly})
	if rep == nil {
		t.Fatal(err)
	}
	got := rep.Results[0]
	if got.Status != device.Pass {
		t.Fatalf("script with helpers: %s %v\n%s", got.Status, got.Err, out.String())
	}
	for _, want := range []string{
		"answer 42\n", "total " + itoa(sum) + " len 1500\n", "notes ['line one\\n', 'line two\\n']\n",
		"mix 'line one\\n' 'line two\\n' 5 'one' 8\n", "cwd /remote\n", "listdir ['data', 'escape.txt', 'helpers', 'mylib.py', 'test_uses_helpers.py', 'test_writes.py']\n",
		"escape refused\n", "dotdot refused\n",
	} {
		if !strings.Contains(got.Stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, got.Stdout)
		}
	}
	// Read-only by default: the write fails on the board, nothing appears here.
	if w := rep.Results[1]; w.Status != device.Fail || !strings.Contains(w.Stderr, "OSError: 30") || !strings.Contains(w.Stderr, `File "<mount>"`) {
		t.Errorf("write to a read-only mount: %s, stderr %q", w.Status, w.Stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.txt")); err == nil {
		t.Error("a read-only mount let the board create out.txt")
	}

	// Writable on request.
	rep, err = device.RunScripts(context.Background(), tg, scripts[1:], device.Options{Out: &out, Mount: device.MountWritable})
	if err != nil {
		t.Fatalf("writable mount: %v\n%s", err, out.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, "out.txt")); err != nil || string(b) != "from the board" {
		t.Errorf("out.txt = %q, %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "made")); err != nil || !fi.IsDir() {
		t.Errorf("made/ not created: %v", err)
	}

	// Without the mount the same script cannot import its helper.
	rep, _ = device.RunScripts(context.Background(), tg, scripts[:1], device.Options{Out: &out})
	if r := rep.Results[0]; r.Status != device.Fail || !strings.Contains(r.Stderr, "ImportError") {
		t.Errorf("without mount: %s, stderr %q", r.Status, r.Stderr)
	}
}

const testUsesHelpers = `import os
import mylib
from helpers import checks
print('answer', mylib.answer())
with open('data/vectors.bin', 'rb') as f:
    b = f.read()
print('total', checks.total(b), 'len', len(b))
with open('data/notes.txt') as f:
    print('notes', f.readlines())
with open('data/notes.txt') as f:
    first = f.readline()
    rest = f.read()
    f.seek(5)
    print('mix', repr(first), repr(rest), f.tell(), repr(f.read(3)), f.tell())
print('cwd', os.getcwd())
print('listdir', sorted(os.listdir()))
try:
    open('escape.txt').read()
    print('escape allowed')
except OSError:
    print('escape refused')
try:
    open('../../../etc/passwd').read()
    print('dotdot allowed')
except OSError:
    print('dotdot refused')
`

func itoa(n int) string { return strconv.Itoa(n) }

// BenchmarkMountRead64K reads a 64 KiB file from the served folder on the
// twin: one run:script step (soft reset, mount, script) per iteration.
func BenchmarkMountRead64K(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "blob.bin"), bytes.Repeat([]byte{0x10, 0xA5, 3, 4}, 16<<10), 0o644); err != nil {
		b.Fatal(err)
	}
	script := filepath.Join(dir, "read.py")
	if err := os.WriteFile(script, []byte("n = len(open('blob.bin', 'rb').read())\nassert n == 65536, n\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tg, err := device.StartQEMU(ctx, devtest.QEMU(b))
	if err != nil {
		b.Fatal(err)
	}
	defer tg.Close()
	b.SetBytes(64 << 10)
	b.ResetTimer()
	for range b.N {
		if rep, err := device.RunScripts(ctx, tg, []string{script}, device.Options{Mount: device.MountReadOnly}); err != nil {
			b.Fatalf("%v\n%s%s", err, rep.Results[0].Stdout, rep.Results[0].Stderr)
		}
	}
}
