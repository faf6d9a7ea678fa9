// machine.Timer. Timer(-1) (or no id) is a soft timer on the port's 1 ms
// SysTick, the clock of sleep_ms and ticks_ms, as upstream's soft timers;
// Timer(n) is hardware timer n of [peripherals.timer]. Both take mode=,
// period= (in 1/tick_hz s, default ms) or freq=, and callback=; callbacks
// run from the scheduler (mp_sched_schedule), never inside the interrupt.
#include "py/runtime.h"
#include "py/mphal.h"
#include "extmod/modmachine.h"
#include "periph.h"
#include "systick.h"

#if MPFORGE_MACHINE_TIMER

enum { MODE_ONE_SHOT = 0, MODE_PERIODIC = 1 };
#define SOFT (0xFF) // unit of a soft timer
#define SOFT_TIMERS (8) // soft timers running at once

#if MPFORGE_TIMER
static const periph_instance_t timer_instances[MPFORGE_TIMER_COUNT] = {
    #define X(id, base, irq) { id, base, irq },
    MPFORGE_TIMER_TABLE(X)
    #undef X
};
#define HW_TIMERS MPFORGE_TIMER_COUNT
#define HW_IDS MPFORGE_TIMER_IDS
#else
#define HW_TIMERS 0
#define HW_IDS "none"
#endif

typedef struct _machine_timer_obj_t {
    mp_obj_base_t base;
    uint8_t unit;        // hardware instance index, or SOFT
    uint8_t mode;
    volatile bool active;
    uint32_t ticks;      // hardware: clocks per period; soft: ms per period
    uint32_t next_ms;    // soft: the tick it fires at
    mp_obj_t callback;
} machine_timer_obj_t;

// Running timers, kept reachable for the collector and for the interrupts.
MP_REGISTER_ROOT_POINTER(struct _machine_timer_obj_t *machine_timer_running[SOFT_TIMERS + MPFORGE_TIMER_COUNT_OR_0]);

static machine_timer_obj_t **running(void) {
    return MP_STATE_PORT(machine_timer_running);
}

static void fire(machine_timer_obj_t *self) {
    if (self->callback != mp_const_none) {
        mp_sched_schedule(self->callback, MP_OBJ_FROM_PTR(self));
    }
}

void machine_soft_timer_tick(uint32_t ms) {
    machine_timer_obj_t **r = running();
    for (unsigned i = 0; i < SOFT_TIMERS; ++i) {
        machine_timer_obj_t *t = r[i];
        if (t == NULL || !t->active || t->next_ms != ms) {
            continue;
        }
        if (t->mode == MODE_PERIODIC) {
            t->next_ms = ms + t->ticks;
        } else {
            t->active = false;
            r[i] = NULL;
        }
        fire(t);
    }
}

#if MPFORGE_TIMER
void machine_timer_fired(unsigned unit) {
    machine_timer_obj_t *self = running()[SOFT_TIMERS + unit];
    if (self == NULL || !self->active) {
        periph_timer_stop(unit, &timer_instances[unit]);
        return;
    }
    if (self->mode == MODE_ONE_SHOT) {
        periph_timer_stop(unit, &timer_instances[unit]);
        self->active = false;
    }
    fire(self);
}
#endif

// Takes self off the running list (and stops its hardware).
static void timer_stop(machine_timer_obj_t *self) {
    mp_uint_t state = MICROPY_BEGIN_ATOMIC_SECTION();
    self->active = false;
    machine_timer_obj_t **r = running();
    for (unsigned i = 0; i < SOFT_TIMERS + HW_TIMERS; ++i) {
        if (r[i] == self) {
            r[i] = NULL;
        }
    }
    MICROPY_END_ATOMIC_SECTION(state);
    #if MPFORGE_TIMER
    if (self->unit != SOFT) {
        periph_timer_stop(self->unit, &timer_instances[self->unit]);
    }
    #endif
}

void machine_timer_deinit_all(void) {
    machine_timer_obj_t **r = running();
    for (unsigned i = 0; i < SOFT_TIMERS + HW_TIMERS; ++i) {
        if (r[i] != NULL) {
            timer_stop(r[i]);
        }
    }
}

static void machine_timer_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    machine_timer_obj_t *self = MP_OBJ_TO_PTR(self_in);
    const char *mode = self->mode == MODE_ONE_SHOT ? "ONE_SHOT" : "PERIODIC";
    #if MPFORGE_TIMER
    if (self->unit != SOFT) {
        mp_printf(print, "Timer(%u, mode=%s, period=%u ticks of %u Hz)", timer_instances[self->unit].id, mode,
            (unsigned)self->ticks, (unsigned)MPFORGE_TIMER_CLOCK_HZ);
        return;
    }
    #endif
    mp_printf(print, "Timer(-1, mode=%s, period=%u ms)", mode, (unsigned)self->ticks);
}

