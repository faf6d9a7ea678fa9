// The product's own vector table and reset code. MicroPython brings none:
// SysTick, the UART interrupt and the fault handler are the product's.
#include <stdint.h>

#include "product.h"

#define NUM_IRQS (32 + 92)      // SSE-200 subsystem IRQs + the AN505 expansion IRQs
#define UART0_RX_IRQ (32)       // expansion IRQ 0

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];
int main(void);
void Reset_Handler(void);

volatile uint32_t product_ticks_ms;

static void default_handler(void) {
    for (;;) {
    }
}

static void hard_fault(void) {
    uart_print("\r\nPRODUCT: hard fault\r\n");
    for (;;) {
    }
}

static void systick(void) {
    product_ticks_ms = product_ticks_ms + 1u;
}

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used, aligned(1024)))
const vector_t product_vectors[16 + NUM_IRQS] = {
    [0] = (vector_t)(uintptr_t)_estack,
    [1] = Reset_Handler,
    [2 ... 15 + NUM_IRQS] = default_handler,
    [3] = hard_fault,
    [15] = systick,
    [16 + UART0_RX_IRQ] = uart_rx_irq,
};

#define REG(a) (*(volatile uint32_t *)(a))

void Reset_Handler(void) {
    for (uint32_t *s = _sidata, *d = _sdata; d < _edata;) {
        *d++ = *s++;
    }
    for (uint32_t *d = _sbss; d < _ebss;) {
        *d++ = 0;
    }
    REG(0xE000ED88u) |= 0xFu << 20; // CPACR: CP10/CP11 full access (FPU)
    REG(0xE000ED08u) = (uint32_t)(uintptr_t)product_vectors; // VTOR
    __asm__ __volatile__ ("dsb\n\tisb" ::: "memory");
    // SysTick at 1 ms from the core clock.
    REG(0xE000E014u) = PRODUCT_CPU_HZ / 1000u - 1u;
    REG(0xE000E018u) = 0;
    REG(0xE000E010u) = 7u; // CLKSOURCE | TICKINT | ENABLE
    main();
    for (;;) {
    }
}
