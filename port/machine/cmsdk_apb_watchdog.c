// machine.WDT back-end for the Arm CMSDK APB watchdog (CMSDK TRM; QEMU
// hw/watchdog/cmsdk-apb-watchdog.c): a down-counter from LOAD that raises
// its interrupt at the first zero and, with RESEN, resets the chip at the
// second zero if the interrupt was not cleared. So the counter is loaded
// with half the timeout, and a feed (INTCLR) clears and reloads it. On the
// MPS2 images the interrupt is the NMI: the handler here returns and leaves
// the interrupt pending, so the reset still comes.
#include "py/runtime.h"
#include "periph.h"

#if MPFORGE_WDT_DRIVER_CMSDK_WATCHDOG

typedef struct {
    volatile uint32_t load;    // 0x00
    volatile uint32_t value;   // 0x04
    volatile uint32_t control; // 0x08: RESEN[1] INTEN[0]
    volatile uint32_t intclr;  // 0x0C: any write clears the interrupt and reloads
    volatile uint32_t ris;     // 0x10
    volatile uint32_t mis;     // 0x14
} cmsdk_wdog_t;

#define WDOG_LOCK(base) (*(volatile uint32_t *)((base) + 0xC00))
#define WDOG_UNLOCK_KEY (0x1ACCE551u)
#define CONTROL_INTEN (1u << 0)
#define CONTROL_RESEN (1u << 1)

#define WDOG(in) ((cmsdk_wdog_t *)(in)->base)

// The first zero: nothing to do, the second one resets.
static void cmsdk_wdog_nmi(void) {
}

void periph_wdt_start(const periph_instance_t *in, uint32_t ticks) {
    cmsdk_wdog_t *w = WDOG(in);
    if (in->irq != MPFORGE_NO_IRQ) {
        periph_irq_set(in->irq, cmsdk_wdog_nmi, 0x00);
    }
    WDOG_LOCK(in->base) = WDOG_UNLOCK_KEY;
    w->load = ticks / 2 ? ticks / 2 : 1;
    w->intclr = 1;
    w->control = CONTROL_INTEN | CONTROL_RESEN;
    WDOG_LOCK(in->base) = 0; // locked again against stray writes
}

void periph_wdt_feed(const periph_instance_t *in) {
    WDOG_LOCK(in->base) = WDOG_UNLOCK_KEY;
    WDOG(in)->intclr = 1;
    WDOG_LOCK(in->base) = 0;
}

#endif
