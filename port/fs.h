// The board's filesystem ([filesystem] in the board file): littlefs on the
// board's block device, mounted at / on every start-up.
#ifndef MPFORGE_FS_H
#define MPFORGE_FS_H

#include "py/obj.h"

// fs_block_device is the partition's block device (fs_blockdev.c), over
// the partition's driver below.
mp_obj_t fs_block_device(void);

// The partition's driver (fs_ram.c, or the board's flash driver). Offsets
// are bytes from the start of the partition, already checked to lie in it.
// fs_driver_write erases erase_len bytes at offset (to 0xff), then writes
// len bytes of data there; it returns 0 or an errno (MP_EIO, MP_ETIMEDOUT).
void fs_driver_read(uint32_t offset, uint8_t *buf, size_t len);
int fs_driver_write(uint32_t offset, const uint8_t *data, size_t len, size_t erase_len);

// fs_mount mounts the partition at / (formatting it when it holds no
// filesystem yet) and adds /lib to sys.path; without a [filesystem] it does
// nothing. It must run after mp_init().
void fs_mount(void);

// fs_boot runs boot.py, then main.py when the REPL is the friendly one, as
// upstream's ports do; it returns non-zero when a script asked for a soft reset.
int fs_boot(void);

#endif
