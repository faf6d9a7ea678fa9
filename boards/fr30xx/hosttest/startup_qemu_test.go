package hosttest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mpforge/internal/testenv"
)

// qemuMemoryLD moves the board's FLASH and SRAM regions into the code and data
// RAM of QEMU's mps2-an505 (secure aliases), where -kernel loads an ELF and the
// core starts from VTOR_S = 0x10000000. qemu_scratch is RAM past SRAM (the
// machine's 2 MB ssram-1), which the startup code under test does not touch.
const qemuMemoryLD = `MEMORY
{
    FLASH (rx) : ORIGIN = 0x10000000, LENGTH = 0x00080000
    SRAM (rw) : ORIGIN = 0x38000000, LENGTH = 0x00040000
}
__stack_size = 0x00004000;
qemu_scratch = 0x38100000;
`

// TestStartupOnQEMU runs the board's own startup.c and linker.ld on a real
// Cortex-M33 (QEMU mps2-an505): the reset path must set MSP and MSPLIM, enable
// the FPU, copy .data, zero .bss, point VTOR at the table, call board_init and
// then py_main with interrupts masked, and IRQ 23 must reach UART3_IRQHandler
// through the table. It runs twice, the second time entered by a branch from
// the state a boot ROM might leave (NVIC lines enabled and pending, SysTick
// running, BASEPRI, FAULTMASK, thread mode on PSP), all of which it must clear.
func TestStartupOnQEMU(t *testing.T) {
	gcc, err := exec.LookPath("arm-none-eabi-gcc")
	if err != nil {
		t.Fatalf("arm-none-eabi-gcc not found (%v): install the Arm GNU toolchain", err)
	}
	qemu, err := exec.LookPath("qemu-system-arm")
	if err != nil {
		t.Fatalf("qemu-system-arm not found (%v): install QEMU's Arm system emulator", err)
	}
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	board := filepath.Join(root, "boards", "fr30xx")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "memory.ld"), []byte(qemuMemoryLD), 0o644); err != nil {
		t.Fatal(err)
	}
	elf := filepath.Join(dir, "startup_qemu.elf")
	build := exec.Command(gcc, "-mcpu=cortex-m33", "-mthumb", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard",
		"-std=c99", "-Os", "-g", "-Wall", "-Werror", "-ffunction-sections", "-fdata-sections",
		"-I"+filepath.Join(root, "port"), "-I"+board,
		"-nostartfiles", "-Wl,--gc-sections", "-T"+filepath.Join(board, "linker.ld"), "-L"+dir,
		"--specs=nano.specs", filepath.Join(board, "startup.c"),
		filepath.Join("testdata", "startup_qemu.c"), "-o", elf, "-lc", "-lgcc")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(build.Args, " "), err, out)
	}

	// The deadline only stops a hung emulator; the verdict is QEMU's exit status.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := exec.CommandContext(ctx, qemu, "-machine", "mps2-an505", "-nographic", "-monitor", "none",
		"-serial", "none", "-semihosting-config", "enable=on,target=native", "-kernel", elf)
	out, err := run.CombinedOutput()
	t.Logf("%s", out)
	if ctx.Err() != nil {
		t.Fatalf("QEMU did not exit: the firmware hung before reporting (output above)")
	}
	if err != nil {
		t.Fatalf("startup checks failed on QEMU: %v", err)
	}
	if strings.Contains(string(out), "FAIL") || strings.Count(string(out), "UART3_IRQHandler") != 2 ||
		!strings.Contains(string(out), "second boot") {
		t.Fatalf("unexpected QEMU output:\n%s", out)
	}
}
