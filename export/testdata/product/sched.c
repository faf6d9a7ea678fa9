// A cooperative round-robin scheduler: each task runs on its own stack until
// it calls sched_yield. A switch saves the callee-saved registers (and the
// FPU's s16-s31) on the old stack and restores them from the new one.
#include "product.h"

#define MAX_TASKS (4)

static uint32_t *task_sp[MAX_TASKS];
static int ntasks, current;

// Saves r3-r11 (r3 keeps the frame 8-byte aligned), s16-s31 and the return
// address on the current stack, stores sp in *save, and resumes the task
// whose saved sp is next.
__attribute__((naked)) static void switch_to(uint32_t **save, uint32_t *next) {
    __asm__ __volatile__ (
        "push {r3-r11, lr}\n\t"
        "vpush {s16-s31}\n\t"
        "str sp, [r0]\n\t"
        "mov sp, r1\n\t"
        "vpop {s16-s31}\n\t"
        "pop {r3-r11, pc}\n\t"
        );
}

void sched_add(task_fn fn, uint8_t *stack, size_t size) {
    uint32_t *top = (uint32_t *)(((uintptr_t)stack + size) & ~(uintptr_t)7);
    // The frame switch_to pops: s16-s31, r3-r11, then pc = the task.
    uint32_t *sp = top - (16 + 10);
    for (int i = 0; i < 16 + 9; i++) {
        sp[i] = 0;
    }
    sp[16 + 9] = (uint32_t)(uintptr_t)fn;
    task_sp[ntasks++] = sp;
}

void sched_yield(void) {
    int from = current;
    current = (current + 1) % ntasks;
    if (current != from) {
        switch_to(&task_sp[from], task_sp[current]);
    }
}

void sched_start(void) {
    static uint32_t *boot_sp; // the reset stack is never resumed
    current = 0;
    switch_to(&boot_sp, task_sp[0]);
    for (;;) {
    }
}
