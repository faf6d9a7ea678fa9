// Vector table, reset and board bring-up for QEMU's MPS2 machines: mps2-an505
// (Cortex-M33, running in the Secure state, which is where it resets) and
// mps2-an385 (Cortex-M3, no FPU). Each of the two images has its own core,
// so the core tells them apart.
#include <stdint.h>

#include "cortex_m.h"
#include "genhdr/board_config.h"
#include "py_main.h"
#include "uart.h"

#if defined(__ARM_ARCH_8M_MAIN__)
// The SSE-200/IoTKit NVIC has 32 subsystem interrupts followed by the
// 92 expansion interrupts of the AN505 FPGA image (QEMU hw/arm/mps2-tz.c).
#define NUM_IRQS (32 + 92)
// VTOR needs the table aligned to its size rounded up to a power of two.
#define VECTOR_TABLE_ALIGN (1024) // (16 + 124) * 4 bytes
#else
// The AN385 image wires 32 external interrupts (QEMU hw/arm/mps2.c).
#define NUM_IRQS (32)
#define VECTOR_TABLE_ALIGN (256) // (16 + 32) * 4 bytes
#endif

// From linker.ld.
extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[];
extern uint32_t __stack_top[], __stack_bottom[];

void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);         // port/fatal.c
void SysTick_Handler(void);           // port/systick.c
void console_uart_irq_handler(void);  // cmsdk_uart.c

typedef void (*vector_t)(void);

// linker.ld puts it first in FLASH.
__attribute__((section(".isr_vector"), used, aligned(VECTOR_TABLE_ALIGN)))
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
    // After QEMU's cold reset this only sets PRIMASK; done as on the fr30xx,
    // whose boot ROM leaves more behind, so the twins run py_main's interrupt
    // enable the same way.
    cm_interrupts_reset(NUM_IRQS);

    #if defined(__ARM_ARCH_8M_MAIN__)
    // Catch a stack overflow as a fault rather than corrupting .bss.
    __asm__ __volatile__ ("msr msplim, %0" :: "r" (__stack_bottom));
    #endif

    for (uint32_t *src = _sidata, *dst = _sdata; dst < _edata;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = _sbss; dst < _ebss;) {
        *dst++ = 0;
    }

    #if defined(__ARM_FP)
    CM_SCB_CPACR |= CM_SCB_CPACR_CP10_CP11_FULL;
    cm_dsb();
    cm_isb();
    #endif

    CM_SCB_VTOR = (uint32_t)(uintptr_t)vector_table;
    cm_dsb();

    board_init();
    py_main();
}
