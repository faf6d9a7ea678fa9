// Package burn builds the image that programs a Freqchip FR30xx from the start
// of its flash: the boot information sector the boot ROM reads, then firmware.bin.
package burn

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// The boot information sector, as the vendor SDK's components/tools/post_process.py
// writes it (its default CHIP_TYPE_FR509x layout): twelve little-endian words at the
// start of flash (0x08000000), 0xFF to the end of the first 4K sector, zeros to
// ExecOffset, then the application image.
const (
	// ExecOffset is where the application (firmware.bin, linked at 0x08002000)
	// starts in flash, relative to 0x08000000.
	ExecOffset = 0x2000
	// MaxAppSize is the flash the linker script gives the application (1016K).
	MaxAppSize = 1016 * 1024

	infoMagic      = 0x51525251
	infoWords      = 12
	infoSectorSize = 0x1000
	copyUnit       = 16 * 1024
	copyFlagStep   = 32

	// infoOptions are post_process.py's defaults: unprotect with volatile status
	// write, handle the CMP bit at position 6 with a separate status-2 write, QSPI
	// divider 1, read type 2, overlapping execute and store zones, and the flash
	// cache enabled before the ROM enters the application.
	infoOptions = 1<<0 | 1<<1 | 1<<7 | 6<<8 | 1<<11 | 1<<13 | 2<<19 | 1<<22 | 1<<23
)

// Image returns the image to program at the start of the FR30xx flash: the
// boot information sector (code length, CRC-32 of app, entry at ExecOffset)
// followed by app, the raw firmware.bin. The vendor's UART download tool takes
// this "_burn.bin" form.
func Image(app []byte) ([]byte, error) {
	if len(app) == 0 {
		return nil, fmt.Errorf("fr30xx burn image: the application image is empty")
	}
	if len(app) > MaxAppSize {
		return nil, fmt.Errorf("fr30xx burn image: the application is %d bytes, more than the %d bytes of flash after the boot sector", len(app), MaxAppSize)
	}
	out := make([]byte, ExecOffset+len(app))
	words := [infoWords]uint32{
		0xFFFFFFFF,              // version: unset
		0,                       // store offset
		uint32(len(app)),        // code length
		ExecOffset,              // exec offset
		copyUnit,                // copy unit (OTA)
		copyFlagStep,            // copy flag store step (OTA)
		crc32.ChecksumIEEE(app), // image CRC (zlib's CRC-32)
		infoMagic,
		0, // image TLV length
		infoOptions,
		0xFFFFFFFF, // info CRC: not used
		infoMagic,
	}
	for i, w := range words {
		binary.LittleEndian.PutUint32(out[4*i:], w)
	}
	for i := 4 * infoWords; i < infoSectorSize; i++ {
		out[i] = 0xFF
	}
	copy(out[ExecOffset:], app)
	return out, nil
}
