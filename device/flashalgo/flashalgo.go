// Package flashalgo reads a CMSIS flash algorithm: the position-independent
// RAM program (a Keil .FLM, or mpforge's own loader built as one) that a
// debugger loads into a chip's RAM and calls to erase and program its flash.
//
// Such an ELF holds the code in section PrgCode, its data in PrgData (with a
// NOBITS part that is zero at run time), and the FlashDevice table in DevDscr;
// its functions (Init, UnInit, EraseSector, ProgramPage, ...) take arguments
// in r0-r2, address their data through r9 (the static base) and return in r0.
// Keil's algorithms are built RWPI (data through r9); GCC's -fPIC with hidden
// visibility addresses data relative to the PC instead, which works as well
// because code and data are loaded together, as one image.
package flashalgo

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"os"
	"slices"
	"sort"
)

// Entry names of a CMSIS flash algorithm. Crc32 is mpforge's extension:
// Crc32(adr, sz) returns the IEEE CRC-32 of sz bytes of flash at adr.
const (
	Init        = "Init"
	UnInit      = "UnInit"
	EraseSector = "EraseSector"
	ProgramPage = "ProgramPage"
	EraseChip   = "EraseChip"
	BlankCheck  = "BlankCheck"
	Verify      = "Verify"
	Crc32       = "Crc32"
)

var (
	required = []string{Init, UnInit, EraseSector, ProgramPage}
	optional = []string{EraseChip, BlankCheck, Verify, Crc32}
)

// maxImage bounds the RAM image: flash algorithms are a few KiB; anything
// near this is a wrong file, and the bound keeps sizes far from overflow.
const maxImage = 1 << 20

// Algorithm is a flash algorithm ready to load at any suitably aligned RAM
// address.
type Algorithm struct {
	Path string
	// Image is PrgCode then PrgData, laid out as the linker placed them
	// relative to PrgCode, the NOBITS part zero-filled.
	Image []byte
	// DataOffset is the static base (r9) relative to the load address: where
	// PrgData starts in Image.
	DataOffset uint32
	// Align is the alignment the load address needs (the sections' largest).
	Align uint32
	// Entries are the functions present, as offsets in Image (Thumb bit clear).
	Entries map[string]uint32
	Device  Device
}

// Has reports whether the algorithm provides the named function.
func (a *Algorithm) Has(name string) bool {
	_, ok := a.Entries[name]
	return ok
}

// Device is the algorithm's FlashDevice table (CMSIS FlashOS.h).
type Device struct {
	Version uint16 // Vers: driver version and architecture
	Name    string // DevName
	Type    uint16 // DevType: 1 on-chip, 2-4 external parallel, 5 external SPI
	Addr    uint32 // DevAdr: where the flash starts
	Size    uint32 // szDev
	Page    uint32 // szPage: the largest block ProgramPage takes
	Empty   byte   // valEmpty: the content of erased flash
	// ProgramTimeout and EraseTimeout are toProg and toErase, in milliseconds:
	// how long one ProgramPage and one EraseSector may take.
	ProgramTimeout uint32
	EraseTimeout   uint32
	// Regions are the {szSector, AddrSector} pairs: from Offset (relative to
	// Addr) up to the next region, the flash is made of sectors of Size bytes.
	Regions []Region
}

// Region is one entry of the FlashDevice sector table.
type Region struct {
	Size   uint32 // szSector
	Offset uint32 // AddrSector, relative to Device.Addr
}

// Sector is one erasable sector of the device.
type Sector struct {
	Index int    // counted from the device's first sector
	Addr  uint32 // absolute address
	Size  uint32
}

// End is the address just past the sector (as uint64: the last sector of a
// device at the top of the address space ends at 1<<32).
func (s Sector) End() uint64 { return uint64(s.Addr) + uint64(s.Size) }

// End is the address just past the device.
func (d *Device) End() uint64 { return uint64(d.Addr) + uint64(d.Size) }

// regionEnd is the offset where region i ends.
func (d *Device) regionEnd(i int) uint32 {
	if i+1 < len(d.Regions) {
		return d.Regions[i+1].Offset
	}
	return d.Size
}

