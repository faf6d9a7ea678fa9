package hosttest

import (
	"testing"
)

// TestPMUOnHost builds pmu.c and pmu_setup.c with the host compiler against
// the register model in testdata/pmu_test.c (the PMU serial bus, the PMU's
// registers and the eFuse, as the vendor HAL describes them) and checks the
// bus's exact register sequences, its time-out, the watchdog chip reset, and
// the PMU writes the set-up makes from blank, trimmed and out-of-range eFuse
// contents, a dead eFuse and a bus that dies part-way.
func TestPMUOnHost(t *testing.T) {
	runOnHost(t, "pmu_test", []string{"-DFR30XX_HOST_TEST"}, "pmu.c", "pmu_setup.c")
}

// TestPMUCompilesForTarget compiles the PMU code with the board's compiler
// flags, where its register access is real volatile access and its interrupt
// masking the port's PRIMASK code.
func TestPMUCompilesForTarget(t *testing.T) {
	compileForTarget(t, "pmu.c", "pmu_setup.c")
}
