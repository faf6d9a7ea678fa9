//go:build unix

package qemu_test

import (
	"context"
	"errors"
	"fmt"
	"mpforge/internal/syncbuf"
	"mpforge/internal/testenv"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"

	"mpforge/device/internal/devtest"
	"mpforge/device/qemu"
)

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// gone reports whether no process with this id exists any more.
func gone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// readUntil reads r until it has seen want.
func readUntil(t *testing.T, r *os.File, want string) string {
	t.Helper()
	var got []byte
	buf := make([]byte, 256)
	r.SetReadDeadline(time.Now().Add(30 * time.Second))
	for !strings.Contains(string(got), want) {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			t.Fatalf("reading for %q: %v; got %q", want, err, got)
		}
	}
	return string(got)
}

func TestPipeREPLAndStop(t *testing.T) {
	t.Parallel()
	inst, err := qemu.StartPipe(context.Background(), devtest.QEMU(t))
	if err != nil {
		t.Fatal(err)
	}
	conn := inst.Conn()
	conn.Write([]byte("\r6*7\r"))
	var got []byte
	buf := make([]byte, 256)
	for !strings.Contains(string(got), "6*7\r\n42\r\n") {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("read: %v; got %q", err, got)
		}
		got = append(got, buf[:n]...)
	}
	pid := inst.Pid()
	if err := inst.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if !gone(pid) {
		t.Errorf("QEMU (pid %d) still exists after Stop", pid)
	}
}

func TestCancelKillsQEMU(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	inst, err := qemu.StartPipe(ctx, devtest.QEMU(t))
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	<-inst.Done()
	if err := inst.Err(); err != nil {
		t.Errorf("Err after cancel = %v, want nil (stopped by us)", err)
	}
	waitFor(t, "QEMU to be reaped", func() bool { return gone(inst.Pid()) })
}

func TestPTY(t *testing.T) {
	t.Parallel()
	inst, err := qemu.StartPTY(context.Background(), devtest.QEMU(t))
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Stop()
	if !strings.HasPrefix(inst.PTY(), "/dev/pts/") {
		t.Fatalf("PTY() = %q", inst.PTY())
	}
	f, err := os.OpenFile(inst.PTY(), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A pty is a terminal: make it raw so the line discipline passes bytes as they are.
	if _, err := term.MakeRaw(int(f.Fd())); err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("\r2**10\r"))
	readUntil(t, f, "2**10\r\n1024\r\n")
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	good := devtest.QEMU(t)
	for name, tc := range map[string]struct {
		o    qemu.Options
		want string
	}{
		"no machine":  {qemu.Options{Kernel: good.Kernel}, "no machine given"},
		"no kernel":   {qemu.Options{Machine: good.Machine, Kernel: "/nonexistent/firmware.elf"}, "build the board first"},
		"no emulator": {qemu.Options{Binary: "qemu-system-nonesuch", Machine: good.Machine, Kernel: good.Kernel}, "apt install qemu-system-arm"},
		"bad machine": {qemu.Options{Machine: "no-such-machine", Kernel: good.Kernel}, "unsupported machine type"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := qemu.StartPTY(context.Background(), tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("StartPTY = %v, want %q", err, tc.want)
			}
		})
	}
}

// A QEMU that fails after starting says why through Err.
func TestPipeExitReason(t *testing.T) {
	t.Parallel()
	o := devtest.QEMU(t)
	o.Machine = "no-such-machine"
	inst, err := qemu.StartPipe(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	<-inst.Done()
	if err := inst.Err(); err == nil || !strings.Contains(err.Error(), "unsupported machine type") {
		t.Errorf("Err = %v", err)
	}
}

func TestInteractive(t *testing.T) {
	t.Parallel()
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
	o := devtest.QEMU(t)
	var screen syncbuf.Buffer
	done := make(chan error, 1)
	go func() { done <- qemu.Interactive(context.Background(), o, tty, &screen) }()
	waitFor(t, "the REPL prompt", func() bool { return strings.Contains(screen.String(), ">>> ") })
	kbd.Write([]byte("1+1\r"))
	waitFor(t, "1+1 to answer 2", func() bool { return strings.Contains(screen.String(), "1+1\r\n2\r\n") })
	kbd.Write([]byte{0x18}) // Ctrl-X
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Interactive: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Interactive did not return after Ctrl-X")
	}
	after, err := testenv.Termios(int(tty.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	if *after != *before {
		t.Errorf("terminal not restored")
	}
}

// The console on a TCP socket: a client gets the REPL, and after it leaves
// the next one does too; a taken address is refused up front.
func TestTCP(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if _, err := qemu.StartTCP(context.Background(), devtest.QEMU(t), addr); err == nil || !strings.Contains(err.Error(), "cannot serve the console") {
		t.Errorf("taken address: %v", err)
	}
	l.Close()
	inst, err := qemu.StartTCP(context.Background(), devtest.QEMU(t), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Stop()
	if inst.TCP() != addr {
		t.Errorf("TCP() = %q, want %q", inst.TCP(), addr)
	}
	for client := 1; client <= 2; client++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(20 * time.Second))
		fmt.Fprintf(c, "\r%d*7\r", client)
		want := fmt.Sprint(client * 7)
		var seen []byte
		buf := make([]byte, 256)
		for !strings.Contains(string(seen), "\r\n"+want+"\r\n") {
			n, err := c.Read(buf)
			if err != nil {
				t.Fatalf("client %d: %v after %q", client, err, seen)
			}
			seen = append(seen, buf[:n]...)
		}
		c.Close()
	}
}
