// Package devtest gives the device tests a firmware to run under QEMU.
package devtest

import (
	"slices"
	"testing"

	"mpforge/device/qemu"
	"mpforge/internal/testfw"
)

// QEMU returns how to run mpforge's own firmware for the mps2-an505 board
// (the fr30xx twin) on QEMU. Every QEMU test goes through this one function.
func QEMU(t testing.TB) qemu.Options {
	t.Helper()
	res, b := testfw.Firmware(t, "mps2-an505")
	return qemu.Options{Machine: b.QEMU.Machine, Kernel: res.ELF, Args: slices.Clone(b.QEMU.Args)}
}
