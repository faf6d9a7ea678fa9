/*
 * Runs boards/fr30xx/startup.c and linker.ld on QEMU's Cortex-M33 machine
 * (mps2-an505), with a memory.ld that moves FLASH and SRAM into that machine's
 * RAM. Stands in for the port and board.c (QEMU has no FR30xx peripherals) and
 * reports each check through Arm semihosting; QEMU exits with status 0 only
 * when all passed.
 *
 * It boots twice: after QEMU's reset, py_main leaves the core the way a boot
 * ROM might (interrupts enabled and pending in the NVIC, SysTick running,
 * SysTick and PendSV pending, BASEPRI and FAULTMASK set, thread mode on PSP)
 * and jumps to Reset_Handler; the second py_main checks that startup.c cleaned
 * all of it up and that nothing stale runs once interrupts are enabled.
 */
#include <stdint.h>

#include "cortex_m.h"
#include "py_main.h"
#include "uart.h"

extern const uint32_t vector_table[];
extern uint32_t _sstack[], _estack[];
/* QEMU RAM outside the board's SRAM (memory.ld), so startup.c leaves it alone:
 * word 0 tells the second boot from the first, the rest is a process stack. */
extern volatile uint32_t qemu_scratch[];
#define SECOND_BOOT 0x5EC0B007u

volatile int data_var = 42;
volatile float fa = 1.5f, fb = 2.25f;
static volatile int bss_var, board_inits, irq_hits, stale_hits;
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

/* What the first boot leaves pending, should any of it survive. */
void TIMER0_IRQHandler(void) {
    stale_hits++;
}

void WDT_IRQHandler(void) {
    stale_hits++;
}

void TIMER5_IRQHandler(void) {
    stale_hits++;
}

void SysTick_Handler(void) {
    stale_hits++;
}

void PendSV_Handler(void) {
    stale_hits++;
}

static uint32_t read_primask(void) {
    uint32_t v;
    __asm__ volatile ("mrs %0, primask" : "=r" (v));
    return v;
}

static uint32_t read_faultmask(void) {
    uint32_t v;
    __asm__ volatile ("mrs %0, faultmask" : "=r" (v));
    return v;
}

static uint32_t read_basepri(void) {
    uint32_t v;
    __asm__ volatile ("mrs %0, basepri" : "=r" (v));
    return v;
}

/* Leaves the core as a careless boot ROM might and enters Reset_Handler the
 * way it would, by a branch. FAULTMASK first, so none of it runs here. */
__attribute__((noreturn)) static void dirty_reboot(void) {
    __asm__ volatile ("cpsid f" ::: "memory");
    __asm__ volatile ("msr basepri, %0" :: "r" (0x20u) : "memory");
    __asm__ volatile ("cpsie i" ::: "memory");
    for (uint32_t n = 0; n < 3; n++) {
        CM_NVIC_ISER(n) = 0xFFFFFFFFu;
    }
    CM_NVIC_ISPR(0) = 1u << 0 | 1u << 23;  /* TIMER0, UART3 */
    CM_NVIC_ISPR(1) = 1u << (52 - 32);      /* WDT */
    CM_NVIC_ISPR(2) = 1u << (82 - 64);      /* TIMER5 */
    CM_SYST_RVR = 1000;
    CM_SYST_CVR = 0;
    CM_SYST_CSR = CM_SYST_CSR_CLKSOURCE_CPU | CM_SYST_CSR_TICKINT | CM_SYST_CSR_ENABLE;
    CM_SCB_ICSR = CM_SCB_ICSR_PENDSTSET | (1u << 28); /* PENDSVSET */
    data_var = 7;
    bss_var = 5;
    qemu_scratch[0] = SECOND_BOOT;
    /* Thread mode on PSP, then the branch. */
    __asm__ volatile (
        "msr psp, %0\n"
        "movs r1, #2\n"
        "msr control, r1\n"
        "isb\n"
        "bx %1\n"
        :
        : "r" (&qemu_scratch[256]), "r" (vector_table[1])
        : "r1", "memory");
    __builtin_unreachable();
}

void py_main(void) {
    uint32_t control, msplim;
    __asm__ volatile ("mrs %0, control" : "=r" (control));
    __asm__ volatile ("mrs %0, msplim" : "=r" (msplim));
    uintptr_t sp_here = (uintptr_t)&msplim;
    int second = qemu_scratch[0] == SECOND_BOOT;

    sh_write0(second ? "-- second boot, entered by a branch from a dirty state\n" : "-- first boot, after reset\n");
    check(read_primask() == 1, "interrupts masked (PRIMASK) until the port enables them");
    check(read_faultmask() == 0 && read_basepri() == 0, "FAULTMASK and BASEPRI clear");
    check((control & 3u) == 0, "CONTROL: privileged, on MSP");
    int nvic_clean = 1;
    for (uint32_t n = 0; n < 3; n++) {
        nvic_clean &= CM_NVIC_ISER(n) == 0 && CM_NVIC_ISPR(n) == 0;
    }
    check(nvic_clean, "NVIC lines 0..95 disabled and not pending");
    check((CM_SYST_CSR & CM_SYST_CSR_ENABLE) == 0, "SysTick stopped");
    check((CM_SCB_ICSR & (CM_SCB_ICSR_PENDSTSET | (1u << 28))) == 0, "SysTick and PendSV not pending");
    check(data_var == 42, ".data copied from flash");
    check(bss_var == 0 && irq_hits == 0 && stale_hits == 0, ".bss zeroed");
    check(board_inits == 1, "board_init called once, before py_main");
    check(CM_SCB_VTOR == (uint32_t)(uintptr_t)vector_table, "VTOR points at vector_table");
    check(msplim == (uint32_t)(uintptr_t)_sstack, "MSPLIM = _sstack");
    check(sp_here < (uintptr_t)_estack && sp_here > (uintptr_t)_estack - 256,
        "py_main runs at the top of the stack");
    check((CM_SCB_CPACR & CM_SCB_CPACR_CP10_CP11_FULL) == CM_SCB_CPACR_CP10_CP11_FULL,
        "FPU enabled (CPACR CP10/CP11)");
    check(fa * fb == 3.375f, "hard-float multiply");

    cm_irq_enable();
    cm_dsb();
    cm_isb();
    check(stale_hits == 0 && irq_hits == 0, "nothing left pending runs once interrupts are enabled");

    cm_nvic_enable(23, 0x40);
    CM_NVIC_ISPR(0) = 1u << 23;
    cm_dsb();
    cm_isb();
    check(irq_hits == 1, "pending IRQ 23 runs UART3_IRQHandler through the vector table");

    if (!second) {
        if (fails != 0) {
            sh_exit(0);
        }
        dirty_reboot();
    }
    sh_exit(fails == 0);
}