static mp_obj_t machine_timer_init_helper(machine_timer_obj_t *self, size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_mode, ARG_callback, ARG_period, ARG_tick_hz, ARG_freq };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_mode, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = MODE_PERIODIC} },
        { MP_QSTR_callback, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_period, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = -1} },
        { MP_QSTR_tick_hz, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = 1000} },
        { MP_QSTR_freq, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args, pos_args, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);
    mp_int_t mode = args[ARG_mode].u_int;
    if (mode != MODE_ONE_SHOT && mode != MODE_PERIODIC) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("mode must be Timer.ONE_SHOT or Timer.PERIODIC, not %d"), (int)mode);
    }
    mp_obj_t cb = args[ARG_callback].u_obj;
    if (cb != mp_const_none && !mp_obj_is_callable(cb)) {
        mp_raise_ValueError(MP_ERROR_TEXT("callback must be callable or None"));
    }
    // The period in the timer's own clock: 1 kHz for a soft timer.
    uint64_t hz = 1000;
    #if MPFORGE_TIMER
    if (self->unit != SOFT) {
        hz = MPFORGE_TIMER_CLOCK_HZ;
    }
    #endif
    uint64_t ticks;
    if (args[ARG_freq].u_obj != mp_const_none) {
        #if MICROPY_PY_BUILTINS_FLOAT
        mp_float_t f = mp_obj_get_float(args[ARG_freq].u_obj);
        if (!(f > 0)) {
            mp_raise_ValueError(MP_ERROR_TEXT("freq must be positive"));
        }
        ticks = (uint64_t)((mp_float_t)hz / f + (mp_float_t)0.5);
        #else
        mp_int_t f = mp_obj_get_int(args[ARG_freq].u_obj);
        if (f <= 0) {
            mp_raise_ValueError(MP_ERROR_TEXT("freq must be positive"));
        }
        ticks = (hz + f / 2) / f;
        #endif
    } else if (args[ARG_period].u_int >= 0) {
        if (args[ARG_tick_hz].u_int <= 0) {
            mp_raise_ValueError(MP_ERROR_TEXT("tick_hz must be positive"));
        }
        ticks = (uint64_t)args[ARG_period].u_int * hz / (uint64_t)args[ARG_tick_hz].u_int;
    } else {
        mp_raise_ValueError(MP_ERROR_TEXT("give period= (in 1/tick_hz s, default ms) or freq= (Hz)"));
    }
    if (ticks < 1 || ticks > 0x7FFFFFFFu) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("period out of range: this timer counts 1..2147483647 ticks of %u Hz"), (unsigned)hz);
    }
    timer_stop(self);
    self->mode = mode;
    self->callback = cb;
    self->ticks = (uint32_t)ticks;
    machine_timer_obj_t **r = running();
    #if MPFORGE_TIMER
    if (self->unit != SOFT) {
        machine_timer_obj_t *prev = r[SOFT_TIMERS + self->unit];
        if (prev != NULL) {
            timer_stop(prev); // one object per hardware timer runs it
        }
        self->active = true;
        r[SOFT_TIMERS + self->unit] = self;
        periph_timer_start(self->unit, &timer_instances[self->unit], self->ticks);
        return mp_const_none;
    }
    #endif
    unsigned slot = 0;
    while (slot < SOFT_TIMERS && r[slot] != NULL) {
        ++slot;
    }
    if (slot == SOFT_TIMERS) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%d soft timers are running; deinit() one first"), SOFT_TIMERS);
    }
    mp_uint_t state = MICROPY_BEGIN_ATOMIC_SECTION();
    self->next_ms = mp_hal_ticks_ms() + self->ticks;
    self->active = true;
    r[slot] = self;
    MICROPY_END_ATOMIC_SECTION(state);
    return mp_const_none;
}

static mp_obj_t machine_timer_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 1, true);
    mp_int_t id = n_args > 0 ? mp_obj_get_int(args[0]) : -1;
    unsigned unit = SOFT;
    if (id != -1) {
        #if MPFORGE_TIMER
        static const char ids[] = "-1 (soft), " MPFORGE_TIMER_IDS;
        unit = periph_find(timer_instances, MPFORGE_TIMER_COUNT, id, "Timer", ids);
        #else
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("Timer(%d) does not exist on this board; it has Timer(-1) (soft)"), (int)id);
        #endif
    }
    machine_timer_obj_t *self = mp_obj_malloc(machine_timer_obj_t, &machine_timer_type);
    self->unit = unit;
    self->active = false;
    self->callback = mp_const_none;
    self->ticks = 0;
    self->next_ms = 0;
    self->mode = MODE_PERIODIC;
    if (n_kw > 0) {
        mp_map_t kw_args;
        mp_map_init_fixed_table(&kw_args, n_kw, args + n_args);
        machine_timer_init_helper(self, 0, NULL, &kw_args);
    }
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t machine_timer_init(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    return machine_timer_init_helper(MP_OBJ_TO_PTR(args[0]), n_args - 1, args + 1, kw_args);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(machine_timer_init_obj, 1, machine_timer_init);

static mp_obj_t machine_timer_deinit(mp_obj_t self_in) {
    timer_stop(MP_OBJ_TO_PTR(self_in));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(machine_timer_deinit_obj, machine_timer_deinit);

static const mp_rom_map_elem_t machine_timer_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_init), MP_ROM_PTR(&machine_timer_init_obj) },
    { MP_ROM_QSTR(MP_QSTR_deinit), MP_ROM_PTR(&machine_timer_deinit_obj) },
    { MP_ROM_QSTR(MP_QSTR_ONE_SHOT), MP_ROM_INT(MODE_ONE_SHOT) },
    { MP_ROM_QSTR(MP_QSTR_PERIODIC), MP_ROM_INT(MODE_PERIODIC) },
};
static MP_DEFINE_CONST_DICT(machine_timer_locals_dict, machine_timer_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    machine_timer_type,
    MP_QSTR_Timer,
    MP_TYPE_FLAG_NONE,
    make_new, machine_timer_make_new,
    print, machine_timer_print,
    locals_dict, &machine_timer_locals_dict
    );

#endif
