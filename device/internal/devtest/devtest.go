// Package devtest gives the device tests a firmware to run under QEMU.
package devtest

import (
	"slices"
	"sync"
	"testing"

	"mpforge/device/qemu"
	"mpforge/internal/testfw"
)

var (
	mu     sync.Mutex
	cached *qemu.Options // one (no-op) build check per test binary is enough
)

// QEMU returns how to run mpforge's own firmware for the mps2-an505 board
// (the fr30xx twin) on QEMU. Every QEMU test goes through this one function.
func QEMU(t testing.TB) qemu.Options {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if cached == nil {
		res, b := testfw.Firmware(t, "mps2-an505")
		cached = &qemu.Options{Machine: b.QEMU.Machine, Kernel: res.Artifacts.ELF, Args: b.QEMU.Args}
	}
	o := *cached
	o.Args = slices.Clone(o.Args)
	return o
}
