package openocd_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"mpforge/device/openocd"
)

// elf builds a tiny Cortex-M image with the real cross compiler.
func elf(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "main.c")
	if err := os.WriteFile(src, []byte("void _start(void) { for (;;) { } }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "firmware.elf")
	cmd := exec.Command("arm-none-eabi-gcc", "-mcpu=cortex-m33", "-mthumb", "-nostdlib", "-o", out, src)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("arm-none-eabi-gcc: %v\n%s", err, b)
	}
	return out
}

// flash runs the real openocd and returns its classified failure.
func flash(t *testing.T, o openocd.Options) *openocd.Error {
	t.Helper()
	return flashELF(t, o, elf(t))
}

func flashELF(t *testing.T, o openocd.Options, elf string) *openocd.Error {
	t.Helper()
	err := openocd.Flash(context.Background(), o, elf)
	var oe *openocd.Error
	if !errors.As(err, &oe) {
		t.Fatalf("Flash error = %v (%T), want *openocd.Error", err, err)
	}
	t.Logf("%s: %v", oe.Kind, oe)
	return oe
}

func TestNotInstalled(t *testing.T) {
	image := elf(t)
	t.Setenv("PATH", t.TempDir())
	e := flashELF(t, openocd.Options{Interface: "cmsis-dap", Target: "stm32f4x"}, image)
	if e.Kind != openocd.NotInstalled || !strings.Contains(e.Error(), "apt install openocd") {
		t.Errorf("got %s: %v", e.Kind, e)
	}
}

func TestNoProbe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ iface, transport string }{
		{"cmsis-dap", "swd"},
		{"jlink", "swd"},
		{"stlink", "hla_swd"},
	} {
		t.Run(tc.iface, func(t *testing.T) {
			t.Parallel()
			e := flash(t, openocd.Options{Interface: tc.iface, Transport: tc.transport, SpeedKHz: 1000, Target: "stm32f4x"})
			if e.Kind != openocd.NoProbe || !strings.Contains(e.Hint, "60-openocd.rules") {
				t.Errorf("got %s: %v", e.Kind, e)
			}
		})
	}
}

func TestBadConfig(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]openocd.Options{
		"unknown interface": {Interface: "no-such-probe", Target: "stm32f4x"},
		"wrong transport":   {Interface: "stlink", Transport: "swd", Target: "stm32f4x"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if e := flash(t, o); e.Kind != openocd.BadConfig {
				t.Errorf("got %s: %v", e.Kind, e)
			}
		})
	}
}

// OpenOCD's dummy adapter is a probe with nothing attached: the JTAG chain
// reads back garbage, as with an unpowered or unwired board.
func TestTargetNotAnswering(t *testing.T) {
	t.Parallel()
	e := flash(t, openocd.Options{Interface: "dummy", Transport: "jtag", SpeedKHz: 1000, Target: "stm32f4x"})
	if e.Kind != openocd.NoTarget || !strings.Contains(e.Hint, "powered") {
		t.Errorf("got %s: %v", e.Kind, e)
	}
}

// With OpenOCD's "testee" target (a target that does nothing) on the dummy
// adapter, OpenOCD gets as far as programming, which then fails.
func TestFlashFailed(t *testing.T) {
	t.Parallel()
	e := flash(t, openocd.Options{Interface: "dummy", Transport: "jtag", SpeedKHz: 1000, Extra: []string{
		"-c", "jtag newtap chip cpu -irlen 4",
		"-c", "target create chip.cpu testee -chain-position chip.cpu",
	}})
	if e.Kind != openocd.FlashFailed || !strings.Contains(strings.Join(e.Output, "\n"), "** Programming Failed **") {
		t.Errorf("got %s: %v", e.Kind, e)
	}
}

// An OpenOCD that hangs is killed at the timeout.
func TestTimedOut(t *testing.T) {
	t.Parallel()
	e := flash(t, openocd.Options{Interface: "dummy", Extra: []string{"-c", "sleep 600000"}, Timeout: time.Second})
	if e.Kind != openocd.TimedOut {
		t.Errorf("got %s: %v", e.Kind, e)
	}
}

func TestCancelStopsOpenOCD(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- openocd.Reset(ctx, openocd.Options{Interface: "dummy", Extra: []string{"-c", "sleep 600000"}})
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Reset after cancel = %v, want context.Canceled", err)
	}
}

func TestArgs(t *testing.T) {
	t.Parallel()
	got, err := openocd.Args(openocd.Options{
		Interface: "cmsis-dap", Transport: "swd", SpeedKHz: 4000, Serial: "0700000100420019",
		Target: "boards/fr30xx/fr30xx.cfg", Extra: []string{"-c", "reset_config srst_only"},
		ScriptDirs: []string{"boards/fr30xx"},
	}, "program {/tmp/a b/firmware.elf} verify reset exit")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"-s", "boards/fr30xx",
		"-f", "interface/cmsis-dap.cfg",
		"-c", "transport select swd",
		"-c", "adapter speed 4000",
		"-c", "adapter serial {0700000100420019}",
		"-f", "boards/fr30xx/fr30xx.cfg",
		"-c", "reset_config srst_only",
		"-c", "program {/tmp/a b/firmware.elf} verify reset exit",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Args =\n%q\nwant\n%q", got, want)
	}
	if _, err := openocd.Args(openocd.Options{Target: "stm32f4x"}); err == nil {
		t.Error("Args without an interface succeeded")
	}
	if _, err := openocd.Args(openocd.Options{Interface: "jlink", Serial: "a}b"}); err == nil {
		t.Error("Args took a serial number with a brace")
	}
}

func TestMissingFirmware(t *testing.T) {
	t.Parallel()
	err := openocd.Flash(context.Background(), openocd.Options{Interface: "dummy"}, filepath.Join(t.TempDir(), "firmware.elf"))
	if err == nil || !strings.Contains(err.Error(), "build the board first") {
		t.Fatalf("Flash of a missing ELF = %v", err)
	}
}
