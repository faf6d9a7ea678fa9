// Time keeping for mp_hal_*: a millisecond counter driven by SysTick, refined
// to microseconds and CPU cycles from SysTick's current value.
#include "systick.h"

#include "py/mphal.h"
#include "py/runtime.h"

#include "cortex_m.h"
#include "genhdr/board_config.h"

#define CYCLES_PER_MS (BOARD_CPU_HZ / 1000u)

#if CYCLES_PER_MS < 1u || CYCLES_PER_MS > 0x1000000u
#error "BOARD_CPU_HZ must give 1..16777216 SysTick cycles per millisecond"
#endif

static volatile uint32_t ticks_ms;
static volatile uint32_t ticks_ms_wraps; // high word of the millisecond count

void systick_init(void) {
    CM_SYST_CSR = 0;
    CM_SYST_RVR = CYCLES_PER_MS - 1u;
    CM_SYST_CVR = 0;
    CM_SYST_CSR = CM_SYST_CSR_CLKSOURCE_CPU | CM_SYST_CSR_TICKINT | CM_SYST_CSR_ENABLE;
}

// machine.Timer's soft timers (port/machine/timer.c) run on these ticks,
// the same clock as sleep_ms; without them nothing is called.
__attribute__((weak)) void machine_soft_timer_tick(uint32_t ms) {
    (void)ms;
}

void SysTick_Handler(void) {
    uint32_t ms = ticks_ms + 1u;
    ticks_ms = ms;
    if (ms == 0) {
        ticks_ms_wraps = ticks_ms_wraps + 1u;
    }
    machine_soft_timer_tick(ms);
}

mp_uint_t mp_hal_ticks_ms(void) {
    return ticks_ms;
}

// Reads the millisecond count (64 bits) and the cycles elapsed within the
// current millisecond as one consistent set: retried when the tick interrupt
// lands in between, and corrected when SysTick has reloaded but its interrupt
// is still pending (just now, or because interrupts are masked), so time never
// runs backwards by a tick. Interrupts masked for over 1 ms still lose ticks.
static uint64_t now(uint32_t *cycles_in_ms) {
    uint32_t hi, lo, down, extra;
    do {
        hi = ticks_ms_wraps;
        lo = ticks_ms;
        down = CM_SYST_CVR;
        extra = 0;
        if (CM_SCB_ICSR & CM_SCB_ICSR_PENDSTSET) {
            // Reloaded: read again, certainly after the reload.
            down = CM_SYST_CVR;
            extra = 1;
        }
    } while (lo != ticks_ms || hi != ticks_ms_wraps);
    *cycles_in_ms = (CYCLES_PER_MS - 1u) - down;
    return (((uint64_t)hi << 32) | lo) + extra;
}

// The microseconds in a part of a millisecond given in SysTick cycles.
static inline uint32_t cycles_to_us(uint32_t cycles) {
    #if BOARD_CPU_HZ % 1000000u == 0
    // Whole MHz: a 32-bit division is enough.
    return cycles / (BOARD_CPU_HZ / 1000000u);
    #else
    return (uint32_t)(((uint64_t)cycles * 1000u) / CYCLES_PER_MS);
    #endif
}

mp_uint_t mp_hal_ticks_us(void) {
    uint32_t cycles;
    uint32_t ms = (uint32_t)now(&cycles);
    return ms * 1000u + cycles_to_us(cycles);
}

uint64_t systick_uptime_us(void) {
    uint32_t cycles;
    uint64_t ms = now(&cycles);
    return ms * 1000u + cycles_to_us(cycles);
}

// The wall clock: there is no RTC, so it is the uptime counted from
// MicroPython's epoch (modtime.inc).
uint64_t mp_hal_time_ns(void) {
    return systick_uptime_us() * 1000u;
}

mp_uint_t mp_hal_ticks_cpu(void) {
    uint32_t cycles;
    uint32_t ms = (uint32_t)now(&cycles);
    return ms * CYCLES_PER_MS + cycles;
}

void mp_hal_delay_ms(mp_uint_t ms) {
    // Measured in microseconds: counting whole ticks would return up to 1 ms
    // early when the call lands late in a tick, and sleep_ms promises at
    // least the time asked for.
    uint64_t end = systick_uptime_us() + (uint64_t)ms * 1000u;
    uint64_t now_us;
    // Pending events (Ctrl-C, scheduled callbacks) run while waiting; each
    // wait ends at the latest on the next tick.
    while ((now_us = systick_uptime_us()) < end) {
        mp_event_wait_ms((mp_uint_t)((end - now_us + 999u) / 1000u));
    }
}

void mp_hal_delay_us(mp_uint_t us) {
    uint32_t start = mp_hal_ticks_us();
    while (mp_hal_ticks_us() - start < us) {
    }
}
