// machine.I2C over the board's I2C controllers ([peripherals.i2c]); the bus
// methods (scan, readfrom, writeto_mem, ...) are extmod/machine_i2c.c's.
#include "py/runtime.h"
#include "py/mphal.h"
#include "extmod/modmachine.h"
#include "periph.h"

#if MPFORGE_I2C

#define DEFAULT_FREQ (400000)
#define DEFAULT_TIMEOUT_US (50000)

static const periph_instance_t i2c_instances[MPFORGE_I2C_COUNT] = {
    #define X(id, base, irq) { id, base, irq },
    MPFORGE_I2C_TABLE(X)
    #undef X
};

typedef struct {
    mp_obj_base_t base;
    uint8_t unit;
    uint32_t freq;
    uint32_t timeout_us;
} machine_i2c_obj_t;

static machine_i2c_obj_t machine_i2c_obj[MPFORGE_I2C_COUNT];

static void machine_i2c_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    machine_i2c_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "I2C(%u, freq=%u, timeout=%u)", i2c_instances[self->unit].id, (unsigned)self->freq, (unsigned)self->timeout_us);
}

static void machine_i2c_init(mp_obj_base_t *obj, size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    machine_i2c_obj_t *self = (machine_i2c_obj_t *)obj;
    enum { ARG_freq, ARG_timeout };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_freq, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = DEFAULT_FREQ} },
        { MP_QSTR_timeout, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = DEFAULT_TIMEOUT_US} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args, pos_args, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);
    mp_int_t freq = args[ARG_freq].u_int;
    if (freq < 1 || freq > 1000000) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("freq must be 1..1000000 Hz, not %d"), (int)freq);
    }
    if (args[ARG_timeout].u_int < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("timeout must be 0 or more microseconds"));
    }
    self->freq = freq;
    self->timeout_us = args[ARG_timeout].u_int;
    periph_i2c_init(self->unit, &i2c_instances[self->unit], self->freq, self->timeout_us);
}

static mp_obj_t machine_i2c_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, true);
    unsigned unit = periph_find(i2c_instances, MPFORGE_I2C_COUNT, mp_obj_get_int(args[0]), "I2C", MPFORGE_I2C_IDS);
    machine_i2c_obj_t *self = &machine_i2c_obj[unit];
    self->base.type = &machine_i2c_type;
    self->unit = unit;
    mp_map_t kw_args;
    mp_map_init_fixed_table(&kw_args, n_kw, args + n_args);
    machine_i2c_init(&self->base, 0, NULL, &kw_args);
    return MP_OBJ_FROM_PTR(self);
}

static int machine_i2c_transfer(mp_obj_base_t *obj, uint16_t addr, size_t n, mp_machine_i2c_buf_t *bufs, unsigned int flags) {
    machine_i2c_obj_t *self = (machine_i2c_obj_t *)obj;
    return periph_i2c_transfer(self->unit, addr, n, bufs, flags);
}

static const mp_machine_i2c_p_t machine_i2c_p = {
    .init = machine_i2c_init,
    .transfer = machine_i2c_transfer,
};

MP_DEFINE_CONST_OBJ_TYPE(
    machine_i2c_type,
    MP_QSTR_I2C,
    MP_TYPE_FLAG_NONE,
    make_new, machine_i2c_make_new,
    print, machine_i2c_print,
    protocol, &machine_i2c_p,
    locals_dict, &mp_machine_i2c_locals_dict
    );

#endif
