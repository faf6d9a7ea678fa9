/*
 * The FR30xx PMU: its serial bus (pmu.c) and the power set-up every vendor
 * start-up runs (pmu_setup.c). Register names and sources: fr30xx_regs.h.
 *
 * The PMU (regulators, oscillators, the always-on RTC and watchdog, the PMU
 * pins) has 8-bit registers at addresses 0x00..0xFF that the CPU reaches only
 * through the FRSPIM serial controller; every transfer here is bounded, so a
 * dead bus gives an error instead of a hang.
 */
#ifndef FR30XX_PMU_H
#define FR30XX_PMU_H

#include <stdbool.h>
#include <stdint.h>

/* Polls of the controller's done flag before a transfer counts as timed out.
 * A transfer is a few dozen bus clocks (microseconds); this is milliseconds. */
#define PMU_BUS_POLLS 100000u

/* Reads len (1..4) consecutive PMU registers from reg in one transfer, the
 * first into bits 0..7 of *value. False (and *value = 0) when len is out of
 * range or the transfer timed out. Safe from interrupts: each transfer runs
 * with interrupts masked, as the HAL's do. */
bool pmu_read_n(uint8_t reg, unsigned len, uint32_t *value);

/* Writes the len (1..4) low bytes of value to consecutive PMU registers from
 * reg, bits 0..7 to reg. False when len is out of range or it timed out. */
bool pmu_write_n(uint8_t reg, unsigned len, uint32_t value);

static inline bool pmu_read(uint8_t reg, uint8_t *value) {
    uint32_t v;
    bool ok = pmu_read_n(reg, 1, &v);
    *value = (uint8_t)v;
    return ok;
}

static inline bool pmu_write(uint8_t reg, uint8_t value) {
    return pmu_write_n(reg, 1, value);
}

/* Sets the bits of reg selected by mask to those of value: one read and one
 * write, or only the write when mask is 0xFF. The read-modify-write is not
 * atomic against an interrupt handler that writes the same register. */
bool pmu_modify(uint8_t reg, uint8_t mask, uint8_t value);

/* Resets the whole chip through the PMU watchdog, the vendor's reset
 * (system_fr30xx.c system_reset()): the boot ROM runs again as after power-on.
 * Returns only when that failed (a PMU bus time-out, or no reset within about
 * half a second), with interrupts as they were; the caller then falls back. */
void pmu_chip_reset(void);

/* What pmu_setup() did. */
typedef struct {
    bool bus_ok;        /* false: a PMU transfer timed out and the set-up stopped there */
    uint8_t failed_reg; /* the PMU register of that transfer */
    bool efuse_ok;      /* false: an eFuse read timed out; the chip was set up as untrimmed */
    bool trimmed;       /* the eFuse holds chip-probing trims (non-zero wafer ID) */
} pmu_setup_status_t;

/* The PMU part of every vendor start-up, in its order: the chip-probing
 * trims from the eFuse (trim_fr30xx.c trim_cp_config()), then
 * driver_pmu.c pmu_init(). Run once, before the clocks are switched. */
pmu_setup_status_t pmu_setup(void);

#endif /* FR30XX_PMU_H */
