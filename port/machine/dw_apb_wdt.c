// machine.WDT back-end for the FR30xx watchdog (DesignWare WDT, reset mode); the
// register work and the PMU unlock it needs are boards/fr30xx/dw_wdt.c.
#include "py/runtime.h"
#include "py/mperrno.h"
#include "periph.h"

#if MPFORGE_WDT_DRIVER_DW_APB_WDT

#include "fr30xx_periph.h"

void periph_wdt_start(const periph_instance_t *in, uint32_t ticks) {
    if (!dw_wdt_start(in->base, ticks)) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("WDT: the PMU bus timed out; the watchdog was not started"));
    }
}

void periph_wdt_feed(const periph_instance_t *in) {
    dw_wdt_feed(in->base);
}

#endif
