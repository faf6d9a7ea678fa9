//go:build unix

package monitor_test

import (
	"context"
	"mpforge/internal/syncbuf"
	"mpforge/internal/testenv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"mpforge/device/internal/devtest"
	"mpforge/device/monitor"
	"mpforge/device/qemu"
)

// waitFor waits until the screen shows want after position from, and
// returns the position after it.
func waitFor(t *testing.T, screen *syncbuf.Buffer, from int, want string) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		s := screen.String()
		if i := strings.Index(s[from:], want); i >= 0 {
			return from + i + len(want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("screen never showed %q after offset %d; screen:\n%q", want, from, screen.String())
	return 0
}

// startPTY starts QEMU on a pty and points link at it, the way udev's
// /dev/serial/by-id names follow a USB serial port across replugs.
func startPTY(t *testing.T, link string) *qemu.Instance {
	t.Helper()
	inst, err := qemu.StartPTY(context.Background(), devtest.QEMU(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Stop() })
	tmp := link + ".new"
	if err := os.Symlink(inst.PTY(), tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
	return inst
}

func TestMonitorTypesAndReconnects(t *testing.T) {
	link := filepath.Join(t.TempDir(), "console")
	inst := startPTY(t, link)

	// The keyboard is a real terminal, so raw mode and its undoing are exercised.
	kbd, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer kbd.Close()
	defer tty.Close()
	before, err := testenv.Termios(int(tty.Fd()))
	if err != nil {
		t.Fatal(err)
	}

	var screen syncbuf.Buffer
	done := make(chan error, 1)
	go func() {
		done <- monitor.Run(context.Background(), monitor.Options{Port: link, In: tty, Out: &screen, MaxBackoff: 200 * time.Millisecond})
	}()
	pos := waitFor(t, &screen, 0, "exit with Ctrl-] or Ctrl-X")
	during, err := testenv.Termios(int(tty.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	if during.Lflag&(unix.ICANON|unix.ECHO) != 0 {
		t.Errorf("keyboard terminal not in raw mode while monitoring (lflag %#x)", during.Lflag)
	}

	kbd.Write([]byte("1+1\r"))
	pos = waitFor(t, &screen, pos, "1+1\r\n2\r\n")

	// QEMU goes away and comes back on another pty, like a board on USB.
	inst.Stop()
	pos = waitFor(t, &screen, pos, monitor.NoticeGone)
	startPTY(t, link)
	pos = waitFor(t, &screen, pos, monitor.NoticeReconnected)
	kbd.Write([]byte("2+3\r"))
	waitFor(t, &screen, pos, "2+3\r\n5\r\n")

	kbd.Write([]byte{0x1d}) // Ctrl-]
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("monitor.Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("monitor did not exit on Ctrl-]")
	}
	after, err := testenv.Termios(int(tty.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	if *after != *before {
		t.Errorf("terminal not restored: before %+v, after %+v", before, after)
	}
}

// A path that exists but is no serial port is a setup mistake: Run says so
// at once instead of waiting for it to "come back".
func TestMonitorNotASerialPort(t *testing.T) {
	_, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	file := filepath.Join(t.TempDir(), "plain-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err = monitor.Run(context.Background(), monitor.Options{Port: file, In: tty, Out: &syncbuf.Buffer{}})
	if err == nil || !strings.Contains(err.Error(), "cannot open "+file) {
		t.Fatalf("Run on a plain file = %v, want a cannot-open error", err)
	}
}
