// machine.SPI back-end for the FR30xx SPI masters SPIM0/1 (DesignWare SSI), polled;
// the register work is boards/fr30xx/dw_ssi.c. Opening an instance gates its clock
// on (SYSTEM ClockEnable6) and muxes SCLK, CSN, MOSI, MISO (fr30xx_pinmux.h). The
// block drives its chip select (CSN) itself during each transfer; a script may
// also use any Pin as chip select.
#include "py/runtime.h"
#include "py/mperrno.h"
#include "periph.h"

#if MPFORGE_SPI_DRIVER_DW_APB_SSI

#include "fr30xx_io.h"
#include "fr30xx_periph.h"
#include "fr30xx_regs.h"
#include "fr30xx_pinmux.h"

#define SPI_POLLS (1u << 20) // polls without progress before a transfer counts as stuck

static const periph_instance_t dw_ssis[] = {
    #define X(id, base, irq) { id, base, irq },
    MPFORGE_SPI_TABLE(X)
    #undef X
};

// fr30xx.h SPIM0_BASE, SPIM1_BASE.
static const uint32_t ssi_base[2] = { 0x50030000u, 0x50130000u };
static uint32_t divider[MPFORGE_SPI_COUNT];

static unsigned unit_of(const periph_instance_t *in) {
    return (unsigned)(in - dw_ssis);
}

void periph_spi_init(const periph_instance_t *in, uint32_t baudrate, int polarity, int phase, int bits, int firstbit) {
    if (bits < 4 || bits > 16) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("bits must be 4..16, not %d"), bits);
    }
    if (firstbit != 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("this SPI (DesignWare SSI) sends MSB first only: firstbit=SPI.MSB"));
    }
    uint32_t div;
    if (!dw_ssi_divider(MPFORGE_SPI_CLOCK_HZ, baudrate, &div)) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("baudrate %u is out of range: this SPI takes %u..%u"),
            (unsigned)baudrate, (unsigned)(MPFORGE_SPI_CLOCK_HZ / 65534u + 1), (unsigned)(MPFORGE_SPI_CLOCK_HZ / 2u));
    }
    int n = -1;
    for (int i = 0; i < 2; ++i) {
        if (ssi_base[i] == in->base) {
            n = i;
        }
    }
    if (n < 0) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("SPI(%u): base 0x%08x is not an FR30xx SPI master"), in->id, (unsigned)in->base);
    }
    fr30xx_modify32(FR30XX_SYS_CLOCK_EN_ADDR(6), 0, FR30XX_CLOCK_EN6_SSIM((unsigned)n));
    fr30xx_modify32(FR30XX_SYS_CLOCK_SEL0_ADDR, FR30XX_CLOCK_SEL0_SSIM_SPLL, 0);
    fr30xx_modify32(FR30XX_SYS_BLOCK_CLK_DIV1_ADDR, FR30XX_BLOCK_CLK_DIV1_SSIM_MASK, 0);
    for (int i = 0; i < 4; ++i) {
        const fr30xx_mux_t *p = &fr30xx_spi_pins[n][i];
        fr30xx_gpio_func(p->port, p->line, p->func, FR30XX_PULL_NONE);
    }
    divider[unit_of(in)] = div;
    dw_ssi_init(in->base, div, polarity, phase, bits);
}

// The HAL documents no internal loopback for this block.
void periph_spi_loopback(const periph_instance_t *in, bool on) {
    if (on) {
        mp_raise_ValueError(MP_ERROR_TEXT("this SPI (DesignWare SSI) has no loopback; wire MOSI to MISO instead"));
    }
    (void)in;
}

uint32_t periph_spi_baudrate(const periph_instance_t *in) {
    uint32_t div = divider[unit_of(in)];
    return div ? MPFORGE_SPI_CLOCK_HZ / div : 0;
}

void periph_spi_deinit(const periph_instance_t *in) {
    dw_ssi_disable(in->base);
}

void periph_spi_transfer(const periph_instance_t *in, int bits, size_t len, const uint8_t *src, uint8_t *dest) {
    if (!dw_ssi_transfer(in->base, bits, len, src, dest, SPI_POLLS)) {
        mp_raise_OSError(MP_ETIMEDOUT);
    }
}

#endif
