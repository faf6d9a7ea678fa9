// MicroPython inside your own firmware: the embedding API of mpforge.
//
// mpforge exports MicroPython for one board's configuration as a source tree
// (`mage export:embed BOARD DIR`) or builds it as a static library
// (`mage build:lib BOARD`: out/<board>/libmicropython.a). Either way your
// firmware keeps its own startup, vector table, linker script, clocks, UART
// driver and RTOS; MicroPython needs only what this header names.
//
// Threads: the interpreter runs in one thread (task) of your firmware, on
// that thread's stack. Call every function below from that thread, except
// mpforge_rx_byte and mpforge_interrupt, which are for interrupt handlers
// and other threads.
//
// A minimal product, with its UART RX interrupt calling mpforge_rx_byte:
//
//     static uint32_t heap[64 * 1024 / 4];
//     static uint8_t py_stack[16 * 1024];   // the thread's stack
//
//     static void uart_write(const char *buf, size_t len) { my_uart_send(buf, len); }
//
//     void python_thread(void) {           // running on py_stack
//         mpforge_set_output(uart_write);
//         mpforge_config_t cfg = {
//             .heap = heap, .heap_size = sizeof(heap),
//             .stack_top = py_stack + sizeof(py_stack), .stack_size = sizeof(py_stack),
//         };
//         mpforge_main(&cfg);               // REPL on the console, soft resets included
//     }
//
//     uint64_t mpforge_hook_ticks_us(void) { return my_tick_count_ms() * 1000u; }
//     void mpforge_hook_wait(uint32_t timeout_ms) { my_rtos_wait_or_yield(timeout_ms); }
//     void mpforge_hook_wake(void) { my_rtos_signal_from_isr(); }
#ifndef MPFORGE_EMBED_H
#define MPFORGE_EMBED_H

#include <stddef.h>
#include <stdint.h>

// What the interpreter runs on, given by the caller.
typedef struct {
    // The garbage-collected heap: any RAM the product can spare (a few KiB
    // for `1+1`; 32 KiB and more for real scripts), word aligned.
    void *heap;
    size_t heap_size;
    // The calling thread's stack: its top (the highest address, where the
    // stack pointer starts) and its size. The interpreter raises
    // RuntimeError("maximum recursion depth exceeded") before it runs out,
    // and the garbage collector scans it for live objects. NULL for
    // stack_top means "the stack pointer of the call to mpforge_start",
    // which is right when mpforge_start is called at the top of the thread.
    void *stack_top;
    size_t stack_size;
} mpforge_config_t;

// Where the interpreter's console output goes (REPL, print, tracebacks):
// len bytes at buf, not NUL-terminated. The function may block until the
// bytes are sent, and must also work with interrupts masked, because fatal
// errors report through it before halting. Without one, output is dropped.
typedef void (*mpforge_output_fn)(const char *buf, size_t len);
void mpforge_set_output(mpforge_output_fn write);

// Starts the interpreter on cfg's heap and stack. Returns 0, or -1 (and
// starts nothing) when the heap is smaller than 1 KiB or the stack smaller
// than twice MICROPY_STACK_CHECK_MARGIN. The first call also empties the
// console input FIFO: enable the RX interrupt before or after it, bytes
// that arrive before it are dropped (and counted by mpforge_rx_dropped).
int mpforge_start(const mpforge_config_t *cfg);

// What mpforge_exec and mpforge_repl return.
#define MPFORGE_OK (0)
#define MPFORGE_ERROR (1)        // the script raised an exception (printed)
#define MPFORGE_SOFT_RESET (2)   // sys.exit(), machine.soft_reset() or Ctrl-D

// Compiles and runs a script given as a string (several lines, like a .py
// file). Ctrl-C on the console raises KeyboardInterrupt in it.
int mpforge_exec(const char *source);

// Runs the REPL on the console (friendly, or raw after Ctrl-A, as mpremote
// and pyboard.py use it) until a soft reset is asked for; then returns
// MPFORGE_SOFT_RESET. The interpreter is still running: call
// mpforge_stop, then mpforge_start again, for a clean start.
int mpforge_repl(void);

// Stops the interpreter: runs finalisers and forgets every Python object.
// The heap is the product's again afterwards.
void mpforge_stop(void);

// The whole life of the interpreter for a thread that is only that: start,
// REPL, and a clean restart on every soft reset, forever. Like the firmware's
// py_main, on the caller's heap and stack.
__attribute__((noreturn)) void mpforge_main(const mpforge_config_t *cfg);

// Console input, one received byte: call from the product's UART receive
// interrupt (one interrupt only: the FIFO has a single producer). Ctrl-C
// while code runs raises KeyboardInterrupt instead of queuing. Calls
// mpforge_hook_wake.
void mpforge_rx_byte(uint8_t c);

// Received bytes lost because the input FIFO was full (since power-on).
uint32_t mpforge_rx_dropped(void);

// Raises KeyboardInterrupt in the running Python code, as Ctrl-C does; from
// any thread or interrupt (a watchdog, a "stop" command of the product).
void mpforge_interrupt(void);

// Hooks the product provides.

// Required: a monotonic microsecond clock, e.g. the RTOS tick count times
// the tick period. Backs time.ticks_ms/us, time.time and sleep_ms.
uint64_t mpforge_hook_ticks_us(void);

// mpforge_hook_wait's timeout when the interpreter waits for input or a
// scheduled callback with no time limit.
#define MPFORGE_WAIT_FOREVER (UINT32_MAX)

// The interpreter has nothing to do for up to timeout_ms milliseconds
// (MPFORGE_WAIT_FOREVER: until mpforge_hook_wake): waiting for console
// input, in time.sleep_ms, machine.idle(). Yield to the product's scheduler
// here (block on a semaphore with that timeout, or just yield); returning
// early is always allowed, the interpreter checks and waits again. Optional:
// the default executes WFI (sleep until any interrupt).
void mpforge_hook_wait(uint32_t timeout_ms);

// Called when there is something for the interpreter to do: a byte from
// mpforge_rx_byte, a callback scheduled by an interrupt. Make a blocked
// mpforge_hook_wait return (give the semaphore it waits on). Called from
// interrupts and with interrupts masked. Optional: the default does nothing.
void mpforge_hook_wake(void);

#endif // MPFORGE_EMBED_H
