// machine.UART back-end for the FR30xx UARTs (Synopsys DesignWare APB UART), over
// the console's driver boards/fr30xx/dw_uart.c. Opening an instance gates its
// clock on (SYSTEM ClockEnable5, fr30xx_regs.h) and muxes its pins
// (fr30xx_pinmux.h): RX with a pull-up, as board.c does for the console.
#include "py/runtime.h"
#include "periph.h"

#if MPFORGE_UART_DRIVER_DW_APB_UART

#include "dw_uart.h"
#include "fr30xx_io.h"
#include "fr30xx_periph.h"
#include "fr30xx_regs.h"
#include "fr30xx_pinmux.h"

#define DW_LSR_TEMT 0x40u // REG_LSR_t (driver_uart.h) TEMT, bit 6: shift register and FIFO empty

static const periph_instance_t dw_uarts[] = {
    #define X(id, base, irq) { id, base, irq },
    MPFORGE_UART_TABLE(X)
    #undef X
};

// fr30xx.h UART0_BASE .. UART5_BASE.
static const uint32_t uart_base[6] = {
    0x50010000u, 0x50018000u, 0x50110000u, 0x50118000u, 0x50210000u, 0x50218000u,
};

static int uart_index(uint32_t base) {
    for (int i = 0; i < 6; ++i) {
        if (uart_base[i] == base) {
            return i;
        }
    }
    return -1;
}

#define REGS(in) ((dw_uart_regs_t *)(in)->base)

static unsigned irq_unit; // the instance whose interrupt is being drained

static void push(uint8_t byte) {
    machine_uart_rx_push(irq_unit, byte);
}

static void dw_apb_uart_irq(void) {
    int irq = periph_active_irq();
    for (unsigned unit = 0; unit < MPFORGE_UART_COUNT; ++unit) {
        if (dw_uarts[unit].irq == irq) {
            irq_unit = unit;
            dw_uart_irq(REGS(&dw_uarts[unit]), push);
        }
    }
}

void periph_uart_init(unsigned unit, const periph_instance_t *in, uint32_t baud, int bits, int parity, int stop) {
    uint32_t lcr;
    if (!dw_uart_lcr(bits, parity, stop, &lcr)) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("bits must be 5..8, not %d"), bits);
    }
    dw_uart_divisor_t div;
    if (!dw_uart_divisor(MPFORGE_UART_CLOCK_HZ, baud, &div)) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("baudrate %u is out of range: this UART takes %u..%u"),
            (unsigned)baud, (unsigned)(MPFORGE_UART_CLOCK_HZ / (16u * 65535u) + 1), (unsigned)(MPFORGE_UART_CLOCK_HZ / 16u));
    }
    int n = uart_index(in->base);
    if (n < 0 || fr30xx_uart_pins[n][0].func == 0) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("UART(%u) has no pins on this chip"), in->id);
    }
    (void)unit;
    fr30xx_modify32(FR30XX_SYS_CLOCK_EN_ADDR(5), 0, FR30XX_CLOCK_EN5_UART((unsigned)n));
    const fr30xx_mux_t *p = fr30xx_uart_pins[n];
    fr30xx_gpio_func(p[0].port, p[0].line, p[0].func, FR30XX_PULL_UP);
    fr30xx_gpio_func(p[1].port, p[1].line, p[1].func, FR30XX_PULL_UP);
    dw_uart_init_lcr(REGS(in), div, lcr);
    periph_irq_set(in->irq, dw_apb_uart_irq, 0x80);
}

void periph_uart_deinit(unsigned unit, const periph_instance_t *in) {
    (void)unit;
    periph_irq_off(in->irq);
    REGS(in)->ier_dlh = 0;
}

bool periph_uart_tx_ready(const periph_instance_t *in) {
    return (REGS(in)->usr & DW_USR_TFNF) != 0;
}

void periph_uart_tx(const periph_instance_t *in, uint8_t byte) {
    REGS(in)->rbr_thr_dll = byte;
}

bool periph_uart_tx_done(const periph_instance_t *in) {
    return (REGS(in)->lsr & DW_LSR_TEMT) != 0;
}

#endif
