package flashalgo_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mpforge/device/flashalgo"
)

// pic are the flags that make GCC's code position independent with its data
// addressed relative to the PC (no GOT), as a flash algorithm needs.
var pic = []string{"-fPIC", "-fvisibility=hidden"}

// build links testdata/algo.c into a flash algorithm ELF with the real cross
// toolchain, with the given extra compiler and linker flags.
func build(t testing.TB, flags ...string) string {
	t.Helper()
	if _, err := exec.LookPath("arm-none-eabi-gcc"); err != nil {
		t.Fatalf("arm-none-eabi-gcc is needed: %v", err)
	}
	out := filepath.Join(t.TempDir(), "algo.elf")
	args := append([]string{"-mcpu=cortex-m33", "-mthumb", "-Os", "-nostdlib", "-nostartfiles",
		"-Wl,-T,testdata/algo.ld", "-e", "Init", "-Wl,--undefined=UnInit", "-o", out, "testdata/algo.c"}, flags...)
	if b, err := exec.Command("arm-none-eabi-gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("arm-none-eabi-gcc %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return out
}

// nm lists the ELF's global function symbols as arm-none-eabi-nm sees them.
func nm(t *testing.T, path string) map[string]uint32 {
	t.Helper()
	b, err := exec.Command("arm-none-eabi-nm", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]uint32{}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 3 && f[1] == "T" {
			v, err := strconv.ParseUint(f[0], 16, 32)
			if err != nil {
				t.Fatal(err)
			}
			m[f[2]] = uint32(v)
		}
	}
	return m
}

func TestLoad(t *testing.T) {
	t.Parallel()
	path := build(t, append(pic, "-DWITH_CRC")...)
	a, err := flashalgo.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	// objcopy lays out the loaded sections (code, then data) as one binary.
	bin := filepath.Join(t.TempDir(), "algo.bin")
	if b, err := exec.Command("arm-none-eabi-objcopy", "-O", "binary", "-j", "PrgCode", "-j", "PrgData", path, bin).CombinedOutput(); err != nil {
		t.Fatalf("objcopy: %v\n%s", err, b)
	}
	want, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Image, want) {
		t.Errorf("Image (%d bytes) differs from objcopy's (%d bytes)", len(a.Image), len(want))
	}
	syms := nm(t, path)
	for _, name := range []string{"Init", "UnInit", "EraseSector", "ProgramPage", "Crc32"} {
		if got, ok := a.Entries[name]; !ok || got != syms[name]&^1 {
			t.Errorf("Entries[%s] = 0x%x, %v; nm says 0x%x (Thumb bit set)", name, got, ok, syms[name])
		}
	}
	if a.Has("Verify") || a.Has("EraseChip") {
		t.Errorf("Entries hold functions the ELF lacks: %v", a.Entries)
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if s := f.Section("PrgData"); uint64(a.DataOffset) != s.Addr {
		t.Errorf("DataOffset = 0x%x, PrgData is at 0x%x", a.DataOffset, s.Addr)
	}
	d := a.Device
	if d.Version != 0x0101 || d.Name != "Test Flash" || d.Type != 5 || d.Addr != 0x10000000 || d.Size != 0x30000 ||
		d.Page != 256 || d.Empty != 0xFF || d.ProgramTimeout != 100 || d.EraseTimeout != 3000 {
		t.Errorf("Device = %+v", d)
	}
	if want := []flashalgo.Region{{Size: 0x1000, Offset: 0}, {Size: 0x10000, Offset: 0x10000}}; !slices.Equal(d.Regions, want) {
		t.Errorf("Regions = %x, want %x", d.Regions, want)
	}
}

