package firmware_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mpforge/internal/testenv"
	"mpforge/internal/testfw"
)

// twinDevices are QEMU's own device models attached to each twin for the
// peripheral tests: on the I2C bus QEMU gives them (its first SBCon), an
// AT24C EEPROM, a TMP105 sensor and a DS1338 RTC; on its first free SSI bus a
// MAX1111 ADC with input 0 at 0xA5.
var twinDevices = []string{
	"-device", "at24c-eeprom,address=0x50,rom-size=4096",
	"-device", "tmp105,address=0x48",
	"-device", "ds1338,address=0x68",
	"-device", "max1111,input0=0xa5",
}

// TestPeripheralsOnTwins drives machine.Pin, UART, I2C, SPI, Timer and WDT on
// each QEMU twin against QEMU's device models: one QEMU per twin with every
// device attached, UART1 on a host socket, many checks over one raw REPL.
func TestPeripheralsOnTwins(t *testing.T) {
	fpgaio := map[string]string{"mps2-an505": "0x50302000", "mps2-an385": "0x40028000"}
	for _, board := range []string{"mps2-an505", "mps2-an385"} {
		t.Run(board, func(t *testing.T) {
			res, b := testfw.Firmware(t, board)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			sock := filepath.Join(t.TempDir(), "uart1.sock")
			c := rawREPLOnTwin(ctx, t, b, res.ELF, append([]string{"-serial", "unix:" + sock + ",server=on,wait=off"}, twinDevices...)...)
			run := func(t *testing.T, src string) string { return execOK(ctx, t, c, src) }
			check := func(name, src, want string) {
				t.Run(name, func(t *testing.T) {
					if got := run(t, src); got != want {
						t.Errorf("%s\nprinted %q, want %q", src, got, want)
					}
				})
			}

			// Which SBCon QEMU put the devices on is QEMU's choice (the
			// first bus it finds); exactly one bus must see exactly them.
			var bus string
			t.Run("I2C scan finds exactly the attached devices", func(t *testing.T) {
				got := run(t, "import machine\nfor i in range(4):\n    print(i, machine.I2C(i).scan())")
				for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
					id, found, _ := strings.Cut(line, " ")
					switch found {
					case "[]":
					case "[72, 80, 104]":
						if bus != "" {
							t.Errorf("two buses see the devices:\n%s", got)
						}
						bus = id
					default:
						t.Errorf("bus %s found %s, want [] or [72, 80, 104] (0x48, 0x50, 0x68)", id, found)
					}
				}
				if bus == "" {
					t.Fatalf("no bus sees the devices:\n%s", got)
				}
			})
			if bus == "" {
				t.FailNow()
			}
			check("EEPROM write and read back across a page boundary",
				"import machine, os\ni2c = machine.I2C("+bus+", freq=100000)\ndata = bytes((i * 7 + 3) & 0xFF for i in range(48))\n"+
					"i2c.writeto_mem(0x50, 0x1F0, data, addrsize=16)\n"+
					"print(i2c.readfrom_mem(0x50, 0x1F0, 48, addrsize=16) == data, i2c.readfrom_mem(0x50, 0x200, 2, addrsize=16).hex())",
				fmt.Sprintf("True %02x%02x\n", (16*7+3)&0xFF, (17*7+3)&0xFF))
			// TMP105: the configuration register reads back what was written;
			// T_HIGH resets to 80 degC (0x5000), the temperature to 0.
			check("TMP105 registers", "import machine\ni2c = machine.I2C("+bus+")\ni2c.writeto_mem(0x48, 1, b'\\x60')\n"+
				"print(i2c.readfrom_mem(0x48, 1, 1).hex(), i2c.readfrom_mem(0x48, 3, 2).hex(), i2c.readfrom_mem(0x48, 0, 2).hex())",
				"60 5000 0000\n")
			check("NACK at an absent address is ENODEV and the bus goes on",
				"import machine, errno\ni2c = machine.I2C("+bus+")\ntry:\n    i2c.readfrom(0x22, 1)\nexcept OSError as e:\n    print(e.errno == errno.ENODEV)\n"+
					"print(i2c.scan())",
				"True\n[72, 80, 104]\n")

			// PL022 loopback (LBM): what is sent comes back, in each mode.
			check("SPI loopback at several rates and modes",
				"import machine\nok = 0\nfor i in range(5):\n    for baud in (100_000, 1_000_000, 5_000_000):\n        for pol in (0, 1):\n            for ph in (0, 1):\n"+
					"                s = machine.SPI(i, baudrate=baud, polarity=pol, phase=ph, loopback=True)\n"+
					"                tx = bytes((i * 37 + baud + pol * 2 + ph + k) & 0xFF for k in range(20)); rx = bytearray(20)\n"+
					"                s.write_readinto(tx, rx)\n                ok += rx == tx\nprint(ok, 5 * 3 * 4)",
				"60 60\n")
			// MAX1111 (QEMU hw/misc/max111x.c): control byte START|UNI|SGL|PD1
			// for channel 0, then two bytes of the 8-bit result, 0xA5.
			t.Run("SPI transfer to the MAX1111 model", func(t *testing.T) {
				got := run(t, "import machine\nfor i in range(5):\n    rx = bytearray(3)\n    machine.SPI(i).write_readinto(b'\\x8e\\x00\\x00', rx)\n    print(i, rx.hex())")
				answering := 0
				for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
					_, v, _ := strings.Cut(line, " ")
					switch v {
					case "000000":
					case fmt.Sprintf("00%02x%02x", (0xA5>>2)&0x3F, (0xA5<<6)&0xC0):
						answering++
					default:
						t.Errorf("SPI %s", line)
					}
				}
				if answering != 1 {
					t.Errorf("want exactly one bus answering 002940, got:\n%s", got)
				}
			})

			t.Run("UART1 both ways through a host socket", func(t *testing.T) { uartChecks(t, ctx, run, sock) })

			check("Pin drives the FPGAIO LEDs and reads the buttons",
				"import machine\nled = machine.Pin('LED0', machine.Pin.OUT, value=0)\nled.on()\nr1 = machine.mem32["+fpgaio[board]+"] & 3\n"+
					"v1 = led.value()\nmachine.Pin(1, machine.Pin.OUT).on(); led.off()\nr2 = machine.mem32["+fpgaio[board]+"] & 3\n"+
					"print(r1, v1, r2, led.value(), machine.Pin('BUTTON0', machine.Pin.IN).value())\nmachine.Pin('LED1').off()",
				"1 1 2 0 0\n")

			// SoftSPI and SoftI2C over Pins: with MOSI and MISO on one FPGAIO
			// line, MISO reads back the latch MOSI just set; SoftI2C's SDA
			// latch never pulls low, so no address acknowledges.
			check("SoftSPI and SoftI2C over FPGAIO pins",
				"import machine\nP = machine.Pin\ns = machine.SoftSPI(baudrate=100_000, sck=P('MISC0', P.OUT), mosi=P('MISC1', P.OUT), miso=P('MISC1'))\n"+
					"rx = bytearray(3); s.write_readinto(b'\\xa5\\x0f\\x81', rx)\nprint(rx.hex(), machine.SoftI2C(scl=P('MISC2'), sda=P('LED1')).scan())",
				"a50f81 []\n")

			for _, bad := range []struct{ name, src, want string }{
				{"wrong pin name", "machine.Pin('PA0')", "no pin named 'PA0'; this board has LED0, LED1, BUTTON0, BUTTON1, MISC0, MISC1, MISC2"},
				{"output on an input pin", "machine.Pin('BUTTON0', machine.Pin.OUT)", "pin BUTTON0 is an input; outputs are LED0, LED1, MISC0, MISC1, MISC2"},
				{"UART the board lacks", "machine.UART(7)", "UART(7) does not exist on this board; it has UART(1, 2, 3, 4)"},
				{"I2C the board lacks", "machine.I2C(4)", "I2C(4) does not exist on this board; it has I2C(0, 1, 2, 3)"},
				{"Timer the board lacks", "machine.Timer(5, freq=1)", "Timer(5) does not exist on this board; it has Timer(-1 (soft), 0, 1)"},
				{"invalid baud rate", "machine.UART(1, baudrate=5_000_000)", "baudrate 5000000 is out of range: this UART takes "},
				{"UART frame the block cannot do", "machine.UART(1, bits=7)", "this UART (CMSDK) sends 8N1 frames only: bits=8, parity=None, stop=1"},
				{"SPI rate out of range", "machine.SPI(0, baudrate=50_000_000)", "baudrate 50000000 is out of range: this SPI takes "},
				{"timer period out of range", "machine.Timer(0, period=0)", "period out of range: this timer counts 1..2147483647 ticks of "},
			} {
				check("bad input: "+bad.name, "import machine\ntry:\n    "+bad.src+"\nexcept ValueError as e:\n    print(str(e).startswith("+pyStr(bad.want)+") or e)",
					"True\n")
			}

			// Upstream's own tests of the API, with their expected output.
			for _, name := range []string{"machine_signal.py", "machine_pinbase.py", "machine_soft_timer.py"} {
				src, err := os.ReadFile(filepath.Join(testenv.MicroPythonDir(t), "tests", "extmod", name))
				if err != nil {
					t.Fatal(err)
				}
				exp, err := os.ReadFile(filepath.Join(testenv.MicroPythonDir(t), "tests", "extmod", name+".exp"))
				if err != nil {
					t.Fatal(err)
				}
				check("upstream tests/extmod/"+name, string(src), string(exp))
			}

			// Soft timers count the same 1 ms tick as sleep_ms.
			check("soft Timer(-1) runs on the sleep_ms clock", "import machine, time\nn = []\nt = machine.Timer(-1, period=10, callback=n.append)\n"+
				"time.sleep_ms(105)\nt.deinit()\nk = len(n)\ntime.sleep_ms(30)\nprint(k, len(n) - k, t)", "10 0 Timer(-1, mode=PERIODIC, period=10 ms)\n")

			// Last: the watchdog. Fed, the board keeps running; unfed, it resets
			// and the banner comes again.
			check("WDT fed does not reset", "import machine, time\nw = machine.WDT(timeout=2000)\nfor _ in range(30):\n    time.sleep_ms(100)\n    w.feed()\nprint('alive')",
				"alive\n")
			t.Run("WDT not fed resets the board", func(t *testing.T) {
				wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
				defer wcancel()
				out := &bannerWriter{seen: wcancel}
				err := c.Exec(wctx, []byte("print('stopped feeding')\nwhile True:\n    pass\n"), out, io.Discard)
				if !out.banner() {
					t.Fatalf("no banner after the watchdog ran out (exec: %v); the console showed:\n%s", err, out.String())
				}
			})
		})
	}
}

