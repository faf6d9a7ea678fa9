// Package devtest gives the device tests a firmware to run under QEMU.
package devtest

import (
	"os"
	"testing"

	"mpforge/device/qemu"
)

// QEMU returns how to run a MicroPython firmware on a QEMU twin. Every QEMU
// test goes through this one function, so switching to firmware that
// mpforge builds itself changes only this body.
//
// For now it runs upstream's ports/qemu build for MPS2_AN385 (that firmware
// needs semihosting), from $MPFORGE_TEST_ELF or /tmp/mpdev.
func QEMU(t testing.TB) qemu.Options {
	t.Helper()
	elf := os.Getenv("MPFORGE_TEST_ELF")
	if elf == "" {
		elf = "/tmp/mpdev/ports/qemu/build-MPS2_AN385/firmware.elf"
	}
	if _, err := os.Stat(elf); err != nil {
		t.Fatalf("no test firmware at %s (%v): build MicroPython's ports/qemu with BOARD=MPS2_AN385 FROZEN_MANIFEST= and set MPFORGE_TEST_ELF", elf, err)
	}
	return qemu.Options{Machine: "mps2-an385", Kernel: elf, Semihosting: true}
}