func TestSectors(t *testing.T) {
	t.Parallel()
	a, err := flashalgo.Load(build(t, pic...))
	if err != nil {
		t.Fatal(err)
	}
	d := &a.Device
	var got []flashalgo.Sector
	for s := range d.Sectors() {
		got = append(got, s)
	}
	// 0x10000 of 4K sectors, then 0x20000 of 64K sectors.
	if len(got) != 18 {
		t.Fatalf("%d sectors, want 16 + 2: %x", len(got), got)
	}
	var next uint64 = uint64(d.Addr)
	for i, s := range got {
		if s.Index != i || uint64(s.Addr) != next {
			t.Errorf("sector %d = %+v, want index %d at 0x%x", i, s, i, next)
		}
		next = s.End()
	}
	if next != d.End() || got[15].Size != 0x1000 || got[16].Size != 0x10000 {
		t.Errorf("sectors end at 0x%x (device 0x%x); sizes %x %x", next, d.End(), got[15].Size, got[16].Size)
	}
	for _, s := range got {
		for _, addr := range []uint32{s.Addr, s.Addr + s.Size/2, s.Addr + s.Size - 1} {
			if at, ok := d.SectorAt(addr); !ok || at != s {
				t.Errorf("SectorAt(0x%x) = %+v, %v; want %+v", addr, at, ok, s)
			}
		}
	}
	for _, addr := range []uint32{d.Addr - 1, uint32(d.End()), 0} {
		if s, ok := d.SectorAt(addr); ok {
			t.Errorf("SectorAt(0x%x) outside the device = %+v", addr, s)
		}
	}
}

func TestLoadRefuses(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		flags []string
		want  string
	}{
		"missing Init":         {append(pic, "-DNO_INIT"), "missing required function(s) [Init]"},
		"GOT":                  {[]string{"-fPIC", "-msingle-pic-base", "-mpic-register=r9", "-mno-pic-data-is-text-relative"}, "section .got"},
		"absolute":             {[]string{"-fno-PIC", "-DABSOLUTE", "-Wl,-q", "-Wl,--undefined=BlankCheck"}, "absolute relocation (R_ARM_ABS32"},
		"absolute in data":     {append(pic, "-DABSDATA", "-Wl,-q", "-Wl,--undefined=BlankCheck"), "PrgData has an absolute relocation (R_ARM_ABS32"},
		"no device table":      {append(pic, "-DNO_DEVDSCR"), "no DevDscr section"},
		"object file":          {append(pic, "-r"), "ET_REL"},
		"Arm (not Thumb) code": {append(pic, "-marm", "-mcpu=cortex-a7"), "not Thumb code"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := build(t, tc.flags...)
			_, err := flashalgo.Load(path)
			t.Log(err)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("Load = %v, want an error naming %s and saying %q", err, path, tc.want)
			}
		})
	}
	if _, err := flashalgo.Load(filepath.Join(t.TempDir(), "none.FLM")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file = %v", err)
	}
	notELF := filepath.Join(t.TempDir(), "x.FLM")
	os.WriteFile(notELF, []byte("not an elf"), 0o644)
	if _, err := flashalgo.Load(notELF); err == nil || !strings.Contains(err.Error(), "not an ELF file") {
		t.Errorf("Load of a text file = %v", err)
	}
}