// Sectors yields the device's sectors in address order.
func (d *Device) Sectors() iter.Seq[Sector] {
	return func(yield func(Sector) bool) {
		n := 0
		for i, r := range d.Regions {
			for off := uint64(r.Offset); off < uint64(d.regionEnd(i)); off += uint64(r.Size) {
				if !yield(Sector{Index: n, Addr: d.Addr + uint32(off), Size: r.Size}) {
					return
				}
				n++
			}
		}
	}
}

// SectorAt returns the sector holding addr; false when addr is outside the device.
func (d *Device) SectorAt(addr uint32) (Sector, bool) {
	if addr < d.Addr || uint64(addr) >= d.End() {
		return Sector{}, false
	}
	off := addr - d.Addr
	n := 0
	for i, r := range d.Regions {
		end := d.regionEnd(i)
		count := int((uint64(end) - uint64(r.Offset) + uint64(r.Size) - 1) / uint64(r.Size))
		if off < end {
			k := (off - r.Offset) / r.Size
			return Sector{Index: n + int(k), Addr: d.Addr + r.Offset + k*r.Size, Size: r.Size}, true
		}
		n += count
	}
	return Sector{}, false
}

// FlashDevice layout (FlashOS.h, natural alignment, as the Arm compilers lay
// it out): Vers u16 @0, DevName char[128] @2, DevType u16 @130, DevAdr @132,
// szDev @136, szPage @140, Res @144, valEmpty u8 @148, 3 bytes padding,
// toProg @152, toErase @156, then {szSector, AddrSector} pairs from 160.
const (
	offName    = 2
	nameLen    = 128
	offType    = 130
	offAddr    = 132
	offSize    = 136
	offPage    = 140
	offEmpty   = 148
	offProg    = 152
	offErase   = 156
	offSectors = 160
	sectorEnd  = 0xFFFFFFFF
)

// Load reads the flash algorithm in the ELF file at path.
func Load(path string) (*Algorithm, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("flash algorithm %s: %w", path, err)
	}
	a, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("flash algorithm %s: %w", path, err)
	}
	a.Path = path
	return a, nil
}

// Parse reads a flash algorithm from the bytes of its ELF file.
func Parse(data []byte) (*Algorithm, error) {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not an ELF file (%v); give a CMSIS flash algorithm (.FLM or a loader ELF)", err)
	}
	return read(f)
}

