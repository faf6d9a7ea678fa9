// machine.UART back-end for the Arm CMSDK APB UART (the UARTs of the MPS2
// images; register map as in QEMU hw/char/cmsdk-apb-uart.c and the CMSDK
// TRM, the same block as the console's boards/mps2-an505/cmsdk_uart.c).
// The block sends and receives 8N1 frames only; the baud divisor must be
// 16..0xFFFFF clocks.
#include "py/runtime.h"
#include "periph.h"
#include "cmsdk_uart_regs.h"

#if MPFORGE_UART_DRIVER_CMSDK_UART


#define UART(in) ((cmsdk_uart_t *)(in)->base)

static const periph_instance_t cmsdk_uarts[] = {
    #define X(id, base, irq) { id, base, irq },
    MPFORGE_UART_TABLE(X)
    #undef X
};

// One handler for every instance: the active interrupt says which.
static void cmsdk_uart_rx_irq(void) {
    int irq = periph_active_irq();
    for (unsigned unit = 0; unit < MPFORGE_UART_COUNT; ++unit) {
        if (cmsdk_uarts[unit].irq != irq) {
            continue;
        }
        cmsdk_uart_t *u = UART(&cmsdk_uarts[unit]);
        // Clear before draining, so a byte arriving meanwhile interrupts again.
        u->intstatus = INT_RX;
        if (u->state & STATE_RX_OVERRUN) {
            u->state = STATE_RX_OVERRUN;
        }
        while (u->state & STATE_RX_FULL) {
            machine_uart_rx_push(unit, (uint8_t)u->data);
        }
    }
}

void periph_uart_init(unsigned unit, const periph_instance_t *in, uint32_t baud, int bits, int parity, int stop) {
    if (bits != 8 || parity != 0 || stop != 1) {
        mp_raise_ValueError(MP_ERROR_TEXT("this UART (CMSDK) sends 8N1 frames only: bits=8, parity=None, stop=1"));
    }
    uint32_t div = MPFORGE_UART_CLOCK_HZ / baud;
    if (div < 16 || div > 0xFFFFF) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("baudrate %u is out of range: this UART takes %u..%u"),
            (unsigned)baud, (unsigned)(MPFORGE_UART_CLOCK_HZ / 0xFFFFF + 1), (unsigned)(MPFORGE_UART_CLOCK_HZ / 16));
    }
    (void)unit;
    cmsdk_uart_t *u = UART(in);
    u->ctrl = 0;
    u->bauddiv = div;
    u->intstatus = INT_TX | INT_RX;
    u->state = STATE_RX_OVERRUN | STATE_TX_OVERRUN;
    u->ctrl = CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INTEN;
    periph_irq_set(in->irq, cmsdk_uart_rx_irq, 0x80);
}

void periph_uart_deinit(unsigned unit, const periph_instance_t *in) {
    (void)unit;
    periph_irq_off(in->irq);
    UART(in)->ctrl = 0;
}

bool periph_uart_tx_ready(const periph_instance_t *in) {
    return !(UART(in)->state & STATE_TX_FULL);
}

void periph_uart_tx(const periph_instance_t *in, uint8_t byte) {
    UART(in)->data = byte;
}

// The block has no shift-register status; an empty buffer is as close as it tells.
bool periph_uart_tx_done(const periph_instance_t *in) {
    return !(UART(in)->state & STATE_TX_FULL);
}

#endif
