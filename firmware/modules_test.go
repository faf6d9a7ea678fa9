package firmware_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"mpforge/internal/testfw"
)

// TestTestEngineersPython checks, on each QEMU twin, what validation
// scripts rely on: register access, time, and the everyday modules.
func TestTestEngineersPython(t *testing.T) {
	partNo := map[string]string{"mps2-an505": "0xd21", "mps2-an385": "0xc23"} // Cortex-M33, Cortex-M3
	for _, board := range []string{"mps2-an505", "mps2-an385"} {
		t.Run(board, func(t *testing.T) {
			res, b := testfw.Firmware(t, board)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			c := rawREPLOnTwin(ctx, t, b, res.ELF)
			run := func(t *testing.T, src string, stdout *stampedWriter) string {
				t.Helper()
				var errOut bytes.Buffer
				if err := c.Exec(ctx, []byte(src), stdout, &errOut); err != nil {
					t.Fatalf("%s\n%v\nstdout:\n%s\nstderr:\n%s", src, err, stdout.String(), errOut.String())
				}
				return strings.ReplaceAll(stdout.String(), "\r\n", "\n")
			}
			check := func(name, src, want string) {
				t.Run(name, func(t *testing.T) {
					if got := run(t, src, &stampedWriter{}); got != want {
						t.Errorf("%s\nprinted %q, want %q", src, got, want)
					}
				})
			}

			check("CPUID part number", "import machine; print(hex((machine.mem32[0xE000ED00] >> 4) & 0xFFF))", partNo[board]+"\n")
			check("RAM word round-trip", "import machine, uctypes\nb = bytearray(8); a = uctypes.addressof(b) + 4\n"+
				"machine.mem32[a] = 0xA5C3_0F96; print(hex(machine.mem32[a] & 0xFFFF_FFFF), b[4:], hex(machine.mem16[a + 2]), hex(machine.mem8[a]))",
				"0xa5c30f96 bytearray(b'\\x96\\x0f\\xc3\\xa5') 0xa5c3 0x96\n")
			check("machine.freq is the board's core clock", "import machine; print(machine.freq())", fmt.Sprintln(b.ClockHz))
			check("interrupts masked and restored", "import machine; s = machine.disable_irq(); machine.enable_irq(s); machine.idle(); print('ok')", "ok\n")
			// ticks_add and ticks_diff work modulo the ticks period; values
			// either side of the wrap give the short way round.
			check("ticks_diff across the wrap", "import time; t = time.ticks_add(0, -50)\n"+
				"print(time.ticks_diff(time.ticks_add(t, 100), t), time.ticks_diff(t, time.ticks_add(t, 100)), time.ticks_add(t, 100), time.ticks_add(0, -1) > 0)",
				"100 -100 50 True\n")

			// sleep_ms returns once the board's clock has moved 200 ms on, so
			// ticks_ms says 200 or 201 (a tick boundary between the reads),
			// plus a few when QEMU is descheduled between the sleep and the
			// reads on a busy host. Each ticks_ms read sits between two
			// ticks_us reads, so however long the host stalls the guest
			// between them, the microseconds bound the true interval from
			// both sides; whole-millisecond counts lose at most a tick at
			// each end, hence the 2 ms either way.
			// QEMU drives SysTick from the host's clock, and a late periodic
			// timer does not replay the ticks it missed: guest time can run
			// slow, never fast. So the host sees about 200 ms or more between
			// the two lines (less only by how late its reader took the first
			// line, tens of ms on a busy host), and the bounds only have to
			// catch a clock that is wrong by a multiple (a 2x fast SysTick
			// would take 100 ms, a 10x slow one 2 s).
			t.Run("ticks_ms across sleep_ms(200)", func(t *testing.T) {
				out := &stampedWriter{}
				got := run(t, "import time\nprint('start')\n"+
					"a0 = time.ticks_us(); t0 = time.ticks_ms(); b0 = time.ticks_us()\ntime.sleep_ms(200)\n"+
					"a1 = time.ticks_us(); t1 = time.ticks_ms(); b1 = time.ticks_us()\n"+
					"print('end', time.ticks_diff(t1, t0), time.ticks_diff(a1, b0), time.ticks_diff(b1, a0))", out)
				var ms, usMin, usMax int
				if _, err := fmt.Sscanf(got, "start\nend %d %d %d\n", &ms, &usMin, &usMax); err != nil {
					t.Fatalf("printed %q: %v", got, err)
				}
				if ms < 200 || ms > 205 {
					t.Errorf("ticks_ms advanced %d ms across sleep_ms(200), want 200 to 205", ms)
				}
				if usMin < 200_000 {
					t.Errorf("ticks_us advanced only %d us across sleep_ms(200)", usMin)
				}
				if ms*1000 <= usMin-2000 || ms*1000 >= usMax+2000 {
					t.Errorf("ticks_ms advanced %d ms while ticks_us advanced %d to %d us", ms, usMin, usMax)
				}
				host := out.between("start", "end")
				if host < 150*time.Millisecond || host > 1500*time.Millisecond {
					t.Errorf("the host saw %v between the lines around sleep_ms(200)", host)
				}
				t.Logf("board: %d ms, %d to %d us; host: %v", ms, usMin, usMax, host)
			})

			for _, m := range []struct{ name, src string }{
				{"json", `json.loads(json.dumps({"a": [1, 2.5, None]})) == {"a": [1, 2.5, None]}`},
				{"re", `re.match(r"(\d+)-(\w+)", "42-abc").group(2) == "abc"`},
				{"binascii", `binascii.hexlify(binascii.a2b_base64(b"AaU=")) == b"01a5"`},
				{"random", `random.seed(7) or all(1 <= random.randint(1, 6) <= 6 for _ in range(50))`},
				{"heapq", `(lambda h: heapq.heapify(h) or [heapq.heappop(h) for _ in range(3)])([5, 1, 3]) == [1, 3, 5]`},
				{"struct", `struct.unpack("<HiB", struct.pack("<HiB", 513, -2, 255)) == (513, -2, 255)`},
				{"collections", `collections.namedtuple("P", "x y")(1, 2).y == 2 and collections.deque((1, 2), 4).popleft() == 1`},
				{"hashlib", `hashlib.sha256(b"abc").digest()[:4] == b"\xba\x78\x16\xbf"`},
				{"io", `io.BytesIO(b"ab\ncd").readline() == b"ab\n"`},
				{"errno", `errno.ENOENT == 2`},
				{"array", `sum(array.array("h", [-1, 2, 30000])) == 30001`},
				{"sys", `sys.implementation.name == "micropython" and sys.byteorder == "little"`},
				{"platform", `"MicroPython" in platform.platform()`},
			} {
				check("import "+m.name, "import "+m.name+"\nprint("+m.src+")", "True\n")
			}
		})
	}
}

// stampedWriter keeps what a script prints and when each line's first
// byte reached the host.
type stampedWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	starts []lineStart
}

type lineStart struct {
	offset int
	at     time.Time
}

func (w *stampedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	for _, c := range p {
		if n := w.buf.Len(); c != '\r' && c != '\n' && (n == 0 || w.buf.Bytes()[n-1] == '\n') {
			w.starts = append(w.starts, lineStart{n, now})
		}
		w.buf.WriteByte(c)
	}
	return len(p), nil
}

func (w *stampedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// between is the host time from the line starting with a to the one
// starting with b.
func (w *stampedWriter) between(a, b string) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	at := func(prefix string) time.Time {
		for _, l := range w.starts {
			if bytes.HasPrefix(w.buf.Bytes()[l.offset:], []byte(prefix)) {
				return l.at
			}
		}
		return time.Time{}
	}
	return at(b).Sub(at(a))
}
