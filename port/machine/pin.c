// machine.Pin over the board's pin table ([peripherals.pin] pins), and the
// mp_hal_pin_* layer that extmod's SoftI2C, SoftSPI and Signal use.
#include <string.h>

#include "py/mperrno.h"
#include "py/runtime.h"
#include "py/stream.h"
#include "py/mphal.h"
#include "extmod/modmachine.h"
#include "extmod/virtpin.h"
#include "periph.h"
#if MICROPY_PY_MACHINE_UART_IRQ
#include "shared/runtime/mpirq.h"
#endif

#if MPFORGE_PIN

static const periph_instance_t pin_blocks[] = {
    #define X(id, base, irq) { id, base, irq },
    MPFORGE_PIN_TABLE(X)
    #undef X
};

// The pins, in board-file order; Pin(n) is the n-th.
static const machine_pin_obj_t machine_pins[MPFORGE_PIN_NUM] = {
    #define X(name, inst, port, bit, dir) { { &machine_pin_type }, #name, &periph_pin_ops, 0, 1u << (bit), dir },
    MPFORGE_PIN_DEFS(X)
    #undef X
};
// The register of each pin: block base + port (kept apart so the table
// above stays const-initialisable from the X-macro).
static const uint16_t machine_pin_port[MPFORGE_PIN_NUM] = {
    #define X(name, inst, port, bit, dir) port,
    MPFORGE_PIN_DEFS(X)
    #undef X
};
static const uint8_t machine_pin_block[MPFORGE_PIN_NUM] = {
    #define X(name, inst, port, bit, dir) inst,
    MPFORGE_PIN_DEFS(X)
    #undef X
};

uintptr_t machine_pin_reg(const machine_pin_obj_t *pin) {
    if (pin->reg != 0) {
        return pin->reg;
    }
    size_t i = pin - machine_pins;
    return pin_blocks[machine_pin_block[i]].base + machine_pin_port[i];
}

const machine_pin_obj_t *machine_pin_get(mp_obj_t obj) {
    if (mp_obj_is_type(obj, &machine_pin_type)) {
        return MP_OBJ_TO_PTR(obj);
    }
    if (mp_obj_is_str(obj)) {
        const char *name = mp_obj_str_get_str(obj);
        for (size_t i = 0; i < MPFORGE_PIN_NUM; ++i) {
            if (strcmp(name, machine_pins[i].name) == 0) {
                return &machine_pins[i];
            }
        }
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("no pin named '%s'; this board has %s"), name, MPFORGE_PIN_NAMES);
    }
    if (mp_obj_is_int(obj)) {
        mp_int_t n = mp_obj_get_int(obj);
        if (n >= 0 && n < MPFORGE_PIN_NUM) {
            return &machine_pins[n];
        }
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("no pin %d; pins are 0..%d (%s) or their names"),
            (int)n, MPFORGE_PIN_NUM - 1, MPFORGE_PIN_NAMES);
    }
    mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("want a Pin, a pin name or a number, not %s"), mp_obj_get_type_str(obj));
}

static void machine_pin_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    const machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "Pin(%s)", self->name);
}

static mp_obj_t machine_pin_obj_init_helper(const machine_pin_obj_t *self, size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_mode, ARG_pull, ARG_value };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_mode, MP_ARG_INT, {.u_int = -1} },
        { MP_QSTR_pull, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_value, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args, pos_args, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);
    int pull = MACHINE_PIN_PULL_NONE;
    if (args[ARG_pull].u_obj != mp_const_none) {
        pull = mp_obj_get_int(args[ARG_pull].u_obj);
        if (pull != MACHINE_PIN_PULL_UP && pull != MACHINE_PIN_PULL_DOWN) {
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("pull must be None, Pin.PULL_UP or Pin.PULL_DOWN, not %d"), pull);
        }
    }
    mp_int_t mode = args[ARG_mode].u_int;
    if (mode != -1 && mode != MACHINE_PIN_MODE_IN && mode != MACHINE_PIN_MODE_OUT && mode != MACHINE_PIN_MODE_OPEN_DRAIN) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("mode must be Pin.IN, Pin.OUT or Pin.OPEN_DRAIN, not %d"), (int)mode);
    }
    // The value first, so an output starts at it.
    if (args[ARG_value].u_obj != mp_const_none) {
        if (!(self->dir & MACHINE_PIN_DIR_OUT)) {
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("pin %s is an input; outputs are %s"), self->name, MPFORGE_PIN_OUTPUTS);
        }
        self->ops->write(self, mp_obj_is_true(args[ARG_value].u_obj));
    }
    if (mode != -1 || pull != MACHINE_PIN_PULL_NONE) {
        self->ops->mode(self, mode == -1 ? MACHINE_PIN_MODE_IN : (int)mode, pull);
    }
    return mp_const_none;
}

