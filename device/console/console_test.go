//go:build unix

package console_test

import (
	"mpforge/internal/testenv"
	"os"
	"syscall"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"mpforge/device/console"
)

func TestRawModeExitKeyAndRestore(t *testing.T) {
	for _, exit := range []byte{console.KeyCtrlRightBracket, console.KeyCtrlX} {
		kbd, tty, err := pty.Open()
		if err != nil {
			t.Fatal(err)
		}
		before, _ := testenv.Termios(int(tty.Fd()))
		c, err := console.Open(tty)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := testenv.Termios(int(tty.Fd()))
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
		after, _ := testenv.Termios(int(tty.Fd()))
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
	before, _ := testenv.Termios(int(tty.Fd()))
	c, err := console.Open(tty)
	if err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	keys(t, c)
	c.Close()
	after, _ := testenv.Termios(int(tty.Fd()))
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
