package boards

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
)

// Flash says how `flash` programs a board whose flash OpenOCD has no driver
// for: through a CMSIS-style flash algorithm run from RAM, either our own
// loader (built with the firmware) or a vendor's .FLM. Without [flash],
// OpenOCD programs firmware.elf with its own flash driver.
type Flash struct {
	// Base is where the programmed image starts; 0 means the origin of
	// the board's FLASH region.
	Base uint64 `toml:"base"`
	// Image is what is programmed at Base: "bin" (firmware.bin) or one of
	// ImageFormats' other names.
	Image string `toml:"image"`
	// Loader are our RAM loader's sources (globs relative to the board
	// file), compiled with the CPU flags and LoaderCFlags and linked with
	// LoaderScript into out/<board>/flasher.elf.
	Loader        []string `toml:"loader"`
	LoaderScript  string   `toml:"loader_script"`
	LoaderCFlags  []string `toml:"loader_cflags"`
	LoaderLDFlags []string `toml:"loader_ldflags"`
	// Algorithm is a vendor flash algorithm (a Keil .FLM) used instead of
	// a loader: a path relative to the board file, or "$VAR/rest" relative
	// to the folder an environment variable names (resolved when flashing).
	Algorithm string `toml:"algorithm"`
	// WorkArea and WorkSize are the target RAM the algorithm runs in.
	WorkArea uint64 `toml:"work_area"`
	WorkSize Size   `toml:"work_size"`
}

// Configured reports whether the board is flashed through an algorithm.
func (f Flash) Configured() bool { return len(f.Loader) > 0 || f.Algorithm != "" }

// ImageFormat is one value of [flash] image.
type ImageFormat struct {
	File string // the image's name in out/<board>/
	What string
}

// ImageFormats are the values of [flash] image.
var ImageFormats = map[string]ImageFormat{
	"bin":           {"firmware.bin", "firmware.bin at the base address"},
	"freqchip-burn": {"firmware_burn.bin", "the Freqchip boot-information sector, then firmware.bin 8K after it"},
}

// ResolveAlgorithm returns the algorithm's path, expanding a leading $VAR
// with lookup; the error says which variable to set.
func (f Flash) ResolveAlgorithm(lookup func(string) (string, bool)) (string, error) {
	rest, ok := strings.CutPrefix(f.Algorithm, "$")
	if !ok {
		return f.Algorithm, nil
	}
	name, tail, _ := strings.Cut(rest, "/")
	dir, set := lookup(name)
	if !set || dir == "" {
		return "", fmt.Errorf("[flash] algorithm = %q needs %s: set it to the folder that holds %s", f.Algorithm, name, tail)
	}
	return filepath.Join(dir, filepath.FromSlash(tail)), nil
}

// validateFlash checks the [flash] table of a loaded board.
func (l *loader) validateFlash(b *Board, fail func(field, format string, args ...any)) {
	f := b.Flash
	if f.Image != "" {
		if _, ok := ImageFormats[f.Image]; !ok {
			fail("flash.image", "want one of %s, got %q", strings.Join(slices.Sorted(maps.Keys(ImageFormats)), ", "), f.Image)
		}
	}
	if len(f.Loader) > 0 && f.Algorithm != "" {
		fail("flash.algorithm", "a board names either its own loader ([flash] loader) or a vendor algorithm, not both; set MPFORGE_FLASH_ALGORITHM to try a vendor algorithm on a board with a loader")
	}
	l.checkGlobs("flash.loader", f.Loader, fail)
	if len(f.Loader) > 0 {
		if f.LoaderScript == "" {
			fail("flash.loader_script", "required with [flash] loader: the loader's linker script")
		} else if !fileExists(f.LoaderScript) {
			fail("flash.loader_script", "%s does not exist", l.show(f.LoaderScript))
		}
	}
	if rest, ok := strings.CutPrefix(f.Algorithm, "$"); ok {
		if name, _, _ := strings.Cut(rest, "/"); !envName.MatchString(name) {
			fail("flash.algorithm", "want $VARIABLE/path, with a variable name of capitals, digits and _, got %q", f.Algorithm)
		}
	}
	if !f.Configured() {
		return
	}
	if f.WorkSize == 0 {
		fail("flash.work_size", "required with a flash algorithm: the RAM it runs in, e.g. \"32K\"")
	}
	if _, ok := b.regionAt(f.WorkArea, uint64(f.WorkSize)); !ok && f.WorkSize != 0 {
		fail("flash.work_area", "0x%x..0x%x lies in no writable memory region of the board", f.WorkArea, f.WorkArea+uint64(f.WorkSize))
	}
}

// regionAt is the writable region that holds [addr, addr+size).
func (b *Board) regionAt(addr, size uint64) (Region, bool) {
	for _, r := range b.Memory {
		if strings.Contains(r.Attributes, "w") && addr >= r.Origin && addr+size <= r.End() {
			return r, true
		}
	}
	return Region{}, false
}

// FlashBase is where the programmed image starts.
func (b *Board) FlashBase() uint64 {
	if b.Flash.Base != 0 {
		return b.Flash.Base
	}
	if r, ok := b.Region("FLASH"); ok {
		return r.Origin
	}
	return 0
}
