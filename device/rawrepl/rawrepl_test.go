package rawrepl_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"mpforge/device/internal/devtest"
	"mpforge/device/qemu"
	"mpforge/device/rawrepl"
)

// board starts the test firmware under QEMU and returns a client in the raw REPL.
func board(t *testing.T, o rawrepl.Options) (*rawrepl.Client, *qemu.Instance) {
	t.Helper()
	inst, err := qemu.StartPipe(context.Background(), devtest.QEMU(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Stop() })
	c := rawrepl.New(inst.Conn(), o)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Enter(ctx); err != nil {
		t.Fatalf("Enter: %v", err)
	}
	return c, inst
}

func run(t *testing.T, c *rawrepl.Client, src string, timeout time.Duration) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out, errOut bytes.Buffer
	err := c.Exec(ctx, []byte(src), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestExecPrintsLines(t *testing.T) {
	t.Parallel()
	c, _ := board(t, rawrepl.Options{})
	out, errOut, err := run(t, c, "for i in range(3):\n    print('line', i)\n", 10*time.Second)
	if err != nil {
		t.Fatalf("Exec: %v (stderr %q)", err, errOut)
	}
	if want := "line 0\r\nline 1\r\nline 2\r\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if !c.RawPaste() {
		t.Error("the firmware offers raw-paste mode, but the client did not use it")
	}
}

func TestExecRaisesWithLineNumber(t *testing.T) {
	t.Parallel()
	c, _ := board(t, rawrepl.Options{})
	out, errOut, err := run(t, c, "print('before')\nx = 1\nraise ValueError('boom')\nprint('after')\n", 10*time.Second)
	if !errors.Is(err, rawrepl.ErrRaised) {
		t.Fatalf("Exec error = %v, want ErrRaised", err)
	}
	if out != "before\r\n" {
		t.Errorf("stdout = %q", out)
	}
	for _, want := range []string{"Traceback (most recent call last):", `File "<stdin>", line 3`, "ValueError: boom"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("traceback %q lacks %q", errOut, want)
		}
	}
	// The board is back at the prompt: the next script runs.
	if out, _, err := run(t, c, "print(6*7)", 10*time.Second); err != nil || out != "42\r\n" {
		t.Errorf("next script: %q, %v", out, err)
	}
}

// bigScript is more than 8 KB of source whose output proves every line arrived.
func bigScript(lines int) (src, want string) {
	var b strings.Builder
	b.WriteString("n = 0\ns = 0\n")
	total := 0
	for i := range lines {
		lit := strings.Repeat(string(rune('a'+i%26)), 20+i%40)
		fmt.Fprintf(&b, "n += 1; s += len(%q)  # line %d\n", lit, i)
		total += len(lit)
	}
	b.WriteString("print('lines', n, 'chars', s)\n")
	return b.String(), fmt.Sprintf("lines %d chars %d\r\n", lines, total)
}

func TestExecLargeScriptArrivesWhole(t *testing.T) {
	t.Parallel()
	src, want := bigScript(300)
	if len(src) < 16<<10 {
		t.Fatalf("test script is only %d bytes", len(src))
	}
	for _, mode := range []struct {
		name string
		o    rawrepl.Options
	}{{"raw-paste", rawrepl.Options{}}, {"plain", rawrepl.Options{NoRawPaste: true}}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			c, _ := board(t, mode.o)
			out, errOut, err := run(t, c, src, 60*time.Second)
			if err != nil {
				t.Fatalf("Exec: %v (stderr %q)", err, errOut)
			}
			if out != want {
				t.Errorf("stdout = %q, want %q", out, want)
			}
			if c.RawPaste() == mode.o.NoRawPaste {
				t.Errorf("RawPaste() = %v with NoRawPaste %v", c.RawPaste(), mode.o.NoRawPaste)
			}
		})
	}
}

// A syntax error early in a script larger than the raw-paste window makes the
// board stop reading mid-stream; the client must follow it.
func TestExecSyntaxErrorMidPaste(t *testing.T) {
	t.Parallel()
	c, _ := board(t, rawrepl.Options{})
	src, _ := bigScript(100)
	src = "print('x'\n" + src
	_, errOut, err := run(t, c, src, 20*time.Second)
	if !errors.Is(err, rawrepl.ErrRaised) {
		t.Fatalf("Exec error = %v, want ErrRaised (stderr %q)", err, errOut)
	}
	if !strings.Contains(errOut, "SyntaxError") {
		t.Errorf("stderr %q lacks SyntaxError", errOut)
	}
	if out, _, err := run(t, c, "print('ok')", 10*time.Second); err != nil || out != "ok\r\n" {
		t.Errorf("next script: %q, %v", out, err)
	}
}

