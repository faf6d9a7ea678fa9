// MicroPython's stdin/stdout over the board's console UART: the RX interrupt
// fills a FIFO, the REPL drains it; output goes straight to the UART.
#include "py/mphal.h"
#include "py/runtime.h"
#include "py/stream.h"
#include "shared/runtime/interrupt_char.h"

#include "cortex_m.h"
#include "fifo.h"
#include "uart.h"
#include "uart_core.h"
#if MPFORGE_EMBED
#include "mpforge_embed.h"
#endif

#ifndef CONSOLE_RX_FIFO_SIZE
// Holds a raw-paste window (MICROPY_REPL_STDIN_BUFFER_MAX) several times over,
// and about 90 ms of 115200 baud input while the REPL is busy compiling.
#define CONSOLE_RX_FIFO_SIZE (1024)
#endif

#if CONSOLE_RX_FIFO_SIZE < 2 || (CONSOLE_RX_FIFO_SIZE & (CONSOLE_RX_FIFO_SIZE - 1)) != 0
#error "CONSOLE_RX_FIFO_SIZE must be a power of two"
#endif

static uint8_t rx_buf[CONSOLE_RX_FIFO_SIZE];
static fifo_t rx_fifo;

void console_rx_init(void) {
    fifo_init(&rx_fifo, rx_buf, sizeof(rx_buf)); // size checked above
}

void console_rx_push(uint8_t byte) {
    // The interrupt character (Ctrl-C while code runs) raises
    // KeyboardInterrupt instead of waiting in line behind other input.
    if (mp_interrupt_char >= 0 && byte == (uint8_t)mp_interrupt_char) {
        mp_sched_keyboard_interrupt();
        return;
    }
    fifo_put(&rx_fifo, byte);
}

uint32_t console_rx_dropped(void) {
    return fifo_dropped(&rx_fifo);
}

int mp_hal_stdin_rx_chr(void) {
    for (;;) {
        int c = fifo_get(&rx_fifo);
        if (c >= 0) {
            return c;
        }
        mp_event_handle_nowait();
        #if MPFORGE_EMBED
        // Inside a product's firmware (port/embed): its thread yields to the
        // product's scheduler until mpforge_rx_byte wakes it.
        if (fifo_count(&rx_fifo) == 0) {
            mpforge_hook_wait(MPFORGE_WAIT_FOREVER);
        }
        #else
        // Sleep until an interrupt. Checking for input with interrupts masked
        // closes the window where a byte arrives just before WFI; WFI still
        // wakes on the pending interrupt, which runs once they are unmasked.
        uint32_t state = cm_irq_disable();
        if (fifo_count(&rx_fifo) == 0) {
            cm_wfi();
        }
        cm_irq_restore(state);
        #endif
    }
}

mp_uint_t mp_hal_stdout_tx_strn(const char *str, size_t len) {
    console_uart_tx((const uint8_t *)str, len);
    return len;
}

uintptr_t mp_hal_stdio_poll(uintptr_t poll_flags) {
    uintptr_t ret = 0;
    if ((poll_flags & MP_STREAM_POLL_RD) && fifo_count(&rx_fifo) != 0) {
        ret |= MP_STREAM_POLL_RD;
    }
    if (poll_flags & MP_STREAM_POLL_WR) {
        ret |= MP_STREAM_POLL_WR; // output blocks until sent, so it is always writable
    }
    return ret;
}
