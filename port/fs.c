// Mounting the board's filesystem and running boot.py/main.py at start-up.
#include "py/mperrno.h"
#include "py/runtime.h"
#include "extmod/vfs.h"
#include "extmod/vfs_lfs.h"
#include "shared/runtime/pyexec.h"

#include "genhdr/board_config.h"
#include "fs.h"

#if defined(BOARD_FS_SIZE) && MICROPY_VFS_LFS2

void fs_mount(void) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t type = MP_OBJ_FROM_PTR(&mp_type_vfs_lfs2);
        mp_obj_t bdev = fs_block_device();
        mp_obj_t vfs;
        nlr_buf_t fresh;
        if (nlr_push(&fresh) == 0) {
            vfs = mp_call_function_1(type, bdev);
            nlr_pop();
        } else {
            // No filesystem yet (first power-on, erased flash): make one.
            mp_call_function_1(mp_load_attr(type, MP_QSTR_mkfs), bdev);
            vfs = mp_call_function_1(type, bdev);
        }
        mp_obj_t args[2] = { vfs, MP_OBJ_NEW_QSTR(MP_QSTR__slash_) };
        mp_vfs_mount(2, args, (mp_map_t *)&mp_const_empty_map);
        MP_STATE_VM(vfs_cur) = MP_STATE_VM(vfs_mount_table);
        // Upstream's convention: libraries installed on the board go to /lib.
        mp_obj_list_append(mp_sys_path, mp_obj_new_str_via_qstr("/lib", 4));
        nlr_pop();
    } else {
        mp_printf(&mp_plat_print, "MPY: cannot mount the filesystem: ");
        mp_obj_print_exception(&mp_plat_print, MP_OBJ_FROM_PTR(nlr.ret_val));
    }
}

int fs_boot(void) {
    int ret = pyexec_file_if_exists("boot.py");
    if ((ret & PYEXEC_FORCED_EXIT) == 0 && pyexec_mode_kind == PYEXEC_MODE_FRIENDLY_REPL) {
        ret = pyexec_file_if_exists("main.py");
    }
    return ret & PYEXEC_FORCED_EXIT;
}

#else

void fs_mount(void) {
}

int fs_boot(void) {
    return 0;
}

#endif
