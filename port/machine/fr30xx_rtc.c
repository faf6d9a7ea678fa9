// machine.RTC back-end for the FR30xx RTC counter in the PMU
// (boards/fr30xx/fr30xx_rtc.c, over the PMU bus).
#include "py/runtime.h"
#include "periph.h"

#if MPFORGE_RTC_DRIVER_FR30XX_PMU_RTC

#include "fr30xx_periph.h"

#define RTC_SAMPLE_POLLS (1000u) // PMU reads of RTC_CTRL; a sample takes a few LP clocks

static bool started;

bool periph_rtc_count(const periph_instance_t *in, uint32_t *count) {
    (void)in;
    if (!started) {
        started = fr30xx_rtc_start();
    }
    return started && fr30xx_rtc_read(count, RTC_SAMPLE_POLLS);
}

bool periph_rtc_set_count(const periph_instance_t *in, uint32_t count) {
    (void)in;
    if (!started) {
        started = fr30xx_rtc_start();
    }
    return started && fr30xx_rtc_load(count);
}

#endif
