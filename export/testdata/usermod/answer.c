// A team's own C module, added to its copy of an exported tree: it brings
// new qstrs and a module, so genhdr/ must be regenerated (mage genhdr).
#include "py/obj.h"
#include "py/runtime.h"

static mp_obj_t answer_get(void) {
    return MP_OBJ_NEW_SMALL_INT(42);
}
static MP_DEFINE_CONST_FUN_OBJ_0(answer_get_obj, answer_get);

static const mp_rom_map_elem_t answer_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_answer) },
    { MP_ROM_QSTR(MP_QSTR_get_the_answer), MP_ROM_PTR(&answer_get_obj) },
};
static MP_DEFINE_CONST_DICT(answer_globals, answer_globals_table);

const mp_obj_module_t answer_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&answer_globals,
};

MP_REGISTER_MODULE(MP_QSTR_answer, answer_module);
