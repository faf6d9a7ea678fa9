package emutest

import (
	"bytes"
	"debug/elf"
	"encoding/hex"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"mpforge/device/flashalgo"
)

// burnSize is about what firmware_burn.bin is: the 8K boot sector and ~195K of
// firmware; not a multiple of the sector or page size, so the last ProgramPage is short.
const burnSize = 203000

// SDK mode's flash_preinit leaves BP0..BP4 set (flash_protect_bit_set(0x1F, cmp 0x06,
// non-volatile)): status 1 = 0x1F << 2, which protects the whole part.
const sdkProtected = 0x7C

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func roundUp(n, to int) int { return (n + to - 1) / to * to }

// checkProgramRun asserts what programCalls must leave behind, for any algorithm.
func checkProgramRun(t *testing.T, res *result, calls []call, image []byte, restoresProtect bool) {
	t.Run("results", func(t *testing.T) {
		for i, c := range res.Calls {
			want := uint32(0)
			switch c.Name {
			case "Verify":
				want = calls[i].Args[0] + calls[i].Args[1]
			case "Crc32":
				want = crc32.ChecksumIEEE(image)
			}
			if c.R0 != want || c.Hung || c.Fault != "" {
				t.Fatalf("call %d %s%v = 0x%x (hung %v, fault %q), want 0x%x", i, c.Name, calls[i].Args, c.R0, c.Hung, c.Fault, want)
			}
		}
	})
	t.Run("content", func(t *testing.T) {
		got := res.rangeBytes(t, 0)
		if i := firstDiff(got[:len(image)], image); i >= 0 {
			t.Fatalf("flash differs from the image at 0x%08x: 0x%02x, want 0x%02x", flashBase+i, got[i], image[i])
		}
		for i := len(image); i < len(got); i++ {
			if got[i] != 0xFF {
				t.Fatalf("flash 0x%08x past the image = 0x%02x, want erased 0xFF", flashBase+i, got[i])
			}
		}
	})
	t.Run("write enable before every erase, program and status write", func(t *testing.T) {
		n := 0
		for i, e := range res.Trace {
			switch e.Op {
			case 0x20, 0x02:
				n++
				if !e.WEL || e.Ignored != "" {
					t.Fatalf("trace %d: 0x%02x at %v with WEL=%v (ignored: %q)", i, e.Op, fmtAddr(e.Addr), e.WEL, e.Ignored)
				}
			case 0x01, 0x31:
				if !(e.WEL || e.VWEL) || e.Ignored != "" {
					t.Fatalf("trace %d: status write 0x%02x without a write enable (0x06 or 0x50) before it (ignored: %q)", i, e.Op, e.Ignored)
				}
			}
		}
		if want := roundUp(len(image), sectorSize)/sectorSize + roundUp(len(image), pageSize)/pageSize; n != want {
			t.Fatalf("%d erases and programs in the trace, want %d", n, want)
		}
	})
	t.Run("no command while busy", func(t *testing.T) {
		for i, e := range res.Trace {
			if e.Busy && e.Op != 0x05 && e.Op != 0x35 {
				t.Fatalf("trace %d: command 0x%02x (%s) sent while the flash was busy", i, e.Op, e.Source)
			}
		}
	})
	t.Run("no program across a page", func(t *testing.T) {
		total := 0
		for i, e := range res.Trace {
			if e.Op != 0x02 {
				continue
			}
			if e.Addr == nil || int(*e.Addr&(pageSize-1))+e.Len > pageSize || e.CrossesPage {
				t.Fatalf("trace %d: page program of %d bytes at %v crosses a 256-byte page", i, e.Len, fmtAddr(e.Addr))
			}
			total += e.Len
		}
		if total != len(image) {
			t.Fatalf("page programs wrote %d bytes, want %d", total, len(image))
		}
	})
	t.Run("protect bits cleared during and restored after", func(t *testing.T) {
		lastProgram, lastStatus := -1, -1
		for i, e := range res.Trace {
			if e.Op == 0x02 {
				lastProgram = i
			}
			if e.Op == 0x01 || e.Op == 0x31 {
				if !e.Volatile {
					t.Fatalf("trace %d: non-volatile status write 0x%02x: the protect bits of the part are rewritten", i, e.Op)
				}
				lastStatus = i
			}
		}
		if res.Status.NV1 != sdkProtected {
			t.Fatalf("non-volatile status 1 = 0x%02x, want 0x%02x as it was", res.Status.NV1, sdkProtected)
		}
		if !restoresProtect {
			return
		}
		if res.Status.SR1&0x7C != sdkProtected {
			t.Fatalf("status 1 after UnInit = 0x%02x: BP bits not restored to 0x%02x", res.Status.SR1, sdkProtected)
		}
		if lastStatus < lastProgram {
			t.Fatalf("no status write after the last page program (trace %d): protection not restored", lastProgram)
		}
	})
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

func fmtAddr(a *uint32) string {
	if a == nil {
		return "(none)"
	}
	return "0x" + hex.EncodeToString([]byte{byte(*a >> 16), byte(*a >> 8), byte(*a)})
}

// burnSetup: a random image, flash full of other random bytes, protected as SDK
// mode leaves it, and the cache holding the old bytes.
func burnSetup(t testing.TB) (image []byte, file string, cfg flashConfig) {
	image = randomBytes(1, burnSize)
	file = writeTemp(t, "burn.bin", image)
	old := randomBytes(2, roundUp(burnSize, sectorSize))
	cfg = flashConfig{
		JedecID: idP25Q32, SR1: sdkProtected,
		Content:      []content{{Offset: 0, blob: blob{Hex: hex.EncodeToString(old)}}},
		PrefillCache: [][2]uint32{{flashBase, uint32(len(old))}},
	}
	return image, file, cfg
}

func TestProgramBurnImage(t *testing.T) {
	image, file, cfg := burnSetup(t)
	e := newEmulator(t, loadAlgo(t, loaderELF(t)), workArea)
	calls := programCalls(file, len(image))
	span := [2]uint32{flashBase, uint32(roundUp(len(image), sectorSize))}
	res := e.run(t, cfg, calls, [][2]uint32{span}, [][2]uint32{span})
	checkProgramRun(t, res, calls, image, true)
	t.Run("cache invalidated and back on", func(t *testing.T) {
		if !res.CacheOn {
			t.Fatal("flash cache off after UnInit: the firmware would run uncached")
		}
		got, err := hex.DecodeString(res.Window[0].Hex)
		if err != nil {
			t.Fatal(err)
		}
		if i := firstDiff(got[:len(image)], image); i >= 0 {
			t.Fatalf("a CPU read through the cache at 0x%08x sees 0x%02x, want 0x%02x: stale cache line", flashBase+i, got[i], image[i])
		}
	})
	var total int64
	for _, c := range res.Calls {
		total += c.Instructions
	}
	t.Logf("programmed %d bytes (%d sectors): %d emulated instructions", len(image), roundUp(len(image), sectorSize)/sectorSize, total)
}

// TestOneSectorChange re-flashes an image that differs from the flash in one
// sector the way the host does: the Crc32 of each sector against the CRC of the
// new bytes, and erase + program only where they differ.
func TestOneSectorChange(t *testing.T) {
	calls, next, res := oneSectorChange(t)
	var total int64
	for i, c := range res.Calls {
		total += c.Instructions
		if c.Name == "Crc32" && calls[i].Args[1] == sectorSize {
			s := int(calls[i].Args[0]-flashBase) / sectorSize
			if want := crc32.ChecksumIEEE(next[s*sectorSize : (s+1)*sectorSize]); (c.R0 == want) != (s != changedSector) {
				t.Fatalf("sector %d: Crc32 0x%08x, new bytes 0x%08x: only sector %d should differ", s, c.R0, want, changedSector)
			}
		}
	}
	if got := res.rangeBytes(t, 0); !bytes.Equal(got[:len(next)], next) {
		t.Fatalf("flash differs from the new image at 0x%08x", flashBase+firstDiff(got, next))
	}
	erases := 0
	for _, e := range res.Trace {
		if e.Op == 0x20 {
			erases++
		}
	}
	if erases != 1 {
		t.Fatalf("%d sector erases, want 1", erases)
	}
	t.Logf("one-sector change of a %d-byte image: %d emulated instructions", len(next), total)
}

const changedSector = 20

func oneSectorChange(t testing.TB) ([]call, []byte, *result) {
	old := randomBytes(1, burnSize)
	next := bytes.Clone(old)
	next[changedSector*sectorSize+100] ^= 0x5A
	file := writeTemp(t, "next.bin", next)
	cfg := flashConfig{JedecID: idP25Q32, SR1: sdkProtected,
		Content: []content{{Offset: 0, blob: blob{Hex: hex.EncodeToString(old)}}}}
	calls := []call{{Name: "Init", Args: []uint32{flashBase, 24000000, 2}}}
	var differ []int
	for s := 0; s < len(next); s += sectorSize {
		end := min(s+sectorSize, len(next))
		calls = append(calls, call{Name: "Crc32", Args: []uint32{flashBase + uint32(s), uint32(end - s)}})
		// the host compares with the CRC of its own bytes; the test checks below
		// that the loader's sums agree with Go's, so the decision is the host's
		if !bytes.Equal(old[s:end], next[s:end]) {
			differ = append(differ, s)
		}
	}
	for _, s := range differ {
		calls = append(calls, sectorCalls(file, s, min(s+sectorSize, len(next)))...)
	}
	calls = append(calls, call{Name: "UnInit", Args: []uint32{2}})
	e := newEmulator(t, loadAlgo(t, loaderELF(t)), workArea)
	res := e.run(t, cfg, calls, [][2]uint32{{flashBase, uint32(len(next))}}, nil)
	for i, c := range res.Calls {
		want := uint32(0)
		switch calls[i].Name {
		case "Crc32":
			s := int(calls[i].Args[0] - flashBase)
			want = crc32.ChecksumIEEE(old[s : s+int(calls[i].Args[1])])
		case "Verify":
			want = calls[i].Args[0] + calls[i].Args[1]
		}
		if c.R0 != want {
			t.Fatalf("call %d %s%v = 0x%x, want 0x%x", i, c.Name, calls[i].Args, c.R0, want)
		}
	}
	return calls, next, res
}

func TestCrc32MatchesGo(t *testing.T) {
	data := randomBytes(3, 3*sectorSize)
	cfg := flashConfig{JedecID: idP25Q32, Content: []content{{Offset: 0, blob: blob{Hex: hex.EncodeToString(data)}}}}
	ranges := [][2]uint32{{0, 3 * sectorSize}, {3, 1001}, {sectorSize, sectorSize}, {5, 0}, {4095, 2}, {1, 3}}
	calls := []call{{Name: "Init", Args: []uint32{flashBase, 0, 3}}}
	for _, r := range ranges {
		calls = append(calls, call{Name: "Crc32", Args: []uint32{flashBase + r[0], r[1]}})
	}
	e := newEmulator(t, loadAlgo(t, loaderELF(t)), workArea)
	res := e.run(t, cfg, calls, nil, nil)
	for i, r := range ranges {
		if got, want := res.Calls[i+1].R0, crc32.ChecksumIEEE(data[r[0]:r[0]+r[1]]); got != want {
			t.Errorf("Crc32(0x%08x, %d) = 0x%08x, Go's crc32.ChecksumIEEE = 0x%08x", flashBase+r[0], r[1], got, want)
		}
	}
}

func TestVerifyReportsMismatch(t *testing.T) {
	page := randomBytes(4, pageSize)
	other := bytes.Clone(page)
	other[77] ^= 1
	other[200] ^= 0x80
	calls := []call{
		{Name: "Init", Args: []uint32{flashBase, 0, 2}},
		{Name: "EraseSector", Args: []uint32{flashBase + 0x3000}},
		{Name: "ProgramPage", Args: []uint32{flashBase + 0x3100, pageSize}, Data: &blob{Hex: hex.EncodeToString(page)}},
		{Name: "Verify", Args: []uint32{flashBase + 0x3100, pageSize}, Data: &blob{Hex: hex.EncodeToString(page)}},
		{Name: "Verify", Args: []uint32{flashBase + 0x3100, pageSize}, Data: &blob{Hex: hex.EncodeToString(other)}},
		{Name: "UnInit", Args: []uint32{2}},
	}
	e := newEmulator(t, loadAlgo(t, loaderELF(t)), workArea)
	res := e.run(t, flashConfig{JedecID: idP25Q32}, calls, nil, nil)
	if got, want := res.Calls[3].R0, uint32(flashBase+0x3200); got != want {
		t.Fatalf("Verify of equal bytes = 0x%08x, want adr+sz 0x%08x", got, want)
	}
	if got, want := res.Calls[4].R0, uint32(flashBase+0x3100+77); got != want {
		t.Fatalf("Verify = 0x%08x, want the first mismatch 0x%08x", got, want)
	}
}

func TestStuckBitReportedByVerify(t *testing.T) {
	data := randomBytes(5, sectorSize)
	const stuck = 0x1234
	data[stuck-0x1000] = 0x00
	calls := []call{{Name: "Init", Args: []uint32{flashBase, 0, 2}}}
	calls = append(calls, sectorCalls(writeTemp(t, "s.bin", append(make([]byte, 0x1000), data...)), 0x1000, 0x2000)...)
	e := newEmulator(t, loadAlgo(t, loaderELF(t)), workArea)
	res := e.run(t, flashConfig{JedecID: idP25Q32, Stuck: []uint32{stuck}}, calls, nil, nil)
	v := res.Calls[len(res.Calls)-1]
	if v.Name != "Verify" || v.R0 != flashBase+stuck {
		t.Fatalf("%s = 0x%08x, want the stuck byte's address 0x%08x", v.Name, v.R0, flashBase+stuck)
	}
	for _, c := range res.Calls[:len(res.Calls)-1] {
		if c.R0 != 0 {
			t.Fatalf("%s = 0x%x before Verify, want 0", c.Name, c.R0)
		}
	}
}

func TestBusyNeverClearsTimesOut(t *testing.T) {
	e := newEmulator(t, loadAlgo(t, loaderELF(t)), workArea)
	e.uncounted = true
	e.budget = 400e6 // the erase time-out spins 100000 polls * 200 turns
	for _, c := range []call{
		{Name: "ProgramPage", Args: []uint32{flashBase, 16}, Data: &blob{Hex: hex.EncodeToString(make([]byte, 16))}},
		{Name: "EraseSector", Args: []uint32{flashBase + sectorSize}},
	} {
		t.Run(c.Name, func(t *testing.T) {
			res := e.run(t, flashConfig{JedecID: idP25Q32, BusyForever: true},
				[]call{{Name: "Init", Args: []uint32{flashBase, 0, 2}}, c}, nil, nil)
			if res.Calls[0].R0 != 0 {
				t.Fatalf("Init = 0x%x, want 0", res.Calls[0].R0)
			}
			if got := res.Calls[1]; got.R0 != 0x03 || got.Hung {
				t.Fatalf("%s on a part that stays busy = 0x%x (hung %v), want the time-out 0x03", c.Name, got.R0, got.Hung)
			}
		})
	}
}

func TestUnknownJEDECID(t *testing.T) {
	// a Winbond W25Q128 sends EF 40 18; the model takes IDs as the HAL's
	// flash_read_id returns them (first byte in bits 7:0), the loader reports them
	// in datasheet order
	const id, shown = 0x001840EF, 0xEF4018
	e := newEmulator(t, loadAlgo(t, loaderELF(t)), workArea)
	res := e.run(t, flashConfig{JedecID: id, SR1: sdkProtected},
		[]call{{Name: "Init", Args: []uint32{flashBase, 0, 2}}}, nil, nil)
	if got, want := res.Calls[0].R0, uint32(0x02|shown<<8); got != want {
		t.Fatalf("Init with a part that sends EF 40 18 = 0x%08x, want 0x%08x", got, want)
	}
	for _, e := range res.Trace {
		if e.Op == 0x01 || e.Op == 0x31 || e.Op == 0x50 {
			t.Fatalf("status command 0x%02x sent to an unknown part", e.Op)
		}
	}
}

// TestKnownParts: every part the HAL lists initialises, gets BP and CMP cleared
// with the status command its group uses, and gets them back from UnInit.
func TestKnownParts(t *testing.T) {
	parts := []struct {
		id       uint32
		separate bool
	}{
		{0x00166085, true}, {0x00156085, true}, {0x00165020, true}, {0x00145020, true},
		{0x001560C4, true}, {0x001460C4, true},
		{0x001465C8, false}, {0x00146085, false}, {0x00136085, false}, {0x001560C8, false},
	}
	e := newEmulator(t, loadAlgo(t, loaderELF(t)), workArea)
	for _, p := range parts {
		res := e.run(t, flashConfig{JedecID: p.id, SR1: sdkProtected, SR2: 0x40},
			[]call{{Name: "Init", Args: []uint32{flashBase, 0, 2}}, {Name: "UnInit", Args: []uint32{2}}}, nil, nil)
		if res.Calls[0].R0 != 0 || res.Calls[1].R0 != 0 {
			t.Errorf("part 0x%06x: Init = 0x%x, UnInit = 0x%x, want 0, 0", p.id, res.Calls[0].R0, res.Calls[1].R0)
			continue
		}
		used31, used2 := false, false
		for _, e := range res.Trace {
			used31 = used31 || e.Op == 0x31
			used2 = used2 || (e.Op == 0x01 && e.Len == 2)
			if e.Ignored != "" {
				t.Errorf("part 0x%06x: command 0x%02x ignored by the part (%s)", p.id, e.Op, e.Ignored)
			}
		}
		if used31 != p.separate || used2 == p.separate {
			t.Errorf("part 0x%06x: status 2 written with 0x31: %v, with a 2-byte 0x01: %v; want separate = %v", p.id, used31, used2, p.separate)
		}
		if res.Status.SR1&0x7C != sdkProtected || res.Status.SR2 != 0x40 {
			t.Errorf("part 0x%06x: status after UnInit 0x%02x/0x%02x, want 0x%02x/0x40", p.id, res.Status.SR1, res.Status.SR2, sdkProtected)
		}
	}
}

func TestInitTwiceRestoresTheOriginalProtection(t *testing.T) {
	init := call{Name: "Init", Args: []uint32{flashBase, 0, 2}}
	e := newEmulator(t, loadAlgo(t, loaderELF(t)), workArea)
	res := e.run(t, flashConfig{JedecID: idP25Q32, SR1: sdkProtected}, []call{init, init, {Name: "UnInit", Args: []uint32{2}}}, nil, nil)
	for _, c := range res.Calls {
		if c.R0 != 0 {
			t.Fatalf("%s = 0x%x, want 0", c.Name, c.R0)
		}
	}
	if res.Status.SR1&0x7C != sdkProtected {
		t.Fatalf("status 1 after Init, Init, UnInit = 0x%02x, want the original 0x%02x", res.Status.SR1, sdkProtected)
	}
}

func TestProtectBitsThatWillNotClear(t *testing.T) {
	e := newEmulator(t, loadAlgo(t, loaderELF(t)), workArea)
	res := e.run(t, flashConfig{JedecID: idP25Q32, SR1: sdkProtected, ProtectStuck: true},
		[]call{{Name: "Init", Args: []uint32{flashBase, 0, 2}}}, nil, nil)
	if got := res.Calls[0].R0; got != 0x04 {
		t.Fatalf("Init with protect bits that stay set = 0x%x, want 0x04", got)
	}
}

func TestClockGatesTurnedOn(t *testing.T) {
	e := newEmulator(t, loadAlgo(t, loaderELF(t)), workArea)
	res := e.run(t, flashConfig{JedecID: idP25Q32, ClocksOn: boolp(false)},
		[]call{{Name: "Init", Args: []uint32{flashBase, 0, 2}}, {Name: "UnInit", Args: []uint32{2}}}, nil, nil)
	if res.Calls[0].R0 != 0 || res.Gated != 0 {
		t.Fatalf("Init with the QSPI and cache clocks off = 0x%x, %d accesses to gated blocks; want 0, 0", res.Calls[0].R0, res.Gated)
	}
}

func TestBadArguments(t *testing.T) {
	page := &blob{Hex: hex.EncodeToString(make([]byte, pageSize))}
	bad := []call{
		{Name: "EraseSector", Args: []uint32{flashBase + 0x800}},                 // not a sector start
		{Name: "EraseSector", Args: []uint32{flashBase - sectorSize}},            // below the flash
		{Name: "EraseSector", Args: []uint32{flashBase + 0x400000}},              // past the 4 MB P25Q32
		{Name: "ProgramPage", Args: []uint32{flashBase + 0x80, 256}, Data: page}, // across a page
		{Name: "ProgramPage", Args: []uint32{flashBase + 0x400000, 256}, Data: page},
		{Name: "ProgramPage", Args: []uint32{flashBase, 512}, Data: page},
	}
	calls := append([]call{{Name: "Init", Args: []uint32{flashBase, 0, 2}}}, bad...)
	e := newEmulator(t, loadAlgo(t, loaderELF(t)), workArea)
	res := e.run(t, flashConfig{JedecID: idP25Q32}, calls, nil, nil)
	for i, c := range res.Calls[1:] {
		if c.R0 != 0x05 {
			t.Errorf("%s%v = 0x%x, want 0x05", c.Name, bad[i].Args, c.R0)
		}
	}
	for _, e := range res.Trace {
		if e.Op == 0x20 || e.Op == 0x02 {
			t.Fatalf("command 0x%02x at %v sent for a refused call", e.Op, fmtAddr(e.Addr))
		}
	}
}

func TestPositionIndependent(t *testing.T) {
	image := randomBytes(6, 3*sectorSize-100)
	file := writeTemp(t, "pi.bin", image)
	calls := programCalls(file, len(image))
	a := loadAlgo(t, loaderELF(t))
	var runs []*result
	for _, area := range []uint32{workArea, workArea + 0x11000} {
		runs = append(runs, newEmulator(t, a, area).run(t, flashConfig{JedecID: idP25Q32, SR1: sdkProtected}, calls,
			[][2]uint32{{flashBase, 3 * sectorSize}}, nil))
	}
	if runs[0].CRC32 != runs[1].CRC32 || !reflect.DeepEqual(runs[0].Calls, runs[1].Calls) || !reflect.DeepEqual(runs[0].Trace, runs[1].Trace) {
		t.Fatal("the loader behaves differently at 0x20000000 and 0x20011000: it is not position independent")
	}
	checkProgramRun(t, runs[1], calls, image, true)
}

func TestLoaderFitsAndDescribesTheFlash(t *testing.T) {
	path := loaderELF(t)
	a := loadAlgo(t, path)
	// flashalgo.Load refuses absolute relocations, but can only see them when the
	// link kept them (-Wl,-q in loader_ldflags)
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if s := f.Section(".relPrgCode"); s == nil || s.Type != elf.SHT_REL {
		t.Fatalf("%s has no .relPrgCode: link the loader with -Wl,-q so its relocations can be checked", path)
	}
	l, err := a.Layout(workArea, workSize, bufSize)
	if err != nil {
		t.Fatal(err)
	}
	if stack := l.Stack - l.StackLimit; stack < 1024 {
		t.Fatalf("%d bytes of stack left in 32K with a 4K buffer, want >= 1024", stack)
	}
	want := flashalgo.Device{Version: 0x0101, Name: "FR30xx QSPI flash (mpforge)", Type: 5, Addr: flashBase,
		Size: 16 << 20, Page: pageSize, Empty: 0xFF, ProgramTimeout: 1000, EraseTimeout: 10000,
		Regions: []flashalgo.Region{{Size: sectorSize, Offset: 0}}}
	if !reflect.DeepEqual(a.Device, want) {
		t.Fatalf("FlashDevice = %+v\nwant %+v", a.Device, want)
	}
	for _, name := range []string{"Init", "UnInit", "EraseSector", "ProgramPage", "Verify", "Crc32"} {
		if !a.Has(name) {
			t.Errorf("loader has no %s entry", name)
		}
	}
	t.Logf("loader image %d bytes (static base at +%d); stack %d bytes in the 32K work area", len(a.Image), a.DataOffset, l.Stack-l.StackLimit)
}

// TestVendorFLM runs the vendor's algorithm through the same checks: the model
// must behave like the chip it was written for.
func TestVendorFLM(t *testing.T) {
	path := os.Getenv("MPFORGE_TEST_FLM")
	if path == "" {
		t.Skip("set MPFORGE_TEST_FLM=/path/to/FR30xx.FLM (the vendor SDK's components/tools/keil/FR30xx.FLM) to run the vendor flash algorithm against the flash model")
	}
	a := loadAlgo(t, path)
	ours := loadAlgo(t, loaderELF(t))
	if d, o := a.Device, ours.Device; d.Addr != o.Addr || d.Size != o.Size || d.Page != o.Page || d.Empty != o.Empty || !reflect.DeepEqual(d.Regions, o.Regions) {
		t.Errorf("vendor FlashDevice %+v differs in geometry from ours %+v", d, o)
	}
	image, file, cfg := burnSetup(t)
	var calls []call
	for _, c := range programCalls(file, len(image)) {
		if a.Has(c.Name) {
			calls = append(calls, c)
		}
	}
	span := [2]uint32{flashBase, uint32(roundUp(len(image), sectorSize))}
	res := newEmulator(t, a, workArea).run(t, cfg, calls, [][2]uint32{span}, nil)

	// FR30xx.FLM puts the protect bits back after each erase and program itself
	checkProgramRun(t, res, calls, image, true)
}