static mp_obj_t machine_pin_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, MP_OBJ_FUN_ARGS_MAX, true);
    const machine_pin_obj_t *self = machine_pin_get(args[0]);
    if (n_args > 1 || n_kw > 0) {
        mp_map_t kw_args;
        mp_map_init_fixed_table(&kw_args, n_kw, args + n_args);
        machine_pin_obj_init_helper(self, n_args - 1, args + 1, &kw_args);
    }
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t machine_pin_call(mp_obj_t self_in, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 1, false);
    const machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (n_args == 0) {
        return MP_OBJ_NEW_SMALL_INT(self->ops->read(self));
    }
    if (!(self->dir & MACHINE_PIN_DIR_OUT)) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("pin %s is an input; outputs are %s"), self->name, MPFORGE_PIN_OUTPUTS);
    }
    self->ops->write(self, mp_obj_is_true(args[0]));
    return mp_const_none;
}

static mp_obj_t machine_pin_obj_init(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    return machine_pin_obj_init_helper(MP_OBJ_TO_PTR(args[0]), n_args - 1, args + 1, kw_args);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(machine_pin_init_obj, 1, machine_pin_obj_init);

static mp_obj_t machine_pin_value(size_t n_args, const mp_obj_t *args) {
    return machine_pin_call(args[0], n_args - 1, 0, args + 1);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(machine_pin_value_obj, 1, 2, machine_pin_value);

static mp_obj_t machine_pin_on(mp_obj_t self_in) {
    mp_obj_t one = MP_OBJ_NEW_SMALL_INT(1);
    return machine_pin_call(self_in, 1, 0, &one);
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_pin_on_obj, machine_pin_on);

static mp_obj_t machine_pin_off(mp_obj_t self_in) {
    mp_obj_t zero = MP_OBJ_NEW_SMALL_INT(0);
    return machine_pin_call(self_in, 1, 0, &zero);
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_pin_off_obj, machine_pin_off);

static mp_obj_t machine_pin_toggle(mp_obj_t self_in) {
    const machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_obj_t v = MP_OBJ_NEW_SMALL_INT(!self->ops->read(self));
    return machine_pin_call(self_in, 1, 0, &v);
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_pin_toggle_obj, machine_pin_toggle);

#if MICROPY_PY_MACHINE_UART_IRQ
// Pin.irq(): handler objects per board pin, reachable for the collector;
// machine_pin_deinit_all disarms them at soft reset.
MP_REGISTER_ROOT_POINTER(struct _mp_irq_obj_t *machine_pin_irq_objs[MPFORGE_PIN_NUM]);

void machine_pin_irq_fired(const machine_pin_obj_t *pin) {
    size_t i = pin - machine_pins;
    if (i < MPFORGE_PIN_NUM && MP_STATE_PORT(machine_pin_irq_objs)[i] != NULL) {
        mp_irq_handler(MP_STATE_PORT(machine_pin_irq_objs)[i]);
    }
}

void machine_pin_deinit_all(void) {
    for (size_t i = 0; i < MPFORGE_PIN_NUM; ++i) {
        if (MP_STATE_PORT(machine_pin_irq_objs)[i] != NULL) {
            machine_pins[i].ops->irq(&machine_pins[i], 0);
            MP_STATE_PORT(machine_pin_irq_objs)[i] = NULL;
        }
    }
}

static mp_uint_t pin_irq_trigger(mp_obj_t self_in, mp_uint_t trigger) {
    const machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    self->ops->irq(self, trigger);
    return 0;
}

static mp_uint_t pin_irq_info(mp_obj_t self_in, mp_uint_t info_type) {
    (void)self_in;
    (void)info_type;
    return 0;
}

static const mp_irq_methods_t pin_irq_methods = {
    .trigger = pin_irq_trigger,
    .info = pin_irq_info,
};
#endif

// The twins' FPGAIO has no edge interrupts (ops->irq NULL); where a back-end
// has them, irq(handler, trigger) arms them and the handler runs from the scheduler.
static mp_obj_t machine_pin_irq(size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    const machine_pin_obj_t *self = MP_OBJ_TO_PTR(pos_args[0]);
    #if MICROPY_PY_MACHINE_UART_IRQ
    if (self->ops->irq != NULL) {
        mp_arg_val_t args[MP_IRQ_ARG_INIT_NUM_ARGS];
        mp_arg_parse_all(n_args - 1, pos_args + 1, kw_args, MP_IRQ_ARG_INIT_NUM_ARGS, mp_irq_init_args, args);
        size_t i = self - machine_pins;
        mp_irq_obj_t *irq = MP_STATE_PORT(machine_pin_irq_objs)[i];
        if (irq == NULL) {
            irq = mp_irq_new(&pin_irq_methods, MP_OBJ_FROM_PTR(self));
            irq->handler = mp_const_none;
            MP_STATE_PORT(machine_pin_irq_objs)[i] = irq;
        }
        if (n_args > 1 || kw_args->used != 0) {
            mp_uint_t trigger = args[MP_IRQ_ARG_INIT_trigger].u_int;
            if (trigger & ~(mp_uint_t)(MACHINE_PIN_IRQ_RISING | MACHINE_PIN_IRQ_FALLING)) {
                mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("trigger must be Pin.IRQ_RISING, Pin.IRQ_FALLING or both, not %d"), (int)trigger);
            }
            if (args[MP_IRQ_ARG_INIT_hard].u_bool) {
                mp_raise_ValueError(MP_ERROR_TEXT("hard=True is not supported; the handler runs from the scheduler"));
            }
            mp_obj_t handler = args[MP_IRQ_ARG_INIT_handler].u_obj;
            if (handler != mp_const_none && !mp_obj_is_callable(handler)) {
                mp_raise_ValueError(MP_ERROR_TEXT("handler must be callable or None"));
            }
            self->ops->irq(self, handler == mp_const_none ? 0 : (unsigned)trigger); // may raise first
            irq->handler = handler;
            irq->ishard = false;
        }
        return MP_OBJ_FROM_PTR(irq);
    }
    #endif
    (void)n_args;
    (void)kw_args;
    mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("pin %s has no edge interrupt on this board; poll value() instead"), self->name);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(machine_pin_irq_obj, 1, machine_pin_irq);

static mp_uint_t machine_pin_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    const machine_pin_obj_t *self = MP_OBJ_TO_PTR(self_in);
    switch (request) {
        case MP_PIN_READ:
            return self->ops->read(self);
        case MP_PIN_WRITE:
            self->ops->write(self, arg);
            return 0;
    }
    *errcode = MP_EINVAL;
    return MP_STREAM_ERROR;
}

