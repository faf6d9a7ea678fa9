// machine.I2C back-end for the FR30xx I2C0..2 (DesignWare APB I2C), polled; the
// register work is boards/fr30xx/dw_i2c.c. Opening an instance gates its clock on
// (SYSTEM ClockEnable5) and muxes SCK/SDA (fr30xx_pinmux.h) with the internal
// pull-ups on; a bus with long wires wants external ones.
#include "py/runtime.h"
#include "py/mperrno.h"
#include "extmod/modmachine.h"
#include "periph.h"

#if MPFORGE_I2C_DRIVER_DW_APB_I2C

#include "fr30xx_io.h"
#include "fr30xx_periph.h"
#include "fr30xx_regs.h"
#include "fr30xx_pinmux.h"

#if MPFORGE_I2C_CLOCK_HZ == 0
#error "[peripherals.i2c] clock_hz is required for dw-apb-i2c: the controller clock in Hz"
#endif

static const periph_instance_t dw_i2cs[] = {
    #define X(id, base, irq) { id, base, irq },
    MPFORGE_I2C_TABLE(X)
    #undef X
};

// fr30xx.h I2C0_BASE .. I2C2_BASE.
static const uint32_t i2c_base[3] = { 0x50020000u, 0x50120000u, 0x50220000u };

static uint32_t polls[MPFORGE_I2C_COUNT];

void periph_i2c_init(unsigned unit, const periph_instance_t *in, uint32_t freq, uint32_t timeout_us) {
    int n = -1;
    for (int i = 0; i < 3; ++i) {
        if (i2c_base[i] == in->base) {
            n = i;
        }
    }
    if (n < 0) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("I2C(%u): base 0x%08x is not an FR30xx I2C block"), in->id, (unsigned)in->base);
    }
    dw_i2c_timing_t t;
    if (!dw_i2c_timing(MPFORGE_I2C_CLOCK_HZ, freq, &t)) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("freq %u is out of range: this I2C takes %u..1000000 Hz"),
            (unsigned)freq, (unsigned)(MPFORGE_I2C_CLOCK_HZ / (2u * 0xFFFFu) + 1));
    }
    fr30xx_modify32(FR30XX_SYS_CLOCK_EN_ADDR(5), 0, FR30XX_CLOCK_EN5_I2C((unsigned)n));
    fr30xx_modify32(FR30XX_SYS_CLOCK_SEL0_ADDR, FR30XX_CLOCK_SEL0_I2C_SPLL, 0);
    fr30xx_modify32(FR30XX_SYS_BLOCK_CLK_DIV1_ADDR, FR30XX_BLOCK_CLK_DIV1_I2C_MASK, 0);
    const fr30xx_mux_t *p = fr30xx_i2c_pins[n];
    fr30xx_gpio_func(p[0].port, p[0].line, p[0].func, FR30XX_PULL_UP);
    fr30xx_gpio_func(p[1].port, p[1].line, p[1].func, FR30XX_PULL_UP);
    dw_i2c_init(in->base, t);
    // A poll is at least one APB read, several core clocks: 24 a microsecond
    // bounds it from above at the 24 MHz core clock, so waits last at least timeout.
    polls[unit] = timeout_us < 100000000u ? timeout_us * 24u + 100u : 0xFFFFFFFFu;
}

int periph_i2c_transfer(unsigned unit, uint16_t addr, size_t n, mp_machine_i2c_buf_t *bufs, unsigned int flags) {
    uint32_t base = dw_i2cs[unit].base;
    bool read = (flags & MP_MACHINE_I2C_FLAG_READ) != 0;
    int total = 0;
    for (size_t i = 0; i < n; ++i) {
        bool last = i == n - 1;
        int r = dw_i2c_xfer(base, addr, read, bufs[i].buf, bufs[i].len, last && (flags & MP_MACHINE_I2C_FLAG_STOP), polls[unit]);
        if (r == DW_I2C_ENODEV) {
            return -MP_ENODEV;
        }
        if (r == DW_I2C_EIO) {
            return -MP_EIO;
        }
        if (r < 0) {
            return -MP_ETIMEDOUT;
        }
        total += r;
    }
    return total;
}

#endif
