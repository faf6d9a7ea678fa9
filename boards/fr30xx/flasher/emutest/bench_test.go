package emutest

import "testing"

// The emulated cost of flashing the burn image with our loader: instructions the
// Cortex-M33 executes (insns/op; at the 24 MHz reset clock about one per cycle,
// plus the flash's own erase and program times, which the model does not take)
// and the emulator's wall time (ns/op). Run with
//
//	go test -run '^$' -bench . -benchtime 1x ./boards/fr30xx/flasher/emutest/

// BenchmarkProgramBurnImage: erase, program, verify and CRC the whole image.
func BenchmarkProgramBurnImage(b *testing.B) {
	image, file, cfg := burnSetup(b)
	e := newEmulator(b, loadAlgo(b, loaderELF(b)), workArea)
	calls := programCalls(file, len(image))
	var insns int64
	for b.Loop() {
		insns = 0
		for _, c := range e.run(b, cfg, calls, nil, nil).Calls {
			insns += c.Instructions
		}
	}
	b.ReportMetric(float64(insns), "insns/op")
}

// BenchmarkOneSectorChange: CRC every sector, erase and program the one that differs.
func BenchmarkOneSectorChange(b *testing.B) {
	var insns int64
	for b.Loop() {
		insns = 0
		_, _, res := oneSectorChange(b)
		for _, c := range res.Calls {
			insns += c.Instructions
		}
	}
	b.ReportMetric(float64(insns), "insns/op")
}
