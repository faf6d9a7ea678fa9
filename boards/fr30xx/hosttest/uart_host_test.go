package hosttest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// hostCC is the host C compiler: $CC, else gcc.
func hostCC(t *testing.T) string {
	t.Helper()
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "gcc"
	}
	path, err := exec.LookPath(cc)
	if err != nil {
		t.Fatalf("host C compiler %q not found (%v): install gcc or set CC", cc, err)
	}
	return path
}

// TestDWUARTOnHost builds dw_uart.c with the host compiler against the harness
// in testdata/, which checks the divisor math for many clock/baud pairs and the
// exact register access sequences of init, transmit and the RX interrupt.
func TestDWUARTOnHost(t *testing.T) {
	cc := hostCC(t)
	bin := filepath.Join(t.TempDir(), "dw_uart_test")
	build := exec.Command(cc, "-std=c99", "-Wall", "-Wextra", "-Werror", "-O2",
		"-DDW_UART_HOST_TEST", "-I..", filepath.Join("..", "dw_uart.c"),
		filepath.Join("testdata", "dw_uart_test.c"), "-lm", "-o", bin)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(build.Args, " "), err, out)
	}
	out, err := exec.Command(bin).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("host test of dw_uart.c failed: %v", err)
	}
	if !strings.Contains(string(out), " 0 failures") {
		t.Fatalf("host test did not report its result:\n%s", out)
	}
}

// TestDWUARTCompilesForTarget compiles the driver with the board's compiler
// flags, so a warning that only the cross compiler sees fails here first.
func TestDWUARTCompilesForTarget(t *testing.T) {
	gcc, err := exec.LookPath("arm-none-eabi-gcc")
	if err != nil {
		t.Fatalf("arm-none-eabi-gcc not found (%v): install the Arm GNU toolchain", err)
	}
	obj := filepath.Join(t.TempDir(), "dw_uart.o")
	cmd := exec.Command(gcc, "-std=c99", "-Os", "-Wall", "-Wextra", "-Werror",
		"-Wdouble-promotion", "-Wfloat-conversion", "-ffunction-sections", "-fdata-sections",
		"-mthumb", "-mcpu=cortex-m33", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard",
		"-I..", "-c", filepath.Join("..", "dw_uart.c"), "-o", obj)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
}
