/* DesignWare watchdog (FR30xx WDT at 0xE0070000, fr30xx.h WDT_BASE). Registers: HAL
 * peripheral/Inc/driver_wdt.h struct_WDT_t (wdt_CR 0x00: WDT_EN 0, RMOD 1, RPL 2..4;
 * wdt_CRR 0x0C; wdt_CNT 0x20); sequence: peripheral/Src/driver_wdt.c. The PMU writes
 * go through pmu.h. See fr30xx_periph.h. */
#include "fr30xx_periph.h"

#include "fr30xx_io.h"
#include "fr30xx_regs.h"
#include "pmu.h"

#define WDT_CR 0x00u
#define WDT_CRR 0x0Cu
#define WDT_CNT 0x20u
#define CR_WDT_EN (1u << 0)
#define CRR_KICK 0x76u /* wdt_init()/wdt_feed(): wdt_CRR = 0x76 */

/* wdt_init(WDT_MODE_0, count) then wdt_start(): PMU_REG_ACC_KEY <- 0xDE (unlock),
 * PMU_REG_BLOCK_CTRL &= 0xFD (clears bit 1; the HAL does not name it), ACC_KEY <- 0
 * (lock); wdt_CR.RPL = 0, RMOD = 0 (WDT_MODE_0: "timeout reset system"), wdt_CNT =
 * count, wdt_CRR = 0x76; then wdt_CR.WDT_EN = 1. Also gates the WDT clock on
 * (ClockEnable3 WDT_CLKEN), which the HAL leaves to the caller. */
bool dw_wdt_start(uint32_t base, uint32_t count) {
    if (!pmu_write(FR30XX_PMU_ACC_KEY, FR30XX_PMU_ACC_KEY_UNLOCK)) {
        return false;
    }
    bool ok = pmu_modify(FR30XX_PMU_BLOCK_CTRL, FR30XX_PMU_BLOCK_CTRL_WDT_BIT, 0);
    ok = pmu_write(FR30XX_PMU_ACC_KEY, 0) && ok;
    if (!ok) {
        return false;
    }
    fr30xx_modify32(FR30XX_SYS_CLOCK_EN_ADDR(3), 0, FR30XX_CLOCK_EN3_WDT);
    fr30xx_write32(base + WDT_CR, 0);
    fr30xx_write32(base + WDT_CNT, count);
    fr30xx_write32(base + WDT_CRR, CRR_KICK);
    fr30xx_write32(base + WDT_CR, CR_WDT_EN);
    return true;
}

/* wdt_feed(). */
void dw_wdt_feed(uint32_t base) {
    fr30xx_write32(base + WDT_CRR, CRR_KICK);
}
