package emutest_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"mpforge/device/openocd"
	"mpforge/device/openocd/emutest"
)

// runOpenOCD runs the real openocd (argv only) with o and the commands and
// returns everything it printed.
func runOpenOCD(t *testing.T, o openocd.Options, cmds ...string) string {
	t.Helper()
	args, err := openocd.Args(o, cmds...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "openocd", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openocd: %v\n%s", err, out)
	}
	return string(out)
}

// regValue finds what OpenOCD printed for `reg <name>` (the last one).
func regValue(t *testing.T, out, name string) uint32 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(name)+` \(/32\): (0x[0-9a-f]+)`).FindAllStringSubmatch(out, -1)
	if m == nil {
		t.Fatalf("no value of %s in OpenOCD's output:\n%s", name, out)
	}
	v, err := strconv.ParseUint(m[len(m)-1][1], 0, 32)
	if err != nil {
		t.Fatal(err)
	}
	return uint32(v)
}

// mdwValue finds what OpenOCD printed for `mdw <addr>`.
func mdwValue(t *testing.T, out string, addr uint32) uint32 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^0x0*` + strconv.FormatUint(uint64(addr), 16) + `: ([0-9a-f]{8})`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no mdw line for %#x in OpenOCD's output:\n%s", addr, out)
	}
	v, _ := strconv.ParseUint(m[1], 16, 32)
	return uint32(v)
}

// Everything short of flash programming that OpenOCD's cortex_m driver does
// with a probe: connect and examine, halt, memory, reset halt (vector catch),
// load_image, registers, resume to a BKPT, single step, a hardware breakpoint.
func TestDebugSlice(t *testing.T) {
	t.Parallel()
	tg := emutest.Start(t, emutest.Config{})
	// movs r0, #5; adds r0, r0, r1; bkpt #0; nop
	prog := filepath.Join(t.TempDir(), "prog.bin")
	if err := os.WriteFile(prog, []byte{0x05, 0x20, 0x40, 0x18, 0x00, 0xbe, 0x00, 0xbf}, 0o644); err != nil {
		t.Fatal(err)
	}
	out := runOpenOCD(t, tg.Options(t, "fr30xx"),
		"init", "targets", "halt",
		"mdw 0xe000ed00",
		"mww 0x20000100 0xcafef00d", "mdw 0x20000100",
		// nothing is mapped at 0x60000000: the AP reports a bus fault (sticky
		// error), OpenOCD clears it and the next access works
		`if {[catch {mdw 0x60000000} e]} { echo "bus fault: $e" }`, "mdw 0x20000100",
		"reset halt", "mdw 0x00000004", "reg pc", "reg xPSR",
		"load_image "+prog+" 0x20001000 bin",
		"reg pc 0x20001000", "reg r1 0x10",
		"resume", "wait_halt 2000", "reg r0", "reg pc",
		"reg pc 0x20001000", "step", "reg r0", "reg pc",
		"reg pc 0x20001000", "bp 0x20001002 2 hw", "resume", "wait_halt 2000", "reg pc", "rbp all",
		"dap info",
		"shutdown")
	for _, want := range []string{
		"tap/device found: 0x6ba00477",
		"Cortex-M33 r0p4 processor detected",
		"target has 8 breakpoints, 4 watchpoints",
		"halted due to breakpoint",
		"bus fault: ",
		"halted due to single-step",
		"Type is MEM-AP AHB5",
		`Dev Arch is 0x47702a04, ARM Ltd "Processor debug architecture (ARMv8-M)"`,
		`"DWT architecture"`,
		`"Flash Patch and Breakpoint unit (FPB) architecture"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("OpenOCD's output lacks %q", want)
		}
	}
	if v := mdwValue(t, out, 0xe000ed00); v != 0x410fd214 {
		t.Errorf("CPUID = %#x, want Cortex-M33 r0p4 0x410fd214", v)
	}
	if v := mdwValue(t, out, 0x20000100); v != 0xcafef00d {
		t.Errorf("SRAM word = %#x after mww 0xcafef00d", v)
	}
	// `reg pc` prints the value, `reg pc <v>` echoes it: reset, set, run, set, step, set, bp
	pcs := regexp.MustCompile(`(?m)^pc \(/32\): (0x[0-9a-f]+)`).FindAllStringSubmatch(out, -1)
	if len(pcs) != 7 {
		t.Fatalf("want 7 pc lines, got %v\n%s", pcs, out)
	}
	reset, _ := strconv.ParseUint(pcs[0][1], 0, 32)
	if vec := mdwValue(t, out, 4); uint32(reset) != vec&^1 {
		t.Errorf("after reset halt pc = %#x, want the reset vector %#x", reset, vec&^1)
	}
	if pcs[2][1] != "0x20001004" {
		t.Errorf("resume stopped at pc %s, want the BKPT at 0x20001004", pcs[2][1])
	}
	if pcs[4][1] != "0x20001002" {
		t.Errorf("one step from 0x20001000 left pc at %s, want 0x20001002", pcs[4][1])
	}
	if pcs[6][1] != "0x20001002" {
		t.Errorf("hardware breakpoint at 0x20001002: stopped at %s", pcs[6][1])
	}
	// r0 after the run is 5 + r1 (0x10); after one step from the start, 5
	r0 := regexp.MustCompile(`(?m)^r0 \(/32\): (0x[0-9a-f]+)`).FindAllStringSubmatch(out, -1)
	if len(r0) != 2 || r0[0][1] != "0x00000015" || r0[1][1] != "0x00000005" {
		t.Errorf("r0 after the run / the step = %v, want 0x15 (5 + r1) then 0x5", r0)
	}
	if x := regValue(t, out, "xPSR"); x != 0x01000000 {
		t.Errorf("xPSR after reset = %#x, want the Thumb bit alone", x)
	}
	r := tg.Stop(t)
	if !contains(r.Events, "reset: SYSRESETREQ") {
		t.Errorf("reset halt did not come through SYSRESETREQ (board: cortex_m reset_config sysresetreq); events %q", r.Events)
	}
}

