package device

import (
	"strings"
	"testing"
)

// FuzzDecodeFault: any FATAL line the console shows (cut, garbled, with
// fields missing or repeated) decodes to a text without a panic, and a
// line that is not a HardFault report comes back as it is.
func FuzzDecodeFault(f *testing.F) {
	f.Add("FATAL: HardFault pc=0x10000272 lr=0x10000239 hfsr=0x40000000 cfsr=0x00008200 mmfar=0x00000000 bfar=0xf0000000")
	f.Add("FATAL: HardFault pc=0x00000100 lr=0xfffffff9 hfsr=0x40000000 cfsr=0x02000000 mmfar=0x0 bfar=0x0")
	f.Add("FATAL: HardFault cfsr=0xffffffff cfsr=0x1 pc=0xffffffffff")
	f.Add("FATAL: uncaught NLR 0x20001234")
	f.Fuzz(func(t *testing.T, line string) {
		got := DecodeFault(line, "")
		if !strings.HasPrefix(strings.TrimPrefix(line, "FATAL: "), "HardFault") && got != line {
			t.Fatalf("a non-HardFault line changed: %q -> %q", line, got)
		}
	})
}
