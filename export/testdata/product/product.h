// The test product: a stand-in for a team's own firmware (its own startup,
// UART driver, scheduler and tasks) that runs MicroPython as one task through
// the embedding API. Written for QEMU's mps2-an505 (Cortex-M33, CMSDK UART0).
#ifndef PRODUCT_H
#define PRODUCT_H

#include <stddef.h>
#include <stdint.h>

#define PRODUCT_CPU_HZ (20000000u) // QEMU's AN505 SYSCLK, which clocks SysTick

// startup.c: milliseconds since reset, counted by SysTick.
extern volatile uint32_t product_ticks_ms;

// uart.c: the console, UART0 at 115200 with its RX interrupt.
void uart_init(void);
void uart_write(const char *buf, size_t len);
void uart_print(const char *s);
void uart_print_hex(uint32_t v);
void uart_rx_irq(void);

// sched.c: a cooperative round-robin scheduler over tasks with own stacks.
typedef void (*task_fn)(void);
void sched_add(task_fn fn, uint8_t *stack, size_t size);
void sched_yield(void);
__attribute__((noreturn)) void sched_start(void);

#endif
