// The mp_hal_pin_* layer of py/mphal.h, over machine.Pin objects, for
// extmod's SoftI2C, SoftSPI and Signal. Functions rather than macros so this
// header needs nothing but a forward declaration (py/mphal.h includes it
// early); pin_hal.c defines them.
#ifndef MPFORGE_PORT_MACHINE_MPHAL_PIN_H
#define MPFORGE_PORT_MACHINE_MPHAL_PIN_H

#include <stdint.h>

struct _machine_pin_obj_t;
// A macro, as py/mphal.h tests for it before defining its own.
#define mp_hal_pin_obj_t const struct _machine_pin_obj_t *

mp_hal_pin_obj_t mp_hal_get_pin_obj(void *obj); // obj: an mp_obj_t
const char *mp_hal_pin_name(mp_hal_pin_obj_t pin);
int mp_hal_pin_read(mp_hal_pin_obj_t pin);
void mp_hal_pin_write(mp_hal_pin_obj_t pin, int value);
void mp_hal_pin_input(mp_hal_pin_obj_t pin);
void mp_hal_pin_output(mp_hal_pin_obj_t pin);
void mp_hal_pin_open_drain(mp_hal_pin_obj_t pin);
#define mp_hal_pin_od_low(pin) mp_hal_pin_write((pin), 0)
#define mp_hal_pin_od_high(pin) mp_hal_pin_write((pin), 1)
#define MP_HAL_PIN_FMT "%s"
#define mp_hal_delay_us_fast(us) mp_hal_delay_us(us)

#endif
