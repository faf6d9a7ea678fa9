// The console UART contract between the shared port and a board.
//
// A board (boards/<name>/) implements board_init, console_uart_init and
// console_uart_tx, and its console UART receive interrupt handler calls
// console_rx_push once per received byte. The port implements
// console_rx_push and everything above it (FIFO, REPL, Ctrl-C).
#ifndef MPFORGE_PORT_UART_H
#define MPFORGE_PORT_UART_H

#include <stddef.h>
#include <stdint.h>

// Clocks, pins and anything else needed before the console works.
// Called by the board's Reset_Handler before py_main().
void board_init(void);

// Configures the console UART from genhdr/board_config.h
// (BOARD_CONSOLE_UART_BASE, _CLOCK_HZ, BOARD_CONSOLE_BAUD) and enables its
// receive interrupt (BOARD_CONSOLE_UART_IRQ) in the UART and the NVIC.
// Called once by py_main().
void console_uart_init(void);

// Sends len bytes, blocking until all are queued in the UART. Must work with
// interrupts disabled (fault handlers use it), so it polls.
void console_uart_tx(const uint8_t *buf, size_t len);

// Provided by the port: the board's RX interrupt handler calls this for each
// received byte. Safe only from that one interrupt (single producer).
void console_rx_push(uint8_t byte);

#endif // MPFORGE_PORT_UART_H