// TestTimersOnTwins checks machine.Timer against QEMU's virtual clock, read
// through the FPGAIO's 100 Hz counter (CLK100HZ, computed by QEMU from that
// clock). QEMU runs with -icount and sleep=off so that guest time is the
// instruction count and never depends on how busy the host is; without it a
// periodic timer that fires late on a loaded host does not make up the
// periods it missed.
func TestTimersOnTwins(t *testing.T) {
	clk100 := map[string]string{"mps2-an505": "0x50302014", "mps2-an385": "0x40028014"}
	for _, board := range []string{"mps2-an505", "mps2-an385"} {
		t.Run(board, func(t *testing.T) {
			res, b := testfw.Firmware(t, board)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			c := rawREPLOnTwin(ctx, t, b, res.ELF, "-icount", "shift=3,sleep=off")
			run := func(t *testing.T, src string) string { return execOK(ctx, t, c, src) }
			// wait(n) spins until the 100 Hz counter has moved n on.
			prelude := "import machine\ndef clk():\n    return machine.mem32[" + clk100[board] + "]\n" +
				"def wait(n):\n    end = clk() + n\n    while clk() < end:\n        pass\n"
			check := func(name, src, want string) {
				t.Run(name, func(t *testing.T) {
					if got := run(t, prelude+src); got != want {
						t.Errorf("%s\nprinted %q, want %q", src, got, want)
					}
				})
			}
			t.Run("Timer PERIODIC at 100 Hz for a second of guest time", func(t *testing.T) {
				got := run(t, prelude+"n = [0]\ndef tick(t):\n    n[0] += 1\n"+
					"wait(1)\nt = machine.Timer(0, mode=machine.Timer.PERIODIC, freq=100, callback=tick)\nwait(100)\nt.deinit()\nk = n[0]\n"+
					"wait(10)\nprint(k, n[0] - k)")
				var k, after int
				if _, err := fmt.Sscanf(got, "%d %d", &k, &after); err != nil {
					t.Fatalf("printed %q", got)
				}
				if k < 98 || k > 102 {
					t.Errorf("%d callbacks in a second at 100 Hz, want 100 +- 2", k)
				}
				if after != 0 {
					t.Errorf("%d callbacks after deinit()", after)
				}
			})
			check("Timer ONE_SHOT fires once", "n = []\nt = machine.Timer(1, mode=machine.Timer.ONE_SHOT, period=10, callback=n.append)\n"+
				"wait(10)\nprint(len(n), n[0] is t)", "1 True\n")
			check("both hardware timers at once", "a = []; b = []\nwait(1)\nt1 = machine.Timer(0, freq=50, callback=a.append)\nt2 = machine.Timer(1, period=40, callback=b.append)\n"+
				"wait(21)\nt1.deinit(); t2.deinit()\nprint(len(a), len(b))", "10 5\n")

		})
	}
}

