// machine.SPI over the board's SPI controllers ([peripherals.spi]); read,
// write, readinto and write_readinto are extmod/machine_spi.c's. Port
// extra: loopback=True joins the controller's TX to its RX inside the
// block (where the back-end can), for checking a controller without wiring.
#include "py/runtime.h"
#include "extmod/modmachine.h"
#include "periph.h"

#if MPFORGE_SPI

static const periph_instance_t spi_instances[MPFORGE_SPI_COUNT] = {
    #define X(id, base, irq) { id, base, irq },
    MPFORGE_SPI_TABLE(X)
    #undef X
};

typedef struct {
    mp_obj_base_t base;
    uint8_t unit;
    uint8_t polarity, phase, bits, firstbit;
    bool loopback;
    uint32_t baudrate; // as requested
} machine_spi_obj_t;

static machine_spi_obj_t machine_spi_obj[MPFORGE_SPI_COUNT];

#define MICROPY_PY_MACHINE_SPI_MSB (0)
#define MICROPY_PY_MACHINE_SPI_LSB (1)

static void machine_spi_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    machine_spi_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "SPI(%u, baudrate=%u, polarity=%u, phase=%u, bits=%u, firstbit=%s%s)",
        spi_instances[self->unit].id, (unsigned)periph_spi_baudrate(&spi_instances[self->unit]),
        self->polarity, self->phase, self->bits, self->firstbit ? "LSB" : "MSB", self->loopback ? ", loopback=True" : "");
}

static void machine_spi_init(mp_obj_base_t *obj, size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    machine_spi_obj_t *self = (machine_spi_obj_t *)obj;
    enum { ARG_baudrate, ARG_polarity, ARG_phase, ARG_bits, ARG_firstbit, ARG_loopback };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_baudrate, MP_ARG_INT, {.u_int = -1} },
        { MP_QSTR_polarity, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
        { MP_QSTR_phase, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
        { MP_QSTR_bits, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
        { MP_QSTR_firstbit, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
        { MP_QSTR_loopback, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args, pos_args, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);
    if (args[ARG_baudrate].u_int != -1) {
        if (args[ARG_baudrate].u_int <= 0) {
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("baudrate must be positive, not %d"), (int)args[ARG_baudrate].u_int);
        }
        self->baudrate = args[ARG_baudrate].u_int;
    }
    if (args[ARG_polarity].u_int != -1) {
        if (args[ARG_polarity].u_int & ~1) {
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("polarity must be 0 or 1, not %d"), (int)args[ARG_polarity].u_int);
        }
        self->polarity = args[ARG_polarity].u_int;
    }
    if (args[ARG_phase].u_int != -1) {
        if (args[ARG_phase].u_int & ~1) {
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("phase must be 0 or 1, not %d"), (int)args[ARG_phase].u_int);
        }
        self->phase = args[ARG_phase].u_int;
    }
    if (args[ARG_bits].u_int != -1) {
        self->bits = args[ARG_bits].u_int;
    }
    if (args[ARG_firstbit].u_int != -1) {
        if (args[ARG_firstbit].u_int & ~1) {
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("firstbit must be SPI.MSB or SPI.LSB, not %d"), (int)args[ARG_firstbit].u_int);
        }
        self->firstbit = args[ARG_firstbit].u_int;
    }
    if (args[ARG_loopback].u_obj != mp_const_none) {
        self->loopback = mp_obj_is_true(args[ARG_loopback].u_obj);
    }
    const periph_instance_t *in = &spi_instances[self->unit];
    periph_spi_init(in, self->baudrate, self->polarity, self->phase, self->bits, self->firstbit);
    periph_spi_loopback(in, self->loopback);
}

static mp_obj_t machine_spi_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 2, true);
    unsigned unit = periph_find(spi_instances, MPFORGE_SPI_COUNT, mp_obj_get_int(args[0]), "SPI", MPFORGE_SPI_IDS);
    machine_spi_obj_t *self = &machine_spi_obj[unit];
    self->base.type = &machine_spi_type;
    self->unit = unit;
    self->baudrate = 1000000;
    self->polarity = 0;
    self->phase = 0;
    self->bits = 8;
    self->firstbit = MICROPY_PY_MACHINE_SPI_MSB;
    self->loopback = false;
    mp_map_t kw_args;
    mp_map_init_fixed_table(&kw_args, n_kw, args + n_args);
    machine_spi_init(&self->base, n_args - 1, args + 1, &kw_args);
    return MP_OBJ_FROM_PTR(self);
}

static void machine_spi_deinit(mp_obj_base_t *obj) {
    machine_spi_obj_t *self = (machine_spi_obj_t *)obj;
    periph_spi_deinit(&spi_instances[self->unit]);
}

static void machine_spi_transfer(mp_obj_base_t *obj, size_t len, const uint8_t *src, uint8_t *dest) {
    machine_spi_obj_t *self = (machine_spi_obj_t *)obj;
    periph_spi_transfer(&spi_instances[self->unit], self->bits, len, src, dest);
}

static const mp_machine_spi_p_t machine_spi_p = {
    .init = machine_spi_init,
    .deinit = machine_spi_deinit,
    .transfer = machine_spi_transfer,
};

MP_DEFINE_CONST_OBJ_TYPE(
    machine_spi_type,
    MP_QSTR_SPI,
    MP_TYPE_FLAG_NONE,
    make_new, machine_spi_make_new,
    print, machine_spi_print,
    protocol, &machine_spi_p,
    locals_dict, &mp_machine_spi_locals_dict
    );

#endif
