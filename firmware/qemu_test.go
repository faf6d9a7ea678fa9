package firmware_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"mpforge/device/qemu"
	"mpforge/internal/testfw"
)

// console collects what the firmware prints and waits for expected text.
type console struct {
	t   *testing.T
	w   io.Writer
	mu  sync.Mutex
	buf bytes.Buffer
	pos int // everything before pos has been matched already
}

func newConsole(t *testing.T, rw io.ReadWriter) *console {
	c := &console{t: t, w: rw}
	go func() {
		b := make([]byte, 512)
		for {
			n, err := rw.Read(b)
			c.mu.Lock()
			c.buf.Write(b[:n])
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return c
}

func (c *console) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.w, s); err != nil {
		c.t.Fatal(err)
	}
}

// expect waits for want after the last match and returns what came before
// it. The deadline only guards against a hang; it is not a speed check.
func (c *console) expect(want string) string {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		seen := c.buf.String()[c.pos:]
		if i := strings.Index(seen, want); i >= 0 {
			c.pos += i + len(want)
			c.mu.Unlock()
			return seen[:i]
		}
		c.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.Fatalf("did not see %q; the console showed:\n%s", want, c.buf.String()[c.pos:])
	return ""
}

// TestTwinsBootToWorkingREPL runs each QEMU twin's firmware, built by
// mpforge, and uses its REPL the way a person and a tool would.
func TestTwinsBootToWorkingREPL(t *testing.T) {
	for _, board := range []string{"mps2-an505", "mps2-an385"} {
		t.Run(board, func(t *testing.T) {
			res, b := testfw.Firmware(t, board)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			inst, err := qemu.StartPipe(ctx, qemu.Options{Machine: b.QEMU.Machine, Kernel: res.ELF, Args: b.QEMU.Args})
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Stop()
			c := newConsole(t, inst.Conn())
			c.expect("MicroPython v")
			c.expect(">>> ")

			c.send("1+1\r")
			if got := c.expect(">>> "); !strings.Contains(got, "\r\n2\r\n") {
				t.Errorf("1+1 gave %q", got)
			}
			c.send("print('hello world!', list(x+1 for x in range(10)))\r")
			if got := c.expect(">>> "); !strings.Contains(got, "hello world! [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\r\n") {
				t.Errorf("print gave %q", got)
			}
			c.send("1/0\r")
			got := c.expect(">>> ")
			if !strings.Contains(got, "Traceback (most recent call last):") || !strings.Contains(got, "ZeroDivisionError: divide by zero") {
				t.Errorf("1/0 gave %q", got)
			}
			c.send("x = 42\r")
			c.expect(">>> ")
			c.send("\x04") // Ctrl-D: soft reset clears the interpreter's state
			c.expect("soft reboot")
			c.expect(">>> ")
			c.send("x\r")
			if got := c.expect(">>> "); !strings.Contains(got, "NameError") {
				t.Errorf("after soft reset, x gave %q; want a NameError", got)
			}

			c.send("\x01") // Ctrl-A: raw REPL
			c.expect("raw REPL; CTRL-B to exit\r\n>")
			c.send("for i in range(3):\n    print('line', i * i)\nimport sys\nprint(sys.platform != '')\x04")
			c.expect("OK")
			out := c.expect("\x04")
			if out != "line 0\r\nline 1\r\nline 4\r\nTrue\r\n" {
				t.Errorf("raw REPL script printed %q", out)
			}
			if errOut := c.expect("\x04>"); errOut != "" {
				t.Errorf("raw REPL script wrote to stderr: %q", errOut)
			}
			c.send("\x02") // Ctrl-B: back to the friendly REPL
			c.expect(">>> ")
			c.send("import gc, micropython; gc.collect(); micropython.mem_info()\r")
			if got := c.expect(">>> "); !strings.Contains(got, "GC: total:") {
				t.Errorf("mem_info printed %q", got)
			}
		})
	}
}
