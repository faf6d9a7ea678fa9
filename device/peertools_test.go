package device_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mpforge/device/internal/devtest"
	"mpforge/device/internal/serialport"
	"mpforge/device/qemu"
	"mpforge/internal/testenv"
	"mpforge/suite"
)

// peerTools runs the MicroPython tree's mpremote and pyboard.py with
// Debian's python3, as a test engineer would against a twin's pty.
type peerTools struct {
	t           *testing.T
	tree, pty   string
	python, dir string
}

func newPeerTools(t *testing.T, pty string) *peerTools {
	t.Helper()
	python := suite.DefaultPython
	if out, err := exec.Command(python, "-c", "import serial, platformdirs").CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import serial and platformdirs, which mpremote needs (Debian: apt install python3-serial python3-platformdirs): %v\n%s", python, err, out)
	}
	return &peerTools{t: t, tree: testenv.MicroPythonDir(t), pty: pty, python: python, dir: t.TempDir()}
}

func (p *peerTools) run(name string, args ...string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var argv []string
	env := os.Environ()
	if name == "mpremote" {
		argv = append([]string{"-m", "mpremote", "connect", p.pty}, args...)
		env = append(env, "PYTHONPATH="+filepath.Join(p.tree, "tools", "mpremote"))
	} else {
		argv = append([]string{filepath.Join(p.tree, "tools", "pyboard.py"), "-d", p.pty}, args...)
	}
	cmd := exec.CommandContext(ctx, p.python, argv...)
	cmd.Dir, cmd.Env = p.dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		p.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.ReplaceAll(string(out), "\r\n", "\n")
}

func (p *peerTools) file(name, content string) {
	p.t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func wantIn(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s: output lacks %q:\n%s", what, w, out)
		}
	}
}

// The tree's mpremote and pyboard.py work against a twin on a pty: files
// copied to the board's littlefs, listed, read back, removed; a host folder
// mounted; a script run; and main.py, stored on the board, runs at the next
// start-up (a soft reset of the friendly REPL) with what it imports from /lib.
func TestPeerToolsOnTwinFilesystem(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inst, err := qemu.StartPTY(ctx, devtest.QEMU(t))
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Stop()
	p := newPeerTools(t, inst.PTY())
	p.file("mylib.py", "X = 42\n")
	p.file("main.py", "import mylib\nprint('main ran, X =', mylib.X)\n")
	p.file("gone.txt", "to be removed\n")
	p.file("host/helper.py", "def hello():\n    return 'hello from the host'\n")
	p.file("script.py", "import os\nprint('run sees', sorted(os.listdir('/lib')))\n")
	p.file("data.txt", "pyboard was here\n")

	p.run("mpremote", "fs", "mkdir", ":lib")
	p.run("mpremote", "fs", "cp", "mylib.py", ":lib/mylib.py", "+", "fs", "cp", "main.py", ":main.py", "+", "fs", "cp", "gone.txt", ":gone.txt")
	wantIn(t, "fs ls", p.run("mpremote", "fs", "ls", ":"), "main.py", "lib/", "gone.txt")
	wantIn(t, "fs cat", p.run("mpremote", "fs", "cat", ":lib/mylib.py"), "X = 42")
	p.run("mpremote", "fs", "rm", ":gone.txt")
	if out := p.run("mpremote", "fs", "ls", ":"); strings.Contains(out, "gone.txt") {
		t.Errorf("fs rm left gone.txt:\n%s", out)
	}
	wantIn(t, "mount", p.run("mpremote", "mount", "host", "exec", "import helper; print(helper.hello())"), "hello from the host")
	wantIn(t, "run", p.run("mpremote", "run", "script.py"), "run sees ['mylib.py']")
	p.run("pyboard", "-f", "cp", "data.txt", ":data.txt")
	wantIn(t, "pyboard -f ls", p.run("pyboard", "-f", "ls"), "data.txt")
	wantIn(t, "pyboard -f cat", p.run("pyboard", "-f", "cat", "data.txt"), "pyboard was here")

	// A soft reset of the friendly REPL runs main.py; the files survive it.
	port, err := serialport.Open(inst.PTY(), 115200)
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	got := make(chan string, 1)
	go func() {
		var seen bytes.Buffer
		b := make([]byte, 256)
		for !strings.Contains(seen.String(), "main ran, X = 42") {
			n, err := port.Read(b)
			seen.Write(b[:n])
			if err != nil {
				break
			}
		}
		got <- seen.String()
	}()
	if _, err := port.Write([]byte("\r\x02\x04")); err != nil {
		t.Fatal(err)
	}
	select {
	case out := <-got:
		wantIn(t, "soft reset", out, "MPY: soft reboot", "main ran, X = 42")
	case <-time.After(20 * time.Second):
		t.Fatal("no \"main ran\" within 20 s of a soft reset in the friendly REPL")
	}
	port.Close()
	wantIn(t, "after the reset", p.run("pyboard", "-f", "cat", "data.txt"), "pyboard was here")
}
