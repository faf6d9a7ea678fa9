// The product: MicroPython's REPL on the console as one task, and a task of
// the product's own that counts ("blinks") every 10 ms while the REPL waits.
#include "mpforge_embed.h"
#include "product.h"

static uint32_t py_heap[48 * 1024 / 4];
static uint8_t py_stack[16 * 1024] __attribute__((aligned(8)));
static uint8_t blink_stack[2 * 1024] __attribute__((aligned(8)));

volatile uint32_t blink_count;

// Hooks for MicroPython: the clock, and yielding to the other task.
uint64_t mpforge_hook_ticks_us(void) {
    return (uint64_t)product_ticks_ms * 1000u;
}

void mpforge_hook_wait(uint32_t timeout_ms) {
    (void)timeout_ms; // cooperative: the other task runs, then we check again
    sched_yield();
}

static void python_task(void) {
    mpforge_config_t cfg = {
        .heap = py_heap, .heap_size = sizeof(py_heap),
        .stack_top = py_stack + sizeof(py_stack), .stack_size = sizeof(py_stack),
    };
    #ifdef PRODUCT_EXPLICIT_LOOP
    // The steps of mpforge_main one by one, with a script of the product's own first.
    for (;;) {
        if (mpforge_start(&cfg) != 0) {
            uart_print("PRODUCT: mpforge_start failed\r\n");
            for (;;) {
                sched_yield();
            }
        }
        mpforge_exec("import sys\nprint('product script:', 6 * 7, sys.platform)\n");
        mpforge_repl();
        uart_print("PRODUCT: soft reset\r\n");
        mpforge_stop();
    }
    #else
    mpforge_main(&cfg);
    #endif
}

static void blink_task(void) {
    uint32_t last = product_ticks_ms;
    for (;;) {
        if (product_ticks_ms - last >= 10u) {
            last += 10u;
            blink_count = blink_count + 1u;
        }
        __asm__ __volatile__ ("wfi"); // until the next tick or UART byte
        sched_yield();
    }
}

int main(void) {
    mpforge_set_output(uart_write);
    uart_init();
    uart_print("PRODUCT: blink counter at ");
    uart_print_hex((uint32_t)(uintptr_t)&blink_count);
    uart_print("\r\n");
    sched_add(python_task, py_stack, sizeof(py_stack));
    sched_add(blink_task, blink_stack, sizeof(blink_stack));
    sched_start();
}
