// machine.I2C back-end for the Arm SBCon two-wire interface (the I2C
// controllers of the MPS2 images; QEMU hw/i2c/arm_sbcon_i2c.c): software
// drives SCL (bit 0) and SDA (bit 1) through a set register (0x00, write)
// and a clear register (0x04) and reads the bus back at 0x00. The bit timing
// is extmod's SoftI2C engine, run over the two lines as pins.
#include "py/runtime.h"
#include "py/mphal.h"
#include "extmod/modmachine.h"
#include "periph.h"

#if MPFORGE_I2C_DRIVER_SBCON_I2C

#define SBCON_CONTROL (0x00) // read: the lines as the bus sees them
#define SBCON_CONTROLS (0x00) // write: 1s set lines high (released)
#define SBCON_CONTROLC (0x04) // write: 1s pull lines low
#define SBCON_SCL (1u << 0)
#define SBCON_SDA (1u << 1)

#define REG(addr) (*(volatile uint32_t *)(addr))

static int sbcon_read(const machine_pin_obj_t *line) {
    return (REG(line->reg + SBCON_CONTROL) & line->mask) != 0;
}

static void sbcon_write(const machine_pin_obj_t *line, int value) {
    REG(line->reg + (value ? SBCON_CONTROLS : SBCON_CONTROLC)) = line->mask;
}

// Both lines are always open-drain outputs; nothing to configure.
static void sbcon_mode(const machine_pin_obj_t *line, int mode, int pull) {
    (void)line;
    (void)mode;
    (void)pull;
}

static const machine_pin_ops_t sbcon_line_ops = {
    .read = sbcon_read,
    .write = sbcon_write,
    .mode = sbcon_mode,
};

// The lines are internal to the bus object, never handed to Python.
static const machine_pin_obj_t sbcon_lines[][2] = {
    #define X(id, base, irq) { \
        { { NULL }, "SCL" #id, &sbcon_line_ops, base, SBCON_SCL, MACHINE_PIN_DIR_INOUT }, \
        { { NULL }, "SDA" #id, &sbcon_line_ops, base, SBCON_SDA, MACHINE_PIN_DIR_INOUT } },
    MPFORGE_I2C_TABLE(X)
    #undef X
};

static mp_machine_soft_i2c_obj_t sbcon_bus[MPFORGE_I2C_COUNT];

void periph_i2c_init(unsigned unit, const periph_instance_t *in, uint32_t freq, uint32_t timeout_us) {
    (void)in;
    mp_machine_soft_i2c_obj_t *bus = &sbcon_bus[unit];
    bus->base.type = &mp_machine_soft_i2c_type;
    bus->scl = &sbcon_lines[unit][0];
    bus->sda = &sbcon_lines[unit][1];
    bus->us_delay = 500000 / freq;
    bus->us_timeout = timeout_us;
    // Release both lines: the bus idles high.
    sbcon_write(bus->scl, 1);
    sbcon_write(bus->sda, 1);
}

int periph_i2c_transfer(unsigned unit, uint16_t addr, size_t n, mp_machine_i2c_buf_t *bufs, unsigned int flags) {
    return mp_machine_soft_i2c_transfer(&sbcon_bus[unit].base, addr, n, bufs, flags);
}

#endif