// openocd.Reset (what `mage reset` runs) resets the emulated board and lets it run.
func TestReset(t *testing.T) {
	t.Parallel()
	tg := emutest.Start(t, emutest.Config{})
	if err := openocd.Reset(context.Background(), tg.Options(t, "fr30xx")); err != nil {
		t.Fatal(err)
	}
	if r := tg.Stop(t); !contains(r.Events, "reset: SYSRESETREQ") {
		t.Errorf("no SYSRESETREQ reached the core; events %q", r.Events)
	}
}

// reset halt through the reset line (a board wired with SRST) instead of
// SYSRESETREQ: the core comes out of reset halted at its reset vector.
func TestResetHaltSRST(t *testing.T) {
	t.Parallel()
	tg := emutest.Start(t, emutest.Config{})
	o := tg.Options(t, "fr30xx")
	o.Extra = append(o.Extra, "-c", "reset_config srst_only srst_nogate")
	out := runOpenOCD(t, o, "init", "reset halt", "mdw 0x00000004", "reg pc", "shutdown")
	if !strings.Contains(out, "halted due to") {
		t.Errorf("reset halt did not halt:\n%s", out)
	}
	if pc, vec := regValue(t, out, "pc"), mdwValue(t, out, 4); pc != vec&^1 {
		t.Errorf("after reset halt pc = %#x, want the reset vector %#x", pc, vec&^1)
	}
	r := tg.Stop(t)
	if !contains(r.Events, "reset: SRST released") || contains(r.Events, "reset: SYSRESETREQ") {
		t.Errorf("want a reset through SRST alone; events %q", r.Events)
	}
}

func TestJTAGCommands(t *testing.T) {
	got, err := emutest.JTAGCommands([]string{"swd newdap fr30xx cpu -enable", "dap create fr30xx.dap -chain-position fr30xx.cpu"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"jtag newtap fr30xx cpu -irlen 4 -expected-id 0x6ba00477", "dap create fr30xx.dap -chain-position fr30xx.cpu"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := emutest.JTAGCommands([]string{"target create x cortex_m"}); err == nil {
		t.Error("commands without a DAP line: no error")
	}
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}
