package firmware_test

import (
	"context"
	"mpforge/internal/testconsole"
	"strings"
	"testing"

	"mpforge/device/qemu"
	"mpforge/internal/testfw"
)

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
			c := testconsole.New(t, inst.Conn())
			c.Expect("MicroPython v")
			c.Expect(">>> ")

			c.Send("1+1\r")
			if got := c.Expect(">>> "); !strings.Contains(got, "\r\n2\r\n") {
				t.Errorf("1+1 gave %q", got)
			}
			c.Send("print('hello world!', list(x+1 for x in range(10)))\r")
			if got := c.Expect(">>> "); !strings.Contains(got, "hello world! [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\r\n") {
				t.Errorf("print gave %q", got)
			}
			c.Send("1/0\r")
			got := c.Expect(">>> ")
			if !strings.Contains(got, "Traceback (most recent call last):") || !strings.Contains(got, "ZeroDivisionError: divide by zero") {
				t.Errorf("1/0 gave %q", got)
			}
			c.Send("x = 42\r")
			c.Expect(">>> ")
			c.Send("\x04") // Ctrl-D: soft reset clears the interpreter's state
			c.Expect("soft reboot")
			c.Expect(">>> ")
			c.Send("x\r")
			if got := c.Expect(">>> "); !strings.Contains(got, "NameError") {
				t.Errorf("after soft reset, x gave %q; want a NameError", got)
			}

			c.Send("\x01") // Ctrl-A: raw REPL
			c.Expect("raw REPL; CTRL-B to exit\r\n>")
			c.Send("for i in range(3):\n    print('line', i * i)\nimport sys\nprint(sys.platform != '')\x04")
			c.Expect("OK")
			out := c.Expect("\x04")
			if out != "line 0\r\nline 1\r\nline 4\r\nTrue\r\n" {
				t.Errorf("raw REPL script printed %q", out)
			}
			if errOut := c.Expect("\x04>"); errOut != "" {
				t.Errorf("raw REPL script wrote to stderr: %q", errOut)
			}
			c.Send("\x02") // Ctrl-B: back to the friendly REPL
			c.Expect(">>> ")
			c.Send("import gc, micropython; gc.collect(); micropython.mem_info()\r")
			if got := c.Expect(">>> "); !strings.Contains(got, "GC: total:") {
				t.Errorf("mem_info printed %q", got)
			}

			// machine.reset() through the port's default board_reset
			// (SYSRESETREQ): QEMU resets the machine and the firmware boots
			// again from its reset vector.
			c.Send("import machine; machine.reset()\r")
			c.Expect("MicroPython v")
			c.Expect(">>> ")
			c.Send("1+2\r")
			if got := c.Expect(">>> "); !strings.Contains(got, "\r\n3\r\n") {
				t.Errorf("after machine.reset(), 1+2 gave %q", got)
			}
		})
	}
}
