// machine.Pin back-end for the MPS2 FPGAIO block (QEMU hw/misc/mps2-fpgaio.c,
// AN505/AN385 application notes): a pin is one bit of a register such as
// LED0 (0x00, read/write), BUTTON (0x08, read-only) or MISC (0x4C). There
// are no pull resistors and no open-drain drivers; OPEN_DRAIN is accepted
// on outputs so that SoftI2C can run (a 1 then only leaves the latch high).
#include "py/runtime.h"
#include "py/mphal.h"
#include "periph.h"

#if MPFORGE_PIN_DRIVER_MPS2_FPGAIO

#define REG(pin) (*(volatile uint32_t *)machine_pin_reg(pin))

static int fpgaio_read(const machine_pin_obj_t *pin) {
    return (REG(pin) & pin->mask) != 0;
}

static void fpgaio_write(const machine_pin_obj_t *pin, int value) {
    if (!(pin->dir & MACHINE_PIN_DIR_OUT)) {
        return; // an input register: writes would be ignored by the block anyway
    }
    mp_uint_t state = MICROPY_BEGIN_ATOMIC_SECTION();
    if (value) {
        REG(pin) |= pin->mask;
    } else {
        REG(pin) &= ~pin->mask;
    }
    MICROPY_END_ATOMIC_SECTION(state);
}

static void fpgaio_mode(const machine_pin_obj_t *pin, int mode, int pull) {
    if (pull != MACHINE_PIN_PULL_NONE) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("pin %s has no pull resistors; use pull=None"), pin->name);
    }
    // Pin.IN on an output is allowed: its latch reads back what was written.
    if (mode != MACHINE_PIN_MODE_IN && !(pin->dir & MACHINE_PIN_DIR_OUT)) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("pin %s is an input; outputs are %s"), pin->name, MPFORGE_PIN_OUTPUTS);
    }
}

const machine_pin_ops_t periph_pin_ops = {
    .read = fpgaio_read,
    .write = fpgaio_write,
    .mode = fpgaio_mode,
};

#endif