static const mp_pin_p_t machine_pin_pin_p = {
    .ioctl = machine_pin_ioctl,
};

static const mp_rom_map_elem_t machine_pin_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_init), MP_ROM_PTR(&machine_pin_init_obj) },
    { MP_ROM_QSTR(MP_QSTR_value), MP_ROM_PTR(&machine_pin_value_obj) },
    { MP_ROM_QSTR(MP_QSTR_on), MP_ROM_PTR(&machine_pin_on_obj) },
    { MP_ROM_QSTR(MP_QSTR_off), MP_ROM_PTR(&machine_pin_off_obj) },
    { MP_ROM_QSTR(MP_QSTR_toggle), MP_ROM_PTR(&machine_pin_toggle_obj) },
    { MP_ROM_QSTR(MP_QSTR_irq), MP_ROM_PTR(&machine_pin_irq_obj) },
    { MP_ROM_QSTR(MP_QSTR_IN), MP_ROM_INT(MACHINE_PIN_MODE_IN) },
    { MP_ROM_QSTR(MP_QSTR_OUT), MP_ROM_INT(MACHINE_PIN_MODE_OUT) },
    { MP_ROM_QSTR(MP_QSTR_OPEN_DRAIN), MP_ROM_INT(MACHINE_PIN_MODE_OPEN_DRAIN) },
    { MP_ROM_QSTR(MP_QSTR_PULL_UP), MP_ROM_INT(MACHINE_PIN_PULL_UP) },
    { MP_ROM_QSTR(MP_QSTR_PULL_DOWN), MP_ROM_INT(MACHINE_PIN_PULL_DOWN) },
    { MP_ROM_QSTR(MP_QSTR_IRQ_RISING), MP_ROM_INT(MACHINE_PIN_IRQ_RISING) },
    { MP_ROM_QSTR(MP_QSTR_IRQ_FALLING), MP_ROM_INT(MACHINE_PIN_IRQ_FALLING) },
};
static MP_DEFINE_CONST_DICT(machine_pin_locals_dict, machine_pin_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    machine_pin_type,
    MP_QSTR_Pin,
    MP_TYPE_FLAG_NONE,
    make_new, machine_pin_make_new,
    print, machine_pin_print,
    call, machine_pin_call,
    protocol, &machine_pin_pin_p,
    locals_dict, &machine_pin_locals_dict
    );

#endif // MPFORGE_PIN
