// The `mpforge` module: what a test script asks of the test runner.
//
//   mpforge.build      {'board', 'micropython', 'revision', 'digest'}: the
//                      firmware's identity, which the runner compares with
//                      out/<board>/ before a run
//   mpforge.skip(why)  prints "SKIP: why" and ends the script (SystemExit),
//                      upstream run-tests.py's "SKIP" convention
//
// It also reports how a script ended through SystemExit (sys.exit(3)), which
// the raw REPL otherwise swallows: one "mpforge: exit <code>" line after the
// script's output, before the soft reset (see MICROPY_BOARD_AFTER_PYTHON_EXEC).
#include <stdint.h>

#include "py/mpprint.h"
#include "py/obj.h"
#include "py/objexcept.h"
#include "py/objstr.h"
#include "py/runtime.h"

#include "genhdr/mpforge_build.h"

// The GNU build-id note: the link writes it zero and mpforge fills it with the
// SHA-1 of the image (firmware/identity.go), reproducible for identical inputs. The board's linker script
// places it in flash after __mpforge_build_id; absent (a vendor linker
// script), the digest is empty.
extern const uint32_t __mpforge_build_id[] __attribute__((weak));

#define DIGEST_MAX (32)
static char digest_hex[2 * DIGEST_MAX];
// In RAM: mpforge_init points it at digest_hex once the note is read.
static mp_obj_str_t mpforge_digest_obj = { { &mp_type_str }, 0, 0, (const byte *)"" };

void mpforge_init(void) {
    const uint32_t *note = __mpforge_build_id;
    if (note == NULL || mpforge_digest_obj.len != 0) {
        return;
    }
    // Elf note: namesz, descsz, type, name ("GNU\0", 4-aligned), desc.
    uint32_t namesz = note[0], descsz = note[1];
    if (descsz > DIGEST_MAX) {
        descsz = DIGEST_MAX;
    }
    const uint8_t *desc = (const uint8_t *)&note[3] + ((namesz + 3u) & ~3u);
    for (uint32_t i = 0; i < descsz; ++i) {
        digest_hex[2 * i] = "0123456789abcdef"[desc[i] >> 4];
        digest_hex[2 * i + 1] = "0123456789abcdef"[desc[i] & 0xfu];
    }
    mpforge_digest_obj.data = (const byte *)digest_hex;
    mpforge_digest_obj.len = 2 * descsz;
}

static MP_DEFINE_STR_OBJ(mpforge_board_obj, MICROPY_HW_BOARD_NAME);
static MP_DEFINE_STR_OBJ(mpforge_micropython_obj, MICROPY_VERSION_STRING);
static MP_DEFINE_STR_OBJ(mpforge_revision_obj, MPFORGE_BUILD_REVISION);

static const mp_rom_map_elem_t mpforge_build_table[] = {
    { MP_ROM_QSTR(MP_QSTR_board), MP_ROM_PTR(&mpforge_board_obj) },
    { MP_ROM_QSTR(MP_QSTR_micropython), MP_ROM_PTR(&mpforge_micropython_obj) },
    { MP_ROM_QSTR(MP_QSTR_revision), MP_ROM_PTR(&mpforge_revision_obj) },
    { MP_ROM_QSTR(MP_QSTR_digest), MP_ROM_PTR(&mpforge_digest_obj) },
};
static MP_DEFINE_CONST_DICT(mpforge_build_dict, mpforge_build_table);

static mp_obj_t mpforge_skip(size_t n_args, const mp_obj_t *args) {
    if (n_args == 0 || args[0] == mp_const_none) {
        mp_print_str(&mp_plat_print, "SKIP\n");
    } else {
        mp_printf(&mp_plat_print, "SKIP: %s\n", mp_obj_str_get_str(args[0]));
    }
    mp_raise_type(&mp_type_SystemExit);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mpforge_skip_obj, 0, 1, mpforge_skip);

static const mp_rom_map_elem_t mpforge_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_mpforge) },
    { MP_ROM_QSTR(MP_QSTR_build), MP_ROM_PTR(&mpforge_build_dict) },
    { MP_ROM_QSTR(MP_QSTR_skip), MP_ROM_PTR(&mpforge_skip_obj) },
};
static MP_DEFINE_CONST_DICT(mpforge_module_globals, mpforge_module_globals_table);

const mp_obj_module_t mpforge_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&mpforge_module_globals,
};
MP_REGISTER_MODULE(MP_QSTR_mpforge, mpforge_module);

// exec_flags bit 0 is pyexec.c's EXEC_FLAG_PRINT_EOF: set only by the raw
// REPL, so the friendly REPL and boot scripts print nothing extra.
void mpforge_after_exec(unsigned int exec_flags, void *exc) {
    if (!(exec_flags & 1u) || exc == NULL) {
        return;
    }
    mp_obj_t e = MP_OBJ_FROM_PTR(exc);
    if (!mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(e)), MP_OBJ_FROM_PTR(&mp_type_SystemExit))) {
        return;
    }
    // As CPython: no value or None is 0, an int is itself, anything else is 1.
    mp_obj_t val = mp_obj_exception_get_value(e);
    mp_int_t code = 1;
    if (val == mp_const_none) {
        code = 0;
    } else if (mp_obj_is_small_int(val)) {
        code = MP_OBJ_SMALL_INT_VALUE(val);
    }
    mp_printf(&mp_plat_print, "mpforge: exit %d\n", (int)code);
}
