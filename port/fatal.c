// Last-resort handlers: uncaught NLR, failed C assertions and hard faults.
// They print one line on the console with plain polled output (the
// interpreter may be broken) and stop the CPU, so the message stays readable
// and the test runner (device/crash.go) reads the line, decodes the fault
// registers and resets the board, rather than seeing a reboot loop.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cortex_m.h"
#include "uart.h"

static void put_str(const char *s) {
    console_uart_tx((const uint8_t *)s, strlen(s));
}

static void put_hex(uint32_t v) {
    char buf[10] = { '0', 'x' };
    for (int i = 0; i < 8; ++i) {
        buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xfu];
    }
    console_uart_tx((const uint8_t *)buf, sizeof(buf));
}

static void put_dec(uint32_t v) {
    char buf[10];
    size_t n = sizeof(buf);
    do {
        buf[--n] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0 && n > 0);
    console_uart_tx((const uint8_t *)buf + n, sizeof(buf) - n);
}

__attribute__((noreturn)) static void halt(void) {
    cm_irq_disable();
    for (;;) {
        cm_wfi();
    }
}

__attribute__((noreturn)) void nlr_jump_fail(void *val) {
    put_str("\r\nFATAL: uncaught NLR ");
    put_hex((uint32_t)(uintptr_t)val);
    put_str("\r\n");
    halt();
}

// Called by assert() (newlib) when the port is built without NDEBUG. Weak,
// as HardFault_Handler: a product embedding MicroPython keeps its own.
__attribute__((noreturn, weak)) void __assert_func(const char *file, int line, const char *func, const char *expr) {
    (void)func;
    put_str("\r\nFATAL: assertion '");
    put_str(expr);
    put_str("' failed at ");
    put_str(file);
    put_str(":");
    put_dec((uint32_t)line);
    put_str("\r\n");
    halt();
}

// frame points at the exception frame the core pushed: r0-r3, r12, lr, pc, xpsr.
__attribute__((noreturn, used)) static void hard_fault_report(const uint32_t *frame) {
    put_str("\r\nFATAL: HardFault pc=");
    put_hex(frame[6]);
    put_str(" lr=");
    put_hex(frame[5]);
    put_str(" hfsr=");
    put_hex(CM_SCB_HFSR);
    put_str(" cfsr=");
    put_hex(CM_SCB_CFSR);
    put_str(" mmfar=");
    put_hex(CM_SCB_MMFAR);
    put_str(" bfar=");
    put_hex(CM_SCB_BFAR);
    put_str("\r\n");
    halt();
}

// Finds the stack the faulting code used (bit 2 of EXC_RETURN) and passes its
// exception frame on.
__attribute__((naked, weak)) void HardFault_Handler(void) {
    __asm__ __volatile__ (
        "tst lr, #4\n\t"
        "ite eq\n\t"
        "mrseq r0, msp\n\t"
        "mrsne r0, psp\n\t"
        "b hard_fault_report\n\t"
        );
}
