// The embedding API (mpforge_embed.h) over the shared port: the console FIFO
// and Ctrl-C handling stay in uart_core.c, which calls console_uart_tx for
// output and mpforge_hook_wait while idle (MPFORGE_EMBED). What the
// firmware's py_main.c and systick.c do with the board's own SysTick and
// static heap is done here with the product's clock hook and memory.
#include <string.h>

#include "py/cstack.h"
#include "py/gc.h"
#include "py/mphal.h"
#include "py/runtime.h"
#include "shared/runtime/pyexec.h"

#include "cortex_m.h"
#include "mpforge_embed.h"
#include "uart.h"
#include "uart_core.h"

#if !MPFORGE_EMBED
#error "mpforge_embed.c belongs to the embedded build: genhdr/mpconfigboard.h must set MPFORGE_EMBED"
#endif

static mpforge_output_fn output;
static bool rx_ready;

void mpforge_set_output(mpforge_output_fn write) {
    output = write;
}

// The board contract's output half (uart.h), used by uart_core.c and fatal.c.
void console_uart_tx(const uint8_t *buf, size_t len) {
    if (output != NULL) {
        output((const char *)buf, len);
    }
}

int mpforge_start(const mpforge_config_t *cfg) {
    if (cfg == NULL || cfg->heap == NULL || cfg->heap_size < 1024 || cfg->stack_size <= 2 * MICROPY_STACK_CHECK_MARGIN) {
        return -1;
    }
    if (!rx_ready) {
        console_rx_init();
        rx_ready = true;
    }
    if (cfg->stack_top != NULL) {
        mp_cstack_init_with_top(cfg->stack_top, cfg->stack_size);
    } else {
        mp_cstack_init_with_sp_here(cfg->stack_size);
    }
    gc_init(cfg->heap, (uint8_t *)cfg->heap + cfg->heap_size);
    mp_init();
    return 0;
}

int mpforge_exec(const char *source) {
    // A vstr over the caller's string: the lexer only reads it.
    size_t len = strlen(source);
    vstr_t code;
    vstr_init_fixed_buf(&code, len + 1, (char *)source);
    code.len = len;
    int ret = pyexec_vstr(&code, true);
    if (ret & PYEXEC_FORCED_EXIT) {
        return MPFORGE_SOFT_RESET;
    }
    return ret == 1 ? MPFORGE_OK : MPFORGE_ERROR;
}

int mpforge_repl(void) {
    // Raw mode survives a soft reset, as mpremote and pyboard.py expect.
    for (;;) {
        int ret = pyexec_mode_kind == PYEXEC_MODE_RAW_REPL ? pyexec_raw_repl() : pyexec_friendly_repl();
        if (ret != 0) {
            return MPFORGE_SOFT_RESET;
        }
    }
}

void mpforge_stop(void) {
    gc_sweep_all();
    mp_deinit();
}

void mpforge_main(const mpforge_config_t *cfg) {
    mpforge_config_t c = *cfg;
    for (;;) {
        if (mpforge_start(&c) != 0) {
            mp_hal_stdout_tx_str("mpforge_main: heap or stack too small\r\n");
            for (;;) {
                mpforge_hook_wait(MPFORGE_WAIT_FOREVER);
            }
        }
        // Every restart measures the stack from the first start's top.
        c.stack_top = MP_STATE_THREAD(stack_top);
        mpforge_repl();
        mp_hal_stdout_tx_str("MPY: soft reboot\r\n");
        mpforge_stop();
    }
}

void mpforge_rx_byte(uint8_t c) {
    console_rx_push(c);
    mpforge_hook_wake();
}

uint32_t mpforge_rx_dropped(void) {
    return console_rx_dropped();
}

void mpforge_interrupt(void) {
    mp_sched_keyboard_interrupt();
    mpforge_hook_wake();
}

__attribute__((weak)) void mpforge_hook_wait(uint32_t timeout_ms) {
    (void)timeout_ms;
    cm_wfi();
}

__attribute__((weak)) void mpforge_hook_wake(void) {
}

// Time, from the product's clock (the firmware's systick.c reads SysTick).

mp_uint_t mp_hal_ticks_ms(void) {
    return (mp_uint_t)(mpforge_hook_ticks_us() / 1000u);
}

mp_uint_t mp_hal_ticks_us(void) {
    return (mp_uint_t)mpforge_hook_ticks_us();
}

// The product's CPU clock is its own business: cycles are counted in microseconds.
mp_uint_t mp_hal_ticks_cpu(void) {
    return (mp_uint_t)mpforge_hook_ticks_us();
}

// The wall clock is the uptime from MicroPython's epoch (modtime.inc).
uint64_t mp_hal_time_ns(void) {
    return mpforge_hook_ticks_us() * 1000u;
}

void mp_hal_delay_ms(mp_uint_t ms) {
    // At least the time asked for; pending events (Ctrl-C, scheduled
    // callbacks) run while waiting, and each wait yields to the product.
    uint64_t end = mpforge_hook_ticks_us() + (uint64_t)ms * 1000u;
    uint64_t now_us;
    while ((now_us = mpforge_hook_ticks_us()) < end) {
        mp_event_wait_ms((mp_uint_t)((end - now_us + 999u) / 1000u));
    }
}

void mp_hal_delay_us(mp_uint_t us) {
    uint64_t end = mpforge_hook_ticks_us() + us;
    while (mpforge_hook_ticks_us() < end) {
    }
}
