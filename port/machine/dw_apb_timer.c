// machine.Timer back-end for the FR30xx TIMER0..5 (DesignWare APB timers); the
// register work, clock gate and divider are boards/fr30xx/dw_timer.c.
#include "py/runtime.h"
#include "periph.h"

#if MPFORGE_TIMER_DRIVER_DW_APB_TIMER

#include "fr30xx_periph.h"

static const periph_instance_t dw_timers[] = {
    #define X(id, base, irq) { id, base, irq },
    MPFORGE_TIMER_TABLE(X)
    #undef X
};

static void dw_apb_timer_irq(void) {
    int irq = periph_active_irq();
    for (unsigned unit = 0; unit < MPFORGE_TIMER_COUNT; ++unit) {
        if (dw_timers[unit].irq == irq && dw_timer_irq(dw_timers[unit].base)) {
            machine_timer_fired(unit);
        }
    }
}

void periph_timer_start(unsigned unit, const periph_instance_t *in, uint32_t ticks) {
    (void)unit;
    if (ticks < 2) {
        mp_raise_ValueError(MP_ERROR_TEXT("period out of range: this timer counts 2 or more ticks"));
    }
    dw_timer_start(in->base, ticks);
    periph_irq_set(in->irq, dw_apb_timer_irq, 0xC0);
}

void periph_timer_stop(unsigned unit, const periph_instance_t *in) {
    (void)unit;
    dw_timer_stop(in->base);
}

#endif
