// The Python block device littlefs mounts (extmod/vfs_lfs.c calls its
// readblocks, writeblocks and ioctl), over the board's partition driver:
// fs_ram.c on the twins, the board's flash driver on real boards. This file
// checks every range; the driver only moves bytes.
#include <string.h>

#include "py/mperrno.h"
#include "py/runtime.h"
#include "extmod/vfs.h"

#include "genhdr/board_config.h"
#include "fs.h"

#if defined(BOARD_FS_SIZE)

// fs_at is the byte offset in the partition of block[+offset] for len
// bytes, or a ValueError when they do not lie in it.
static uint32_t fs_at(mp_obj_t block_in, mp_obj_t offset_in, size_t len) {
    mp_int_t block = mp_obj_get_int(block_in);
    mp_int_t offset = offset_in == MP_OBJ_NULL ? 0 : mp_obj_get_int(offset_in);
    if (block < 0 || offset < 0 || (uint64_t)block * BOARD_FS_BLOCK_SIZE + offset + len > BOARD_FS_SIZE) {
        mp_raise_ValueError(MP_ERROR_TEXT("block out of range"));
    }
    return block * BOARD_FS_BLOCK_SIZE + offset;
}

static void fs_check_errno(int err) {
    if (err != 0) {
        mp_raise_OSError(err);
    }
}

// readblocks(block, buf[, offset]): littlefs uses the offset form.
static mp_obj_t fs_readblocks(size_t n_args, const mp_obj_t *args) {
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[2], &buf, MP_BUFFER_WRITE);
    fs_driver_read(fs_at(args[1], n_args > 3 ? args[3] : MP_OBJ_NULL, buf.len), buf.buf, buf.len);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(fs_readblocks_obj, 3, 4, fs_readblocks);

static mp_obj_t fs_writeblocks(size_t n_args, const mp_obj_t *args) {
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[2], &buf, MP_BUFFER_READ);
    uint32_t at = fs_at(args[1], n_args > 3 ? args[3] : MP_OBJ_NULL, buf.len);
    // Without an offset (the simple block protocol) a write replaces whole blocks.
    fs_check_errno(fs_driver_write(at, buf.buf, buf.len, n_args > 3 ? 0 : buf.len));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(fs_writeblocks_obj, 3, 4, fs_writeblocks);

static mp_obj_t fs_ioctl(mp_obj_t self_in, mp_obj_t op_in, mp_obj_t arg_in) {
    switch (mp_obj_get_int(op_in)) {
        case MP_BLOCKDEV_IOCTL_BLOCK_COUNT:
            return MP_OBJ_NEW_SMALL_INT(BOARD_FS_SIZE / BOARD_FS_BLOCK_SIZE);
        case MP_BLOCKDEV_IOCTL_BLOCK_SIZE:
            return MP_OBJ_NEW_SMALL_INT(BOARD_FS_BLOCK_SIZE);
        case MP_BLOCKDEV_IOCTL_BLOCK_ERASE:
            fs_check_errno(fs_driver_write(fs_at(arg_in, MP_OBJ_NULL, BOARD_FS_BLOCK_SIZE), NULL, 0, BOARD_FS_BLOCK_SIZE));
            return MP_OBJ_NEW_SMALL_INT(0);
        case MP_BLOCKDEV_IOCTL_INIT:
        case MP_BLOCKDEV_IOCTL_DEINIT:
        case MP_BLOCKDEV_IOCTL_SYNC:
            return MP_OBJ_NEW_SMALL_INT(0);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(fs_ioctl_obj, fs_ioctl);

static const mp_rom_map_elem_t fs_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_readblocks), MP_ROM_PTR(&fs_readblocks_obj) },
    { MP_ROM_QSTR(MP_QSTR_writeblocks), MP_ROM_PTR(&fs_writeblocks_obj) },
    { MP_ROM_QSTR(MP_QSTR_ioctl), MP_ROM_PTR(&fs_ioctl_obj) },
};
static MP_DEFINE_CONST_DICT(fs_locals, fs_locals_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    fs_blockdev_type,
    MP_QSTR_BlockDev,
    MP_TYPE_FLAG_NONE,
    locals_dict, &fs_locals
    );

static const mp_obj_base_t fs_blockdev_obj = {&fs_blockdev_type};

mp_obj_t fs_block_device(void) {
    return MP_OBJ_FROM_PTR(&fs_blockdev_obj);
}

#endif