func TestExecTimeoutInterruptsAndBoardRecovers(t *testing.T) {
	t.Parallel()
	c, _ := board(t, rawrepl.Options{})
	out, errOut, err := run(t, c, "print('spinning')\nwhile True:\n    pass\n", 3*time.Second)
	if !errors.Is(err, rawrepl.ErrTimeout) {
		t.Fatalf("Exec error = %v, want ErrTimeout", err)
	}
	if out != "spinning\r\n" || !strings.Contains(errOut, "KeyboardInterrupt") {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.SoftReset(ctx); err != nil {
		t.Fatalf("SoftReset: %v", err)
	}
	if out, _, err := run(t, c, "print('alive')", 10*time.Second); err != nil || out != "alive\r\n" {
		t.Errorf("after timeout: %q, %v", out, err)
	}
}

func TestExecIgnoringCtrlCIsNoResponse(t *testing.T) {
	t.Parallel()
	c, _ := board(t, rawrepl.Options{InterruptGrace: 500 * time.Millisecond})
	src := "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass\n"
	_, _, err := run(t, c, src, time.Second)
	if !errors.Is(err, rawrepl.ErrNoResponse) {
		t.Fatalf("Exec error = %v, want ErrNoResponse", err)
	}
}

func TestSoftResetClearsState(t *testing.T) {
	t.Parallel()
	c, _ := board(t, rawrepl.Options{})
	if _, _, err := run(t, c, "leftover = 1", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.SoftReset(ctx); err != nil {
		t.Fatalf("SoftReset: %v", err)
	}
	out, _, err := run(t, c, "print('leftover' in globals())", 10*time.Second)
	if err != nil || out != "False\r\n" {
		t.Errorf("after soft reset: %q, %v", out, err)
	}
}

func TestSysExitReturnsToPrompt(t *testing.T) {
	t.Parallel()
	c, _ := board(t, rawrepl.Options{})
	out, errOut, err := run(t, c, "import sys\nprint('bye')\nsys.exit()\n", 10*time.Second)
	if err != nil || out != "bye\r\n" {
		t.Fatalf("Exec: %q, %q, %v", out, errOut, err)
	}
	if out, _, err := run(t, c, "print('next')", 10*time.Second); err != nil || out != "next\r\n" {
		t.Errorf("next script: %q, %v", out, err)
	}
}

func TestControlBytesRejected(t *testing.T) {
	t.Parallel()
	c, _ := board(t, rawrepl.Options{})
	_, _, err := run(t, c, "print('a\x04b')", 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "control byte 0x4") {
		t.Fatalf("Exec error = %v, want a control-byte error", err)
	}
	if out, _, err := run(t, c, "print('fine')", 10*time.Second); err != nil || out != "fine\r\n" {
		t.Errorf("next script: %q, %v", out, err)
	}
}

func TestClosedConnection(t *testing.T) {
	t.Parallel()
	c, inst := board(t, rawrepl.Options{})
	inst.Stop()
	_, _, err := run(t, c, "print(1)", 10*time.Second)
	if !errors.Is(err, rawrepl.ErrClosed) {
		t.Fatalf("Exec after QEMU stopped: %v, want ErrClosed", err)
	}
}

// The status of sys.exit reaches the client (port/modmpforge.c's line);
// a script that ends normally has not exited.
func TestExitedReportsStatus(t *testing.T) {
	t.Parallel()
	c, _ := board(t, rawrepl.Options{})
	if _, _, err := run(t, c, "import sys\nsys.exit(5)\n", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if exited, said := c.Exited(); !exited || !strings.Contains(said, "mpforge: exit 5") {
		t.Errorf("after sys.exit(5): exited %v, said %q", exited, said)
	}
	if _, _, err := run(t, c, "print('FATAL: HardFaults are only real from the firmware')", 10*time.Second); err != nil {
		t.Errorf("a script printing FATAL-like text: %v", err)
	}
	if exited, _ := c.Exited(); exited {
		t.Error("a script that ended normally counts as exited")
	}
}

// A fault ends Exec at once with the firmware's report; a reset with the
// start-up banner. Both are *Crash (ErrCrashed), neither waits for ctx.
func TestExecCrashAndReboot(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		src    string
		reboot bool
		report string
	}{
		{"import machine\nmachine.mem32[0xF0000000]\n", false, "FATAL: HardFault pc=0x"},
		{"import machine\nmachine.reset()\n", true, "MicroPython v"},
	} {
		c, _ := board(t, rawrepl.Options{})
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := c.Exec(ctx, []byte(tc.src), io.Discard, io.Discard)
		var crash *rawrepl.Crash
		if !errors.As(err, &crash) || !errors.Is(err, rawrepl.ErrCrashed) || crash.Reboot != tc.reboot || !strings.HasPrefix(crash.Report, tc.report) {
			t.Errorf("%q: %v (%+v)", tc.src, err, crash)
		}
		if ctx.Err() != nil {
			t.Errorf("%q: reported only when the context ended", tc.src)
		}
		cancel()
	}
}
