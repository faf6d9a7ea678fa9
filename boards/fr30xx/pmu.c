/* The PMU serial bus (FRSPIM) and the PMU-watchdog chip reset. See pmu.h. */
#include "pmu.h"

#include "fr30xx_io.h"
#include "fr30xx_regs.h"

/* Half a second or more at the 24 MHz reset clock; the watchdog armed below
 * fires after a few milliseconds. */
#define PMU_RESET_WAIT_LOOPS (1u << 22)

/* One transfer, as driver_frspim.c frspim_rd()/frspim_wr() do it. They set
 * ctrl's len, sel, op and addr field by field (a read-modify-write each), then
 * go, and wait for done; here ctrl gets the same final value in one write, as
 * their frspim_rd_ram()/frspim_wr_ram() and system_fr30xx.c's
 * frspim_rd_front()/frspim_wr_front() write it (0x1011 | addr << 16 for a
 * one-byte read). Those four force ratio = 1; the ratio is kept here, as in
 * frspim_rd()/frspim_wr(): the HAL never calls frspim_init(), so it is what the
 * boot ROM left. The HAL waits without limit; this gives up after
 * PMU_BUS_POLLS. */
static bool transfer(uint32_t fields) {
    uint32_t ratio = fr30xx_read32(FR30XX_FRSPIM_CTRL_ADDR) & FR30XX_FRSPIM_CTRL_RATIO_MASK;
    fr30xx_write32(FR30XX_FRSPIM_CTRL_ADDR, ratio | fields | FR30XX_FRSPIM_CTRL_GO);
    for (uint32_t i = 0; i < PMU_BUS_POLLS; i++) {
        if (fr30xx_read32(FR30XX_FRSPIM_CTRL_ADDR) & FR30XX_FRSPIM_CTRL_DONE) {
            return true;
        }
    }
    return false;
}

static uint32_t fields(uint8_t reg, unsigned len) {
    return ((uint32_t)reg << FR30XX_FRSPIM_CTRL_ADDR_SHIFT) |
           ((uint32_t)len << FR30XX_FRSPIM_CTRL_LEN_SHIFT) |
           (FR30XX_FRSPIM_CHAN_PMU << FR30XX_FRSPIM_CTRL_SEL_SHIFT);
}

static uint32_t low_bytes(uint32_t value, unsigned len) {
    return len >= 4 ? value : value & ((1u << (8u * len)) - 1u);
}

bool pmu_read_n(uint8_t reg, unsigned len, uint32_t *value) {
    *value = 0;
    if (len < 1 || len > 4) {
        return false;
    }
    /* frspim_rd(): interrupts off (GLOBAL_INT_DISABLE) from the first ctrl
     * access until rdat is read. */
    uint32_t irq = fr30xx_irq_save();
    bool ok = transfer(fields(reg, len));
    if (ok) {
        *value = low_bytes(fr30xx_read32(FR30XX_FRSPIM_RDAT_ADDR), len);
    }
    fr30xx_irq_restore(irq);
    return ok;
}

bool pmu_write_n(uint8_t reg, unsigned len, uint32_t value) {
    if (len < 1 || len > 4) {
        return false;
    }
    /* frspim_wr(): wdat is written before go. */
    uint32_t irq = fr30xx_irq_save();
    fr30xx_write32(FR30XX_FRSPIM_WDAT_ADDR, low_bytes(value, len));
    bool ok = transfer(fields(reg, len) | FR30XX_FRSPIM_CTRL_OP_WRITE);
    fr30xx_irq_restore(irq);
    return ok;
}

bool pmu_modify(uint8_t reg, uint8_t mask, uint8_t value) {
    uint8_t old = 0;
    if (mask != 0xFFu && !pmu_read(reg, &old)) {
        return false;
    }
    return pmu_write(reg, (uint8_t)((old & ~mask) | (value & mask)));
}

void pmu_chip_reset(void) {
    /* system_fr30xx.c system_reset(): interrupts off, then iwdt_init() with
     * iwdt_Count = 300, iwdt_Timeout = 10, the watchdog interrupt disabled, and
     * iwdt_Enable() (driver_pmu_iwdt.c), then wait. */
    uint32_t irq = fr30xx_irq_save();
    uint32_t int_mask;
    bool ok =
        /* iwdt_init(): the watchdog's clock on (PMU_REG_CLK_EN |= PMU_WDT_CLK_EN_BIT) */
        pmu_modify(FR30XX_PMU_CLK_EN, FR30XX_PMU_CLK_EN_WDT, FR30XX_PMU_CLK_EN_WDT) &&
        /* iwdt_Set_Count(300): ool_write32(PMU_REG_WDT_LEN_0, ...) */
        pmu_write_n(FR30XX_PMU_WDT_LEN, 4, 300) &&
        /* iwdt_Set_Timeout(10): ool_write16(PMU_REG_WDT_TOUT_COUNTER_0, ...); 0 would never reset */
        pmu_write_n(FR30XX_PMU_WDT_TOUT_COUNTER, 2, 10) &&
        /* PMU_REG_WDT_CTRL = WDT_INT_DISABLE | PMU_WDT_RST_CHIP_BIT */
        pmu_write(FR30XX_PMU_WDT_CTRL, FR30XX_PMU_WDT_RST_CHIP) &&
        /* pmu_disable_isr(PMU_WDT_INT_MSK_BIT): a 16-bit read-modify-write of PMU_REG_INT_MASK */
        pmu_read_n(FR30XX_PMU_INT_MASK, 2, &int_mask) &&
        pmu_write_n(FR30XX_PMU_INT_MASK, 2, int_mask & ~FR30XX_PMU_INT_WDT) &&
        /* iwdt_Enable(): PMU_REG_WDT_CTRL |= PMU_WDT_EN_BIT */
        pmu_modify(FR30XX_PMU_WDT_CTRL, FR30XX_PMU_WDT_EN, FR30XX_PMU_WDT_EN);
    if (ok) {
        for (volatile uint32_t i = 0; i < PMU_RESET_WAIT_LOOPS; i++) {
        }
    }
    fr30xx_irq_restore(irq);
}