func read(f *elf.File) (*Algorithm, error) {
	if f.Class != elf.ELFCLASS32 || f.Machine != elf.EM_ARM || f.Data != elf.ELFDATA2LSB {
		return nil, fmt.Errorf("not a 32-bit little-endian Arm ELF (%v, %v, %v)", f.Class, f.Machine, f.Data)
	}
	if f.Type != elf.ET_EXEC {
		return nil, fmt.Errorf("ELF type %v, want a linked executable (ET_EXEC)", f.Type)
	}
	var code, data []*elf.Section
	var dscr *elf.Section
	for _, s := range f.Sections {
		switch s.Name {
		case "PrgCode":
			code = append(code, s)
		case "PrgData":
			data = append(data, s)
		case "DevDscr":
			dscr = s
		}
	}
	for _, s := range f.Sections {
		if s.Flags&elf.SHF_ALLOC != 0 && s.Size > 0 && s.Name != "PrgCode" && s.Name != "PrgData" && s.Name != "DevDscr" {
			return nil, fmt.Errorf("section %s (%d bytes) is loaded but is neither PrgCode, PrgData nor DevDscr; "+
				"a GOT (.got) holds absolute addresses, so build with -fPIC -fvisibility=hidden (and without -msingle-pic-base), "+
				"and let the linker script put everything else into PrgCode or PrgData", s.Name, s.Size)
		}
	}
	if len(code) == 0 {
		return nil, errors.New("no PrgCode section: not a CMSIS flash algorithm (its code must be in a section named PrgCode)")
	}
	if dscr == nil {
		return nil, errors.New("no DevDscr section: the FlashDevice table (flash base, size, sectors) is missing")
	}
	if err := checkRelocations(f, append(append([]*elf.Section{}, code...), data...)); err != nil {
		return nil, err
	}

	// The image runs from the lowest PrgCode address to the end of the
	// last PrgCode/PrgData section; the algorithm expects exactly that layout.
	parts := append(append([]*elf.Section{}, code...), data...)
	sort.Slice(parts, func(i, j int) bool { return parts[i].Addr < parts[j].Addr })
	start := code[0].Addr
	for _, s := range code {
		start = min(start, s.Addr)
	}
	if parts[0].Addr < start {
		return nil, fmt.Errorf("PrgData at 0x%x lies before PrgCode at 0x%x; the loader expects code first", parts[0].Addr, start)
	}
	var end uint64
	align := uint64(4)
	for i, s := range parts {
		if s.Addr < end && s.Size > 0 {
			return nil, fmt.Errorf("section %s at 0x%x overlaps %s (which ends at 0x%x)", s.Name, s.Addr, parts[i-1].Name, end)
		}
		if s.Addr+s.Size < s.Addr || s.Addr+s.Size-start > maxImage {
			return nil, fmt.Errorf("section %s (0x%x + 0x%x bytes) makes the image larger than %d KiB: not a flash algorithm", s.Name, s.Addr, s.Size, maxImage>>10)
		}
		end = max(end, s.Addr+s.Size)
		align = max(align, s.Addralign)
	}
	if align > 4096 || align&(align-1) != 0 {
		return nil, fmt.Errorf("section alignment %d is not a power of two up to 4096", align)
	}
	img := make([]byte, end-start)
	for _, s := range parts {
		if s.Type == elf.SHT_NOBITS {
			continue // zero already
		}
		b, err := s.Data()
		if err != nil {
			return nil, fmt.Errorf("reading section %s: %v", s.Name, err)
		}
		copy(img[s.Addr-start:], b)
	}
	a := &Algorithm{Image: img, Align: uint32(align), Entries: map[string]uint32{}}
	a.DataOffset = uint32(end - start) // no data: r9 points past the code
	for _, s := range data {
		a.DataOffset = min(a.DataOffset, uint32(s.Addr-start))
	}

	syms, err := f.Symbols()
	if err != nil {
		return nil, fmt.Errorf("no symbol table (%v): the entry points Init, EraseSector, ... cannot be found", err)
	}
	found := map[string]elf.Symbol{}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && elf.ST_BIND(s.Info) == elf.STB_GLOBAL {
			found[s.Name] = s
		}
	}
	var missing []string
	for _, name := range append(append([]string{}, required...), optional...) {
		s, ok := found[name]
		if !ok {
			if slices.Contains(required, name) {
				missing = append(missing, name)
			}
			continue
		}
		v := s.Value &^ 1
		if v < start || v >= start+uint64(len(img)) || !inAny(code, v) {
			return nil, fmt.Errorf("function %s at 0x%x is not in PrgCode", name, s.Value)
		}
		if s.Value&1 == 0 {
			return nil, fmt.Errorf("function %s at 0x%x is not Thumb code; Cortex-M runs Thumb only", name, s.Value)
		}
		a.Entries[name] = uint32(v - start)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing required function(s) %v (a CMSIS flash algorithm exports Init, UnInit, EraseSector and ProgramPage as global functions)", missing)
	}

	b, err := dscr.Data()
	if err != nil {
		return nil, fmt.Errorf("reading DevDscr: %v", err)
	}
	if a.Device, err = parseDevice(b); err != nil {
		return nil, fmt.Errorf("FlashDevice table (DevDscr): %w", err)
	}
	return a, nil
}

