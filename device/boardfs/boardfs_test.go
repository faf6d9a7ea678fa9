package boardfs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mpforge/device/boardfs"
	"mpforge/device/internal/devtest"
	"mpforge/device/internal/shared"
	"mpforge/device/qemu"
	"mpforge/device/rawrepl"
)

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Sync copies a folder tree into the twin's littlefs, byte for byte, and
// a second sync rewrites only what changed.
func TestSyncCopiesFolderAndSkipsUnchanged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := make([]byte, 3000)
	for i := range bin {
		bin[i] = byte(i*13 + i>>8)
	}
	write(t, filepath.Join(dir, "main.py"), []byte("print('hi')\n"))
	write(t, filepath.Join(dir, "lib", "mylib.py"), []byte("X = 1\n"))
	write(t, filepath.Join(dir, "data", "deep", "vectors.bin"), bin)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inst, err := qemu.StartPipe(ctx, devtest.QEMU(t))
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Stop()
	// Three clients take turns on the console, one after another.
	conn := shared.New(inst.Conn())
	turn := func() *shared.Session {
		s := conn.Open()
		t.Cleanup(func() { s.Close() })
		return s
	}

	var out bytes.Buffer
	first := turn()
	if err := boardfs.Sync(ctx, first, dir, "/", &out, boardfs.Options{}); err != nil {
		t.Fatalf("sync: %v\n%s", err, out.String())
	}
	for _, want := range []string{"copied /main.py 12", "copied /lib/mylib.py 6", "copied /data/deep/vectors.bin 3000", "synced 3 copied 0 unchanged"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("first sync: output lacks %q:\n%s", want, out.String())
		}
	}

	// Change one file: only it is copied.
	write(t, filepath.Join(dir, "lib", "mylib.py"), []byte("X = 2\n"))
	out.Reset()
	first.Close()
	second := turn()
	if err := boardfs.Sync(ctx, second, dir, "/", &out, boardfs.Options{}); err != nil {
		t.Fatalf("second sync: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "synced 1 copied 2 unchanged") || !strings.Contains(out.String(), "copied /lib/mylib.py") {
		t.Errorf("second sync:\n%s", out.String())
	}

	// What the board holds is what the host has.
	second.Close()
	c := rawrepl.New(turn(), rawrepl.Options{})
	defer c.Close()
	if err := c.SoftReset(ctx); err != nil {
		t.Fatal(err)
	}
	var got, tb bytes.Buffer
	src := "import hashlib, binascii\nh = hashlib.sha256(open('/data/deep/vectors.bin', 'rb').read())\nprint(binascii.hexlify(h.digest()).decode())\nimport mylib\nprint('X', mylib.X)\n"
	if err := c.Exec(ctx, []byte(src), &got, &tb); err != nil {
		t.Fatalf("%v\n%s", err, tb.String())
	}
	want := fmt.Sprintf("%x\nX 2\n", sha256.Sum256(bin))
	if s := strings.ReplaceAll(got.String(), "\r\n", "\n"); s != want {
		t.Errorf("board has:\n%s\nwant:\n%s", s, want)
	}

	if err := boardfs.Sync(ctx, turn(), dir, "lib", &out, boardfs.Options{}); err == nil || !strings.Contains(err.Error(), "absolute folder") {
		t.Errorf("relative destination: %v", err)
	}
}
