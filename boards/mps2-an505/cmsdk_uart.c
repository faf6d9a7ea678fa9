// Console on an Arm CMSDK APB UART (the UART of QEMU's mps2 machines),
// implementing the board side of port/uart.h.
#include <stddef.h>
#include <stdint.h>

#include "cortex_m.h"
#include "genhdr/board_config.h"
#include "machine/cmsdk_uart_regs.h"
#include "uart.h"


#define UART ((cmsdk_uart_t *)(uintptr_t)(BOARD_CONSOLE_UART_BASE))

// The CMSDK UART needs a divisor of at least 16 (one bit = 16 clocks).
#define BAUD_DIVISOR (BOARD_CONSOLE_UART_CLOCK_HZ / BOARD_CONSOLE_BAUD)
#if BAUD_DIVISOR < 16 || BAUD_DIVISOR > 0xFFFFF
#error "BOARD_CONSOLE_UART_CLOCK_HZ / BOARD_CONSOLE_BAUD must be 16..1048575 for a CMSDK UART"
#endif

// The RX interrupt handler; the board's vector table points
// BOARD_CONSOLE_UART_IRQ at it.
void console_uart_irq_handler(void);

void console_uart_init(void) {
    UART->ctrl = 0;
    UART->bauddiv = BAUD_DIVISOR;
    UART->intstatus = INT_TX | INT_RX;
    UART->state = STATE_RX_OVERRUN;
    UART->ctrl = CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INTEN;
    cm_nvic_enable(BOARD_CONSOLE_UART_IRQ, 0x80);
}

void console_uart_tx(const uint8_t *buf, size_t len) {
    for (size_t i = 0; i < len; ++i) {
        while (UART->state & STATE_TX_FULL) {
        }
        UART->data = buf[i];
    }
}

void console_uart_irq_handler(void) {
    // Clear before draining: a byte arriving after the last check raises the
    // interrupt again instead of being stranded.
    UART->intstatus = INT_RX;
    if (UART->state & STATE_RX_OVERRUN) {
        UART->state = STATE_RX_OVERRUN;
    }
    while (UART->state & STATE_RX_FULL) {
        console_rx_push((uint8_t)UART->data);
    }
}
