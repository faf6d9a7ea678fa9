// The "ram" driver of a board's [filesystem]: the partition is plain memory
// at BOARD_FS_ORIGIN, outside every region the linker uses, so it keeps its
// contents across soft resets and machine.reset() and only a power cycle (a
// new QEMU) clears it. It is the QEMU twins' stand-in for the flash
// partition of a real board: littlefs sees the same block device.
#include <string.h>

#include "genhdr/board_config.h"
#include "fs.h"

#if BOARD_FS_DRIVER_RAM

void fs_driver_read(uint32_t offset, uint8_t *buf, size_t len) {
    memcpy(buf, (const uint8_t *)BOARD_FS_ORIGIN + offset, len);
}

int fs_driver_write(uint32_t offset, const uint8_t *data, size_t len, size_t erase_len) {
    uint8_t *at = (uint8_t *)BOARD_FS_ORIGIN + offset;
    // Erased flash reads 0xff; littlefs must not rely on the old bytes.
    memset(at, 0xff, erase_len);
    memcpy(at, data, len);
    return 0;
}

#endif
