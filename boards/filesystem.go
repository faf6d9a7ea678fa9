package boards

import (
	"fmt"
	"slices"
	"strings"
)

// Filesystem is the board's littlefs partition, mounted at / at start-up
// (port/fs.c). A board without the table has no filesystem.
type Filesystem struct {
	// Driver is the block device under it: "ram" (port/fs_ram.c: memory
	// that only a power cycle clears, the QEMU twins' stand-in for flash) or
	// "board" (the board's own sources define fs_block_device(), e.g.
	// fr30xx's QSPI flash driver).
	Driver string `toml:"driver"`
	// Origin is the partition's first byte in the address map. It lies
	// outside every [memory] region, so the linker never places anything there.
	Origin uint64 `toml:"origin"`
	Size   Size   `toml:"size"`
	// BlockSize is the erase unit littlefs works in (default 4K).
	BlockSize Size `toml:"block_size"`
}

// FilesystemDrivers are the block devices a [filesystem] table may name.
var FilesystemDrivers = []string{"ram", "board"}

// DefaultFSBlockSize is the block size of a [filesystem] without block_size.
const DefaultFSBlockSize = Size(4096)

// littlefs needs a few blocks: two for the superblock pair, then its metadata.
const minFSBlocks = 8

func (f *Filesystem) defaults() {
	if f.Size != 0 && f.BlockSize == 0 {
		f.BlockSize = DefaultFSBlockSize
	}
}

// End is the first address after the partition.
func (f Filesystem) End() uint64 { return f.Origin + uint64(f.Size) }

// Describe says what the partition is: "littlefs (ram, 1K blocks) at 0x38040000".
func (f Filesystem) Describe() string {
	return fmt.Sprintf("littlefs (%s, %s blocks) at 0x%08x", f.Driver, f.BlockSize, f.Origin)
}

func validateFilesystem(b *Board, fail func(field, format string, args ...any)) {
	f := b.Filesystem
	if f == (Filesystem{}) {
		return
	}
	if !slices.Contains(FilesystemDrivers, f.Driver) {
		fail("filesystem.driver", "want one of %s, got %q", strings.Join(FilesystemDrivers, ", "), f.Driver)
	}
	if f.Size == 0 {
		fail("filesystem.size", "required: the partition size, e.g. \"64K\" (drop the [filesystem] table for a board without one)")
	}
	if bs := uint64(f.BlockSize); bs < 128 || bs&(bs-1) != 0 {
		fail("filesystem.block_size", "want a power of two of at least 128 bytes (the flash erase unit, e.g. \"4K\"), got %d", bs)
	} else if f.Size != 0 && (uint64(f.Size)%bs != 0 || uint64(f.Size)/bs < minFSBlocks) {
		fail("filesystem.size", "want a multiple of block_size (%s) of at least %d blocks, got %s", f.BlockSize, minFSBlocks, f.Size)
	}
	if f.Origin == 0 {
		fail("filesystem.origin", "required: the partition's start address")
	}
	if f.Origin%4 != 0 {
		fail("filesystem.origin", "want a 4-byte aligned address, got 0x%x", f.Origin)
	}
	for _, r := range b.Memory {
		if f.Origin < r.End() && r.Origin < f.End() {
			fail("filesystem.origin", "the partition 0x%08x-0x%08x overlaps memory region %s, where the linker places code and data; put it outside every [memory] region (shorten the region to make room)", f.Origin, f.End(), r.Name)
		}
	}
}
