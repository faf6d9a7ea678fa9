// machine.Timer back-end for the Arm CMSDK APB timer (CMSDK TRM; QEMU
// hw/timer/cmsdk-apb-timer.c): a 32-bit down-counter at the APB clock that
// reloads from RELOAD and interrupts at zero.
#include "py/runtime.h"
#include "periph.h"

#if MPFORGE_TIMER_DRIVER_CMSDK_TIMER

typedef struct {
    volatile uint32_t ctrl;      // 0x00: INTEN[3] EXTCLK[2] EXTEN[1] EN[0]
    volatile uint32_t value;     // 0x04
    volatile uint32_t reload;    // 0x08
    volatile uint32_t intstatus; // 0x0C: read status, write 1 to clear
} cmsdk_timer_t;

#define CTRL_EN (1u << 0)
#define CTRL_INTEN (1u << 3)

#define TIMER(in) ((cmsdk_timer_t *)(in)->base)

static const periph_instance_t cmsdk_timers[] = {
    #define X(id, base, irq) { id, base, irq },
    MPFORGE_TIMER_TABLE(X)
    #undef X
};

static void cmsdk_timer_irq(void) {
    int irq = periph_active_irq();
    for (unsigned unit = 0; unit < MPFORGE_TIMER_COUNT; ++unit) {
        cmsdk_timer_t *t = TIMER(&cmsdk_timers[unit]);
        if (cmsdk_timers[unit].irq == irq && (t->intstatus & 1)) {
            t->intstatus = 1;
            machine_timer_fired(unit);
        }
    }
}

void periph_timer_start(unsigned unit, const periph_instance_t *in, uint32_t ticks) {
    (void)unit;
    cmsdk_timer_t *t = TIMER(in);
    t->ctrl = 0;
    t->intstatus = 1;
    // The counter runs RELOAD..0, so a period of n clocks reloads with n - 1.
    t->reload = ticks - 1;
    t->value = ticks - 1;
    periph_irq_set(in->irq, cmsdk_timer_irq, 0xC0);
    t->ctrl = CTRL_EN | CTRL_INTEN;
}

void periph_timer_stop(unsigned unit, const periph_instance_t *in) {
    (void)unit;
    cmsdk_timer_t *t = TIMER(in);
    t->ctrl = 0;
    t->intstatus = 1;
}

#endif
