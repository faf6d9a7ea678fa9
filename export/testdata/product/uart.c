// The product's console driver: CMSDK APB UART0 (Secure alias), polled TX,
// interrupt-driven RX that hands each byte to MicroPython.
#include "mpforge_embed.h"
#include "product.h"

#define UART0 (0x50200000u)
#define UART_DATA (*(volatile uint32_t *)(UART0 + 0x00u))
#define UART_STATE (*(volatile uint32_t *)(UART0 + 0x04u))
#define UART_CTRL (*(volatile uint32_t *)(UART0 + 0x08u))
#define UART_INT (*(volatile uint32_t *)(UART0 + 0x0Cu))
#define UART_BAUDDIV (*(volatile uint32_t *)(UART0 + 0x10u))

#define NVIC_ISER1 (*(volatile uint32_t *)0xE000E104u) // IRQs 32..63

void uart_init(void) {
    UART_CTRL = 0;
    UART_BAUDDIV = PRODUCT_CPU_HZ / 115200u;
    UART_INT = 3u;               // clear TX and RX interrupts
    UART_CTRL = 1u | 2u | 8u;    // TX enable, RX enable, RX interrupt enable
    NVIC_ISER1 = 1u << (32 - 32); // UART0 RX = IRQ 32
}

void uart_write(const char *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        while (UART_STATE & 1u) { // TX buffer full
        }
        UART_DATA = (uint8_t)buf[i];
    }
}

void uart_print(const char *s) {
    size_t n = 0;
    while (s[n] != 0) {
        n++;
    }
    uart_write(s, n);
}

void uart_print_hex(uint32_t v) {
    char out[10] = { '0', 'x' };
    for (int i = 0; i < 8; i++) {
        out[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xFu];
    }
    uart_write(out, sizeof(out));
}

void uart_rx_irq(void) {
    UART_INT = 2u; // clear first: a byte arriving while draining raises it again
    UART_STATE = 8u; // clear an RX overrun
    while (UART_STATE & 2u) { // RX buffer full
        mpforge_rx_byte((uint8_t)UART_DATA);
    }
}
