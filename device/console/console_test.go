package console_test

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"mpforge/device/console"
)

// keys collects keystrokes until the console ends them.
func keys(t *testing.T, c *console.Console) string {
	t.Helper()
	var got []byte
	timeout := time.After(30 * time.Second)
	for {
		select {
		case k, ok := <-c.Keys():
			if !ok {
				return string(got)
			}
			got = append(got, k...)
		case <-timeout:
			t.Fatalf("keys never ended; got %q", got)
		}
	}
}

func TestRawModeExitKeyAndRestore(t *testing.T) {
	for _, exit := range []byte{console.KeyCtrlRightBracket, console.KeyCtrlX} {
		kbd, tty, err := pty.Open()
		if err != nil {
			t.Fatal(err)
		}
		before, _ := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		c, err := console.Open(tty)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		if raw.Lflag&(unix.ICANON|unix.ECHO|unix.ISIG) != 0 {
			t.Errorf("terminal not raw: lflag %#x", raw.Lflag)
		}
		// Ctrl-C and Ctrl-D are ordinary keys for the board.
		kbd.Write([]byte{'a', 0x03, 0x04, 'b', exit, 'c'})
		if got := keys(t, c); got != "a\x03\x04b" {
			t.Errorf("keys = %q, want everything before the exit key %#x", got, exit)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		after, _ := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		if *after != *before {
			t.Errorf("terminal not restored after exit key %#x", exit)
		}
		kbd.Close()
		tty.Close()
	}
}

func TestSignalEndsAndRestores(t *testing.T) {
	kbd, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer kbd.Close()
	defer tty.Close()
	before, _ := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	c, err := console.Open(tty)
	if err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	keys(t, c)
	c.Close()
	after, _ := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if *after != *before {
		t.Error("terminal not restored after SIGHUP")
	}
}

func TestCloseWhileWaiting(t *testing.T) {
	_, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	c, err := console.Open(tty)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	keys(t, c) // closed by Close, no key pressed
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestPipeInputEndsAtEOF(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c, err := console.Open(r)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w.Write([]byte("print(1)\r"))
	w.Close()
	if got := keys(t, c); got != "print(1)\r" {
		t.Errorf("keys = %q", got)
	}
}