// checkRelocations refuses an image linked with absolute relocations kept
// (ld -q): it only runs at its link address, not where we load it.
func checkRelocations(f *elf.File, loaded []*elf.Section) error {
	for _, r := range f.Sections {
		if r.Type != elf.SHT_REL && r.Type != elf.SHT_RELA {
			continue
		}
		if int(r.Info) >= len(f.Sections) || !slices.Contains(loaded, f.Sections[r.Info]) {
			continue
		}
		b, err := r.Data()
		if err != nil {
			return fmt.Errorf("reading %s: %v", r.Name, err)
		}
		step := 8
		if r.Type == elf.SHT_RELA {
			step = 12
		}
		for i := 0; i+step <= len(b); i += step {
			info := binary.LittleEndian.Uint32(b[i+4:])
			switch t := elf.R_ARM(info & 0xff); t {
			case elf.R_ARM_ABS32, elf.R_ARM_ABS16, elf.R_ARM_ABS12, elf.R_ARM_ABS8,
				elf.R_ARM_MOVW_ABS_NC, elf.R_ARM_MOVT_ABS, elf.R_ARM_THM_MOVW_ABS_NC, elf.R_ARM_THM_MOVT_ABS, elf.R_ARM_TARGET1:
				return fmt.Errorf("%s has an absolute relocation (%v at 0x%x in %s): the image is not position independent; build it with -fPIC -fvisibility=hidden (GCC) or as ROPI/RWPI (Arm Compiler)",
					f.Sections[r.Info].Name, t, binary.LittleEndian.Uint32(b[i:]), r.Name)
			}
		}
	}
	return nil
}

func parseDevice(b []byte) (Device, error) {
	if len(b) < offSectors+8 {
		return Device{}, fmt.Errorf("%d bytes, too short for a FlashDevice (at least %d)", len(b), offSectors+8)
	}
	le := binary.LittleEndian
	name := b[offName : offName+nameLen]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	d := Device{
		Version: le.Uint16(b), Name: string(name), Type: le.Uint16(b[offType:]),
		Addr: le.Uint32(b[offAddr:]), Size: le.Uint32(b[offSize:]), Page: le.Uint32(b[offPage:]),
		Empty: b[offEmpty], ProgramTimeout: le.Uint32(b[offProg:]), EraseTimeout: le.Uint32(b[offErase:]),
	}
	if d.Size == 0 || d.End() > 1<<32 {
		return d, fmt.Errorf("device size 0x%x at 0x%x does not fit the 32-bit address space", d.Size, d.Addr)
	}
	if d.Page == 0 || d.Page > d.Size {
		return d, fmt.Errorf("page size %d is not between 1 and the device size", d.Page)
	}
	for off := offSectors; ; off += 8 {
		if off+8 > len(b) {
			return d, errors.New("the sector table has no end marker (0xFFFFFFFF, 0xFFFFFFFF)")
		}
		r := Region{Size: le.Uint32(b[off:]), Offset: le.Uint32(b[off+4:])}
		if r.Size == sectorEnd && r.Offset == sectorEnd {
			break
		}
		if r.Size == 0 {
			return d, fmt.Errorf("sector table entry %d has size 0", len(d.Regions))
		}
		if n := len(d.Regions); n == 0 && r.Offset != 0 || n > 0 && r.Offset <= d.Regions[n-1].Offset {
			return d, fmt.Errorf("sector table entry %d starts at offset 0x%x: entries must start at 0 and ascend", n, r.Offset)
		}
		if r.Offset >= d.Size {
			return d, fmt.Errorf("sector table entry %d starts at offset 0x%x, past the device's 0x%x bytes", len(d.Regions), r.Offset, d.Size)
		}
		d.Regions = append(d.Regions, r)
	}
	if len(d.Regions) == 0 {
		return d, errors.New("the sector table is empty")
	}
	for i, r := range d.Regions {
		if (d.regionEnd(i)-r.Offset)%r.Size != 0 {
			return d, fmt.Errorf("sector table entry %d: %d-byte sectors do not fill 0x%x..0x%x", i, r.Size, r.Offset, d.regionEnd(i))
		}
	}
	return d, nil
}

func inAny(secs []*elf.Section, addr uint64) bool {
	for _, s := range secs {
		if addr >= s.Addr && addr < s.Addr+s.Size {
			return true
		}
	}
	return false
}
