/*
 * Register access and interrupt masking for the FR30xx drivers that the host
 * tests run against a register model (pmu.c, pmu_setup.c): built with
 * -DFR30XX_HOST_TEST, every access goes to functions the test supplies, which
 * decode the address; otherwise they are plain volatile accesses.
 */
#ifndef FR30XX_IO_H
#define FR30XX_IO_H

#include <stdint.h>

#ifdef FR30XX_HOST_TEST
uint32_t fr30xx_read32(uint32_t addr);
void fr30xx_write32(uint32_t addr, uint32_t value);
uint32_t fr30xx_irq_save(void);
void fr30xx_irq_restore(uint32_t state);
#else
#include "cortex_m.h"

static inline uint32_t fr30xx_read32(uint32_t addr) {
    return *(volatile uint32_t *)(uintptr_t)addr;
}

static inline void fr30xx_write32(uint32_t addr, uint32_t value) {
    *(volatile uint32_t *)(uintptr_t)addr = value;
}

static inline uint32_t fr30xx_irq_save(void) {
    return cm_irq_disable();
}

static inline void fr30xx_irq_restore(uint32_t state) {
    cm_irq_restore(state);
}
#endif

/* Clears then sets bits of a shared register (SYSTEM clock gates, pad control) with
 * interrupts masked, so two drivers changing neighbouring bits cannot lose a write. */
static inline void fr30xx_modify32(uint32_t addr, uint32_t clear, uint32_t set) {
    uint32_t state = fr30xx_irq_save();
    fr30xx_write32(addr, (fr30xx_read32(addr) & ~clear) | set);
    fr30xx_irq_restore(state);
}

#endif /* FR30XX_IO_H */
