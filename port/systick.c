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

void systick_init(void) {
    CM_SYST_CSR = 0;
    CM_SYST_RVR = CYCLES_PER_MS - 1u;
    CM_SYST_CVR = 0;
    CM_SYST_CSR = CM_SYST_CSR_CLKSOURCE_CPU | CM_SYST_CSR_TICKINT | CM_SYST_CSR_ENABLE;
}

void SysTick_Handler(void) {
    ticks_ms = ticks_ms + 1u;
}

mp_uint_t mp_hal_ticks_ms(void) {
    return ticks_ms;
}

// Reads the millisecond count and the cycles elapsed within it as one
// consistent pair: retried when the tick interrupt lands in between.
static void now(uint32_t *ms, uint32_t *cycles_in_ms) {
    uint32_t before, down;
    do {
        before = ticks_ms;
        down = CM_SYST_CVR;
    } while (before != ticks_ms);
    *ms = before;
    *cycles_in_ms = (CYCLES_PER_MS - 1u) - down;
}

mp_uint_t mp_hal_ticks_us(void) {
    uint32_t ms, cycles;
    now(&ms, &cycles);
    #if BOARD_CPU_HZ % 1000000u == 0
    // Whole MHz: a 32-bit division is enough.
    return ms * 1000u + cycles / (BOARD_CPU_HZ / 1000000u);
    #else
    return ms * 1000u + (uint32_t)(((uint64_t)cycles * 1000u) / CYCLES_PER_MS);
    #endif
}

mp_uint_t mp_hal_ticks_cpu(void) {
    uint32_t ms, cycles;
    now(&ms, &cycles);
    return ms * CYCLES_PER_MS + cycles;
}

void mp_hal_delay_ms(mp_uint_t ms) {
    uint32_t start = ticks_ms;
    // Pending events (Ctrl-C, scheduled callbacks) run while waiting; each
    // wait ends at the latest on the next tick.
    while (ticks_ms - start < ms) {
        mp_event_wait_ms(ms - (ticks_ms - start));
    }
}

void mp_hal_delay_us(mp_uint_t us) {
    uint32_t start = mp_hal_ticks_us();
    while (mp_hal_ticks_us() - start < us) {
    }
}