// patch rewrites bytes of the DevDscr section in a copy of the ELF.
func patch(t *testing.T, path string, edit func(dev []byte)) string {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s := f.Section("DevDscr")
	off, size := s.Offset, s.Size
	f.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edit(b[off : off+size])
	out := filepath.Join(t.TempDir(), "patched.elf")
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBadDeviceTable(t *testing.T) {
	t.Parallel()
	path := build(t, pic...)
	le := binary.LittleEndian
	for name, tc := range map[string]struct {
		edit func(dev []byte)
		want string
	}{
		"page size 0":       {func(d []byte) { le.PutUint32(d[140:], 0) }, "page size 0"},
		"past 4 GiB":        {func(d []byte) { le.PutUint32(d[132:], 0xFFFF0000) }, "does not fit the 32-bit address space"},
		"sector size 0":     {func(d []byte) { le.PutUint32(d[160:], 0) }, "entry 0 has size 0"},
		"not from offset 0": {func(d []byte) { le.PutUint32(d[164:], 0x1000) }, "must start at 0 and ascend"},
		"ragged":            {func(d []byte) { le.PutUint32(d[160:], 0x3000) }, "do not fill"},
		"no end marker": {func(d []byte) {
			le.PutUint32(d[176:], 0x1000)
			le.PutUint32(d[180:], 0x20000)
			le.PutUint32(d[184:], 0x1000)
			le.PutUint32(d[188:], 0x28000)
		}, "no end marker"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := flashalgo.Load(patch(t, path, tc.edit))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "FlashDevice") {
				t.Errorf("Load = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLayout(t *testing.T) {
	t.Parallel()
	a, err := flashalgo.Load(build(t, append(pic, "-DWITH_CRC")...))
	if err != nil {
		t.Fatal(err)
	}
	const base, size = 0x20000000, 0x8000
	l, err := a.Layout(base, size, 4096)
	if err != nil {
		t.Fatal(err)
	}
	type span struct {
		name       string
		start, end uint32
	}
	spans := []span{
		{"trap", l.Trap, l.Trap + 4},
		{"image", l.Load, l.Load + uint32(len(a.Image))},
		{"buffer", l.Buffer, l.Buffer + l.BufferSize},
		{"stack", l.StackLimit, l.Stack},
	}
	for i, s := range spans {
		if s.start < base || s.end > base+size || s.end < s.start {
			t.Errorf("%s 0x%x..0x%x outside the work area", s.name, s.start, s.end)
		}
		if i > 0 && s.start < spans[i-1].end {
			t.Errorf("%s at 0x%x overlaps %s (ends 0x%x)", s.name, s.start, spans[i-1].name, spans[i-1].end)
		}
	}
	if l.Stack%8 != 0 || l.Stack-l.StackLimit < flashalgo.MinStack || l.Stack != base+size {
		t.Errorf("stack 0x%x..0x%x: want 8-aligned, at least %d bytes, at the top", l.StackLimit, l.Stack, flashalgo.MinStack)
	}
	if l.StaticBase != l.Load+a.DataOffset || l.Load%a.Align != 0 || l.Buffer%8 != 0 {
		t.Errorf("layout %+v", l)
	}
	if l.Entries["Crc32"] != l.Load+a.Entries["Crc32"] {
		t.Errorf("Entries[Crc32] = 0x%x", l.Entries["Crc32"])
	}

	need := uint32(l.StackLimit-base) + flashalgo.MinStack
	if _, err := a.Layout(base, need, 4096); err != nil {
		t.Errorf("Layout in exactly %d bytes: %v", need, err)
	}
	_, err = a.Layout(base, need-8, 4096)
	if err == nil || !strings.Contains(err.Error(), "does not fit the "+strconv.Itoa(int(need-8))+"-byte work area") {
		t.Errorf("Layout in %d bytes = %v", need-8, err)
	}
	if _, err := a.Layout(0xFFFFF000, 0x1000, 4096); err == nil {
		t.Error("Layout at the top of the address space succeeded")
	}
	if _, err := a.Layout(base, size, 1000+2); err == nil {
		t.Error("Layout with a buffer not a multiple of 4 succeeded")
	}
}

// The vendor's Keil algorithm for the FR30xx (tools/keil/FR30xx.FLM of the
// Freqchip SDK), when MPFORGE_TEST_FLM names it. Its facts are those its
// device table and symbol table hold (see arm-none-eabi-readelf -a).
func TestVendorFLM(t *testing.T) {
	path := os.Getenv("MPFORGE_TEST_FLM")
	if path == "" {
		t.Skip("set MPFORGE_TEST_FLM to the FR30xx SDK's tools/keil/FR30xx.FLM to check the reader against it")
	}
	a, err := flashalgo.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	d := a.Device
	if d.Name != "FR30xx Flash" || d.Addr != 0x08000000 || d.Size != 16<<20 || d.Page != 256 || d.Empty != 0xFF ||
		d.ProgramTimeout != 1000 || d.EraseTimeout != 10000 || len(d.Regions) != 1 || d.Regions[0] != (flashalgo.Region{Size: 4096}) {
		t.Errorf("Device = %+v", d)
	}
	for _, name := range []string{"Init", "UnInit", "EraseSector", "ProgramPage", "EraseChip", "Verify"} {
		if !a.Has(name) {
			t.Errorf("no %s", name)
		}
	}
	if a.Has("Crc32") || a.Entries["Init"] != 0 {
		t.Errorf("Entries = %v", a.Entries)
	}
	// PrgData (8 bytes of data, then 8 zero-initialised) follows the code.
	if a.DataOffset == 0 || len(a.Image) != int(a.DataOffset)+16 {
		t.Errorf("DataOffset 0x%x, image %d bytes", a.DataOffset, len(a.Image))
	}
	if !bytes.Equal(a.Image[len(a.Image)-8:], make([]byte, 8)) {
		t.Errorf("the NOBITS part is not zero: % x", a.Image[len(a.Image)-8:])
	}
	if _, err := a.Layout(0x20000000, 0x8000, 4096); err != nil {
		t.Errorf("does not fit the FR30xx work area: %v", err)
	}
}