// uartChecks exchanges data with UART1, whose other end QEMU puts on the
// unix socket sock.
func uartChecks(t *testing.T, ctx context.Context, run func(*testing.T, string) string, sock string) {
	var conn net.Conn
	var err error
	for range 50 {
		if conn, err = net.Dial("unix", sock); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("UART1 socket: %v", err)
	}
	defer conn.Close()
	var mu sync.Mutex
	var got bytes.Buffer
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			mu.Lock()
			got.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	waitFor := func(n int) []byte {
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			if got.Len() >= n {
				b := slices.Clone(got.Bytes())
				got.Reset()
				mu.Unlock()
				return b
			}
			mu.Unlock()
			time.Sleep(10 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("host got %d of %d bytes from UART1", got.Len(), n)
		return nil
	}

	if out := run(t, "import machine\nu = machine.UART(1, 115200, timeout=200)\nprint(u)\nu.write(b'hello host\\n')"); !strings.HasPrefix(out, "UART(1, baudrate=115200") {
		t.Errorf("printed %q", out)
	}
	if b := waitFor(11); string(b) != "hello host\n" {
		t.Errorf("host got %q", b)
	}

	// 4 KB guest -> host.
	run(t, "import machine\nu = machine.UART(1)\nu.write(bytes((i * 13 + i // 256) & 0xFF for i in range(4096)))")
	want := make([]byte, 4096)
	for i := range want {
		want[i] = byte(i*13 + i/256)
	}
	if b := waitFor(4096); !bytes.Equal(b, want) {
		t.Errorf("host got %d bytes, not the 4 KB the guest sent", len(b))
	}

	// 4 KB host -> guest, read as it arrives.
	block := make([]byte, 4096)
	rand.Read(block)
	var sum int
	for _, c := range block {
		sum += int(c)
	}
	done := make(chan string, 1)
	go func() {
		done <- run(t, "import machine\nu = machine.UART(1, timeout=5000, timeout_char=500)\nbuf = bytearray(4096); mv = memoryview(buf); n = 0\n"+
			"print('ready')\nwhile n < 4096:\n    k = u.readinto(mv[n:])\n    if not k:\n        break\n    n += k\nprint(n, sum(buf), machine.console_dropped())")
	}()
	time.Sleep(500 * time.Millisecond)
	if _, err := conn.Write(block); err != nil {
		t.Fatal(err)
	}
	if out := <-done; !strings.HasPrefix(out, fmt.Sprintf("ready\n4096 %d ", sum)) {
		t.Errorf("guest read: %q, want 4096 bytes summing to %d", out, sum)
	}

	// irq(RX) fires from the scheduler when a byte arrives.
	go func() {
		time.Sleep(700 * time.Millisecond)
		conn.Write([]byte("x"))
	}()
	if out := run(t, "import machine, time\nu = machine.UART(1)\nhits = []\nu.irq(handler=lambda u: hits.append(u.any()), trigger=machine.UART.IRQ_RX)\n"+
		"t0 = time.ticks_ms()\nwhile not hits and time.ticks_diff(time.ticks_ms(), t0) < 10000:\n    time.sleep_ms(10)\nu.irq(handler=None)\nprint(len(hits) > 0, u.read())"); out != "True b'x'\n" {
		t.Errorf("irq(RX): printed %q", out)
	}

	// timeout: a read with nothing to read waits that long in guest time.
	out := run(t, "import machine, time\nu = machine.UART(1, timeout=300)\nt0 = time.ticks_ms()\nr = u.read(1)\nprint(r, time.ticks_diff(time.ticks_ms(), t0))")
	var ms int
	if _, err := fmt.Sscanf(out, "None %d", &ms); err != nil || ms < 300 || ms > 350 {
		t.Errorf("read with timeout=300: printed %q, want None after 300..350 ms", out)
	}
}

// bannerWriter calls seen once MicroPython's banner has passed through it.
type bannerWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	seen context.CancelFunc
}

func (w *bannerWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), "MicroPython v") {
		w.seen()
	}
	return len(p), nil
}

func (w *bannerWriter) banner() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Contains(w.buf.String(), "stopped feeding") && strings.Contains(w.buf.String(), "MicroPython v")
}

func (w *bannerWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// pyStr quotes s as a Python string literal.
func pyStr(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
