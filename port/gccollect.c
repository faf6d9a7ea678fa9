// Garbage collection roots: the callee-saved registers and the used C stack.
#include <stdint.h>

#include "py/gc.h"
#include "py/mpstate.h"

void gc_collect(void) {
    gc_collect_start();
    // Spill r4-r11 into a stack array so pointers that live only in
    // registers are seen; r0-r3 and r12 are caller-saved, so callers keep
    // theirs on the stack already. The array sits in this frame, at the low
    // end of the stack range scanned up to stack_top.
    uintptr_t regs[8];
    __asm__ __volatile__ ("stm %0, {r4-r11}" :: "r" (regs) : "memory");
    uintptr_t top = (uintptr_t)MP_STATE_THREAD(stack_top);
    gc_collect_root((void **)regs, (top - (uintptr_t)regs) / sizeof(uintptr_t));
    gc_collect_end();
}
