// mp_hal_pin_* (machine/mphal_pin.h) over the pin ops of machine/periph.h.
#include "py/runtime.h"
#include "py/mphal.h"
#include "periph.h"

#if MICROPY_PY_MACHINE_SOFTI2C || MICROPY_PY_MACHINE_SOFTSPI || MPFORGE_PIN

#if !MPFORGE_PIN
const machine_pin_obj_t *machine_pin_get(mp_obj_t obj) {
    (void)obj;
    mp_raise_ValueError(MP_ERROR_TEXT("this board has no pins: its board file has no [peripherals.pin]"));
}
#endif

mp_hal_pin_obj_t mp_hal_get_pin_obj(void *obj) {
    return machine_pin_get((mp_obj_t)obj);
}

const char *mp_hal_pin_name(mp_hal_pin_obj_t pin) {
    return pin->name;
}

int mp_hal_pin_read(mp_hal_pin_obj_t pin) {
    return pin->ops->read(pin);
}

void mp_hal_pin_write(mp_hal_pin_obj_t pin, int value) {
    pin->ops->write(pin, value);
}

void mp_hal_pin_input(mp_hal_pin_obj_t pin) {
    pin->ops->mode(pin, MACHINE_PIN_MODE_IN, MACHINE_PIN_PULL_NONE);
}

void mp_hal_pin_output(mp_hal_pin_obj_t pin) {
    pin->ops->mode(pin, MACHINE_PIN_MODE_OUT, MACHINE_PIN_PULL_NONE);
}

void mp_hal_pin_open_drain(mp_hal_pin_obj_t pin) {
    pin->ops->mode(pin, MACHINE_PIN_MODE_OPEN_DRAIN, MACHINE_PIN_PULL_NONE);
}

#endif
