package flashalgo_test

import (
	"os"
	"testing"

	"mpforge/device/flashalgo"
)

// FuzzLoad: any file given as a flash algorithm (a truncated or corrupted
// ELF, a bad device table) is refused with an error or loads into an
// algorithm whose layout and sector table can be used without a panic.
func FuzzLoad(f *testing.F) {
	for _, flags := range [][]string{pic, append(pic, "-Wl,-q")} {
		data, err := os.ReadFile(build(f, flags...))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("\x7fELF\x01\x01\x01"))
	// In memory: with a file written per input, Go's fuzzer stalled (its
	// worker reported no executions for tens of seconds and the run failed
	// with "context deadline exceeded").
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := flashalgo.Parse(data)
		if err != nil {
			return
		}
		a.Layout(0x20000000, 32<<10, 4096)
		n := 0
		for s := range a.Device.Sectors() {
			if n++; n > 1<<16 {
				break
			}
			a.Device.SectorAt(s.Addr)
		}
	})
}
