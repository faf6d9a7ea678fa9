package openocd

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// The logs in testdata are OpenOCD 0.12's output of ProgramAlgorithm runs
// against an emulated Cortex-M33 (remote_bitbang) with a RAM flash and a
// 20000-byte image (5 sectors of 4K at 0x08000000):
//   - flash-two-sectors.log: the chip differed in sectors 1 and 3;
//   - flash-verify-mismatch.log: an algorithm whose flash never programs the
//     byte at 0x08002345 (Verify finds it).
func replay(t *testing.T, name string) (*progressParser, []Progress) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var seen []Progress
	p := newProgressParser(5, func(pr Progress) { seen = append(seen, pr) })
	for _, l := range strings.Split(string(b), "\n") {
		p.line(l)
	}
	return p, seen
}

func TestProgressParser(t *testing.T) {
	t.Parallel()
	p, seen := replay(t, "flash-two-sectors.log")
	if p.err != nil || !p.done || p.verified != "crc" {
		t.Fatalf("err %v, done %v, verified %q", p.err, p.done, p.verified)
	}
	var stages []string
	for _, s := range seen {
		if len(stages) == 0 || stages[len(stages)-1] != s.Stage {
			stages = append(stages, s.Stage)
		}
	}
	if want := []string{"connect", "reset", "init", "sectors", "verify", "run", "done"}; !slices.Equal(stages, want) {
		t.Errorf("stages %q, want %q", stages, want)
	}
	last := p.prog
	if last.Done != 5 || last.Sectors != 5 || last.Programmed != 2 || last.Skipped != 3 || last.Bytes != 8192 {
		t.Errorf("final progress %+v", last)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Done < seen[i-1].Done || seen[i].Elapsed < seen[i-1].Elapsed {
			t.Errorf("progress went backwards: %+v then %+v", seen[i-1], seen[i])
		}
	}
	if s := (&Summary{Sectors: 50, Programmed: 7, Bytes: 28 << 10, Elapsed: 3100 * time.Millisecond, Verified: "crc"}).String(); s != "programmed 7 of 50 sectors, 28 KiB, in 3.1 s; verified" {
		t.Errorf("Summary.String() = %q", s)
	}
	if s := (Progress{Stage: "sectors", Done: 3, Sectors: 50, Programmed: 2, Skipped: 1, Bytes: 8192, Rate: 2048}).String(); s != "sector 3/50: 2 programmed, 1 skipped, 8 KiB at 2 KiB/s" {
		t.Errorf("Progress.String() = %q", s)
	}
}

func TestProgressParserFailure(t *testing.T) {
	t.Parallel()
	p, _ := replay(t, "flash-verify-mismatch.log")
	if p.err == nil || p.err.Kind != VerifyFailed || !strings.Contains(p.err.Msg, "at 0x08002345") || p.done {
		t.Fatalf("err %v (done %v), want a verify mismatch at 0x08002345", p.err, p.done)
	}
	if p.prog.Programmed != 2 {
		t.Errorf("sectors programmed before the failure: %d, want 2", p.prog.Programmed)
	}
}

func TestAlgoErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line string
		kind Kind
		msg  string
	}{
		{"mpforge: error init 0xef401802", FlashID, "JEDEC ID is 0xEF4018"},
		{"mpforge: error init 0x00000002", FlashID, "JEDEC ID is 0x000000"},
		{"mpforge: error init 0x00000001", FlashFailed, "Init failed (it returned 0x1)"},
		{"mpforge: error erase 0x08004000 0x00000003", FlashTimeout, "erasing the sector at 0x08004000 failed: the flash stayed busy"},
		{"mpforge: error program 0x08004100 0x00000003", FlashTimeout, "page at 0x08004100"},
		{"mpforge: error erase 0x08004000 0x00000004", FlashProtected, "block-protect bits would not clear"},
		{"mpforge: error program 0x08004100 0x00000005", FlashFailed, "rejected an address or size"},
		{"mpforge: error erase 0x08004000 0x00000001", FlashFailed, "sector at 0x08004000 failed (it returned 0x1)"},
		{"mpforge: error verify 0x08004010", VerifyFailed, "mismatch at 0x08004010"},
		{"mpforge: error verify 0x08004000 sector", VerifyFailed, "mismatch in the sector at 0x08004000"},
		{"mpforge: error verify unknown image", VerifyFailed, "mismatch at unknown"},
		{"mpforge: error crc 0x12345678 0x9abcdef0", VerifyFailed, "CRC-32 on the chip is 0x12345678, want 0x9abcdef0"},
		{"mpforge: error hung EraseSector 0x08004000 15500 0x20000036", AlgorithmHung, "EraseSector(0x08004000) did not return within 15500 ms"},
		{"mpforge: error fault Init 0x08000000 0x2000003e", AlgorithmHung, "stopped at pc 0x2000003e"},
		{"mpforge: error uninit 0x00000001", FlashFailed, "UnInit failed"},
	} {
		p := newProgressParser(1, nil)
		p.line("Info : noise before")
		p.line(tc.line)
		p.line("mpforge: error init 0x1") // only the first failure counts
		if p.err == nil || p.err.Kind != tc.kind || !strings.Contains(p.err.Msg, tc.msg) || p.err.Hint == "" {
			t.Errorf("%s: got %v (%v), want %s with %q and a hint", tc.line, p.err, p.err.Kind, tc.kind, tc.msg)
		}
	}
}
