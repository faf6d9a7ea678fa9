// The interpreter's life cycle: set up once, then run the REPL and start
// over on every soft reset (Ctrl-D, machine.soft_reset(), sys.exit()).
#include "py_main.h"

#include "py/gc.h"
#include "py/mphal.h"
#include "py/runtime.h"
#include "py/cstack.h"
#include "shared/runtime/pyexec.h"

#include "cortex_m.h"
#include "genhdr/board_config.h"
#include "fs.h"
#include "systick.h"
#include "uart.h"
#include "uart_core.h"
#include "machine/periph.h"

#if BOARD_STACK_SIZE <= 2 * MICROPY_STACK_CHECK_MARGIN
#error "BOARD_STACK_SIZE is too small: it must exceed twice MICROPY_STACK_CHECK_MARGIN"
#endif

static uint32_t gc_heap[BOARD_HEAP_SIZE / sizeof(uint32_t)];

// Runs the REPL the user was in (friendly or raw) until one asks for a soft
// reset. Raw mode survives a soft reset, as mpremote and pyboard.py expect.
static void run_repl(void) {
    for (;;) {
        int ret;
        if (pyexec_mode_kind == PYEXEC_MODE_RAW_REPL) {
            ret = pyexec_raw_repl();
        } else {
            ret = pyexec_friendly_repl();
        }
        if (ret != 0) {
            return;
        }
    }
}

void py_main(void) {
    systick_init();
    console_rx_init();
    console_uart_init();
    // Reset_Handler leaves interrupts masked (cm_interrupts_reset); from here
    // on the tick and the console's receive interrupt run.
    cm_irq_enable();

    for (;;) {
        // py_main runs near the top of the stack (called from Reset_Handler),
        // so the whole stack counts; MICROPY_STACK_CHECK_MARGIN covers the rest.
        mp_cstack_init_with_sp_here(BOARD_STACK_SIZE);
        gc_init(gc_heap, (uint8_t *)gc_heap + sizeof(gc_heap));
        mp_init();
        fs_mount();

        // boot.py or main.py may end in a soft reset (sys.exit()).
        if (fs_boot() == 0) {
            run_repl();
        }

        mp_printf(&mp_plat_print, "MPY: soft reboot\n");
        machine_periph_deinit(); // no timer or UART interrupt may reach into the old heap
        gc_sweep_all();
        mp_deinit();
    }
}
