/*
 * Runs boards/fr30xx/startup.c and linker.ld on QEMU's Cortex-M33 machine
 * (mps2-an505), with a memory.ld that moves FLASH and SRAM into that machine's
 * RAM. Stands in for the port and board.c (QEMU has no FR30xx peripherals) and
 * reports each check through Arm semihosting; QEMU exits with status 0 only
 * when all passed.
 */
#include <stdint.h>

#include "cortex_m.h"
#include "py_main.h"
#include "uart.h"

#define NVIC_ISPR0 CM_REG(0xE000E200u)

extern const uint32_t vector_table[];
extern uint32_t _sstack[], _estack[];

volatile int data_var = 42;
volatile float fa = 1.5f, fb = 2.25f;
static volatile int bss_var, board_inits, irq_hits;
static int fails;

/* Semihosting SYS_WRITE0: prints a NUL-terminated string on QEMU's stdout. */
static void sh_write0(const char *s) {
    register uint32_t r0 __asm__ ("r0") = 0x04;
    register const char *r1 __asm__ ("r1") = s;
    __asm__ volatile ("bkpt 0xab" : "+r" (r0) : "r" (r1) : "memory");
}

/* Semihosting SYS_EXIT: ADP_Stopped_ApplicationExit (status 0) or
 * ADP_Stopped_InternalError (status 1). */
__attribute__((noreturn)) static void sh_exit(int ok) {
    register uint32_t r0 __asm__ ("r0") = 0x18;
    register uint32_t r1 __asm__ ("r1") = ok ? 0x20026 : 0x20024;
    __asm__ volatile ("bkpt 0xab" : : "r" (r0), "r" (r1) : "memory");
    for (;;) {
    }
}

static void check(int ok, const char *what) {
    sh_write0(ok ? "ok   " : "FAIL ");
    sh_write0(what);
    sh_write0("\n");
    fails += !ok;
}

void board_init(void) {
    board_inits++;
}

void UART3_IRQHandler(void) {
    irq_hits++;
}

void py_main(void) {
    uint32_t msplim;
    __asm__ volatile ("mrs %0, msplim" : "=r" (msplim));
    uintptr_t sp_here = (uintptr_t)&msplim;

    check(data_var == 42, ".data copied from flash");
    check(bss_var == 0 && irq_hits == 0, ".bss zeroed");
    check(board_inits == 1, "board_init called once, before py_main");
    check(CM_SCB_VTOR == (uint32_t)(uintptr_t)vector_table, "VTOR points at vector_table");
    check(msplim == (uint32_t)(uintptr_t)_sstack, "MSPLIM = _sstack");
    check(sp_here < (uintptr_t)_estack && sp_here > (uintptr_t)_estack - 256,
        "py_main runs at the top of the stack");
    check((CM_SCB_CPACR & CM_SCB_CPACR_CP10_CP11_FULL) == CM_SCB_CPACR_CP10_CP11_FULL,
        "FPU enabled (CPACR CP10/CP11)");
    check(fa * fb == 3.375f, "hard-float multiply");

    cm_nvic_enable(23, 0x40);
    NVIC_ISPR0 = 1u << 23;
    cm_dsb();
    cm_isb();
    check(irq_hits == 1, "pending IRQ 23 runs UART3_IRQHandler through the vector table");

    sh_exit(fails == 0);
}
