package toolchain

import (
	"debug/elf"
	"fmt"
	"sort"
)

// Region is a memory region to account use against.
type Region struct {
	Name   string `json:"name"`
	Origin uint64 `json:"origin"`
	Length uint64 `json:"length"`
}

// RegionUse is how much of a region the firmware occupies.
type RegionUse struct {
	Region
	Used uint64 `json:"used"`
}

// Percent of the region in use.
func (u RegionUse) Percent() float64 { return 100 * float64(u.Used) / float64(u.Length) }

// Section is one allocated section of the firmware.
type Section struct {
	Name string `json:"name"`
	Addr uint64 `json:"addr"` // where it runs (VMA)
	Load uint64 `json:"load"` // where it is stored (LMA); equal to Addr unless copied at start-up
	Size uint64 `json:"size"`
}

// Sizes reads the allocated sections of an ELF and charges each region with
// what runs in it and what is loaded into it (initialised data counts in
// both RAM, where it runs, and FLASH, where its initial values are stored).
func Sizes(elfPath string, regions []Region) ([]RegionUse, []Section, error) {
	f, err := elf.Open(elfPath)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var sections []Section
	for _, s := range f.Sections {
		if s.Flags&elf.SHF_ALLOC == 0 || s.Size == 0 {
			continue
		}
		sec := Section{Name: s.Name, Addr: s.Addr, Load: s.Addr, Size: s.Size}
		if s.Type != elf.SHT_NOBITS {
			for _, p := range f.Progs {
				if p.Type == elf.PT_LOAD && s.Offset >= p.Off && s.Offset+s.Size <= p.Off+p.Filesz {
					sec.Load = p.Paddr + (s.Offset - p.Off)
					break
				}
			}
		}
		sections = append(sections, sec)
	}
	sort.Slice(sections, func(i, j int) bool { return sections[i].Addr < sections[j].Addr })
	uses := make([]RegionUse, len(regions))
	for i, r := range regions {
		uses[i].Region = r
		for _, s := range sections {
			if s.Addr >= r.Origin && s.Addr < r.Origin+r.Length {
				uses[i].Used += s.Size
			}
			if s.Load != s.Addr && s.Load >= r.Origin && s.Load < r.Origin+r.Length {
				uses[i].Used += s.Size
			}
		}
	}
	return uses, sections, nil
}

// FormatBytes prints a size the way the size report does: "201.3 KiB".
func FormatBytes(n uint64) string {
	switch {
	case n >= 1024*1024 && n%(1024*1024) == 0:
		return fmt.Sprintf("%d MiB", n/(1024*1024))
	case n >= 1024*1024:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1024*1024))
	case n >= 1024 && n%1024 == 0:
		return fmt.Sprintf("%d KiB", n/1024)
	case n >= 1024:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	}
	return fmt.Sprintf("%d B", n)
}

// LoadSize is the RAM a program that runs from RAM takes: all its allocated sections.
func LoadSize(elfPath string) (uint64, error) {
	_, sections, err := Sizes(elfPath, nil)
	var n uint64
	for _, s := range sections {
		n += s.Size
	}
	return n, err
}
