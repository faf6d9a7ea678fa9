// Port-internal side of the console: FIFO setup and its loss counter.
#ifndef MPFORGE_PORT_UART_CORE_H
#define MPFORGE_PORT_UART_CORE_H

#include <stdint.h>

// Empties the RX FIFO; call before the console UART's interrupt is enabled.
void console_rx_init(void);

// Received bytes lost because the RX FIFO was full (since power-on).
uint32_t console_rx_dropped(void);

#endif // MPFORGE_PORT_UART_CORE_H
