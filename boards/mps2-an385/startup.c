// Vector table, reset and board bring-up for QEMU's mps2-an385 (Cortex-M3,
// no FPU).
#include <stdint.h>

#include "cortex_m.h"
#include "genhdr/board_config.h"
#include "py_main.h"
#include "uart.h"

// The AN385 image wires 32 external interrupts (QEMU hw/arm/mps2.c).
#define NUM_IRQS (32)

// From linker.ld.
extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[];
extern uint32_t __stack_top[];

void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);         // port/fatal.c
void SysTick_Handler(void);           // port/systick.c
void console_uart_irq_handler(void);  // ../mps2-an505/cmsdk_uart.c

typedef void (*vector_t)(void);

// VTOR needs the table aligned to its size rounded up to a power of two:
// (16 + 32) * 4 bytes -> 256. linker.ld puts it first in FLASH.
__attribute__((section(".isr_vector"), used, aligned(256)))
const vector_t vector_table[16 + NUM_IRQS] = {
    [0] = (vector_t)(uintptr_t)__stack_top,
    [1] = Reset_Handler,
    [2 ... 15 + NUM_IRQS] = Default_Handler,
    [3] = HardFault_Handler,
    [15] = SysTick_Handler,
    [16 + BOARD_CONSOLE_UART_IRQ] = console_uart_irq_handler,
};

// Unexpected exceptions and interrupts stop here; a debugger shows which one
// in IPSR.
void Default_Handler(void) {
    for (;;) {
        cm_wfi();
    }
}

// QEMU models no clocks or pin multiplexing on this machine.
void board_init(void) {
}

void Reset_Handler(void) {
    for (uint32_t *src = _sidata, *dst = _sdata; dst < _edata;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = _sbss; dst < _ebss;) {
        *dst++ = 0;
    }

    CM_SCB_VTOR = (uint32_t)(uintptr_t)vector_table;
    cm_dsb();

    board_init();
    py_main();
}
