/* The FR30xx RTC: a 32-bit counter in the PMU on the low-power RC clock, reached
 * through the PMU bus (pmu.h). Registers: HAL peripheral/Inc/driver_pmu.h
 * (PMU_REG_CLK_EN, PMU_REG_RTC_CTRL, PMU_REG_RTC_COUNTER_0..3); sequences from
 * peripheral/Src/driver_pmu_rtc.c. See fr30xx_periph.h. */
#include "fr30xx_periph.h"

#include "fr30xx_regs.h"
#include "pmu.h"

/* rtc_CountEnable(): PMU_REG_CLK_EN |= PMU_RTC_CLK_EN_BIT. */
bool fr30xx_rtc_start(void) {
    return pmu_modify(FR30XX_PMU_CLK_EN, FR30XX_PMU_CLK_EN_RTC, FR30XX_PMU_CLK_EN_RTC);
}

/* rtc_GetCount(): RTC_CTRL |= PMU_RTC_SAMPLE_BIT, wait while it reads set (the HAL
 * waits without limit), then ool_read32(PMU_REG_RTC_COUNTER_0): one 4-byte read. */
bool fr30xx_rtc_read(uint32_t *count, uint32_t polls) {
    *count = 0;
    if (!pmu_modify(FR30XX_PMU_RTC_CTRL, FR30XX_PMU_RTC_SAMPLE, FR30XX_PMU_RTC_SAMPLE)) {
        return false;
    }
    for (uint32_t i = 0;; i++) {
        uint8_t ctrl;
        if (!pmu_read(FR30XX_PMU_RTC_CTRL, &ctrl)) {
            return false;
        }
        if (!(ctrl & FR30XX_PMU_RTC_SAMPLE)) {
            break;
        }
        if (i >= polls) {
            return false;
        }
    }
    return pmu_read_n(FR30XX_PMU_RTC_COUNTER, 4, count);
}

/* rtc_CountUpdate(): ool_write32(PMU_REG_RTC_COUNTER_0, value), then
 * RTC_CTRL |= PMU_RTC_UPD_EN_BIT. */
bool fr30xx_rtc_load(uint32_t count) {
    return pmu_write_n(FR30XX_PMU_RTC_COUNTER, 4, count) &&
           pmu_modify(FR30XX_PMU_RTC_CTRL, FR30XX_PMU_RTC_UPD_EN, FR30XX_PMU_RTC_UPD_EN);
}
