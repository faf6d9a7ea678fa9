/*
 * The PMU set-up of every vendor start-up, without the vendor SDK. The HAL's
 * gcc/startup_fr30xx.S calls main_entry_point() (system_fr30xx.c) before main:
 * flash_preinit(), trim_cp_config(), trim_ft_config(); the vendor's mains then
 * call pmu_init() first (its MicroPython port's FR3068E-C_EVB1.0/freqchip_main.c,
 * this board's sdk/sdk_board.c). Here: trim_cp_config(), then pmu_init(), each
 * in the HAL's order. flash_preinit() is QSPI flash set-up, outside the PMU;
 * trim_ft_config() reads the final-test trims from the flash's OTP area through
 * the QSPI controller (they rewrite PMU_REG_SBG_CFG and give the ADC its
 * calibration), so it is not done here.
 */
#include "pmu.h"

#include <stddef.h>

#include "fr30xx_io.h"
#include "fr30xx_regs.h"

/* Polls of an eFuse done flag before the read counts as timed out. */
#define EFUSE_POLLS 100000u

/* ---- eFuse --------------------------------------------------------------------- */

typedef struct {
    uint32_t siso[3];
    uint8_t pipo0;
    bool ok;
} efuse_t;

static bool wait_set(uint32_t addr, uint32_t bit) {
    for (uint32_t i = 0; i < EFUSE_POLLS; i++) {
        if (fr30xx_read32(addr) & bit) {
            return true;
        }
    }
    return false;
}

static void clock_en9(uint32_t bits, bool on) {
    uint32_t v = fr30xx_read32(FR30XX_SYS_CLOCK_EN9_ADDR);
    fr30xx_write32(FR30XX_SYS_CLOCK_EN9_ADDR, on ? v | bits : v & ~bits);
}

/* trim_fr30xx.c triming_byte_alignment_conversion(): the eFuse clocks on
 * (__SYSTEM_EFUSE0_CLK_ENABLE, __SYSTEM_EFUSE1_CLK_ENABLE, here one write),
 * eFuse_siso_read(), eFuse_pipo_read(EFUSE_PIPO0, 0x00), clocks off. A read
 * that times out gives zeros, which the trim treats as an untrimmed chip. */
static efuse_t efuse_read(void) {
    efuse_t e = {{0, 0, 0}, 0, true};
    clock_en9(FR30XX_CLOCK_EN9_EFUSE0 | FR30XX_CLOCK_EN9_EFUSE1, true);

    /* driver_efuse.c eFuse_siso_read(): timing, read mode, wait for done,
     * acknowledge done (Ctrl |= CHECK_DONE), then Data0..2. */
    fr30xx_write32(FR30XX_EFUSE_SISO_TIMING_ADDR, FR30XX_EFUSE_SISO_TIMING);
    fr30xx_write32(FR30XX_EFUSE_SISO_CTRL_ADDR, FR30XX_EFUSE_SISO_READ);
    if (wait_set(FR30XX_EFUSE_SISO_CTRL_ADDR, FR30XX_EFUSE_SISO_DONE)) {
        fr30xx_write32(FR30XX_EFUSE_SISO_CTRL_ADDR,
            fr30xx_read32(FR30XX_EFUSE_SISO_CTRL_ADDR) | FR30XX_EFUSE_SISO_DONE);
        for (unsigned n = 0; n < 3; n++) {
            e.siso[n] = fr30xx_read32(FR30XX_EFUSE_SISO_DATA_ADDR(n));
        }
    } else {
        e.ok = false;
    }

    /* driver_efuse.c eFuse_pipo_read(): address, go + read mode, wait for
     * done, the byte from RData, then read mode off (Ctrl &= ~READ_MODE). */
    fr30xx_write32(FR30XX_EFUSE_PIPO_ADDR_ADDR, 0x00);
    fr30xx_write32(FR30XX_EFUSE_PIPO_CTRL_ADDR, FR30XX_EFUSE_PIPO_GO | FR30XX_EFUSE_PIPO_READ);
    if (wait_set(FR30XX_EFUSE_PIPO_CTRL_ADDR, FR30XX_EFUSE_PIPO_DONE)) {
        e.pipo0 = (uint8_t)fr30xx_read32(FR30XX_EFUSE_PIPO_RDATA_ADDR);
    } else {
        e.ok = false;
    }
    fr30xx_write32(FR30XX_EFUSE_PIPO_CTRL_ADDR,
        fr30xx_read32(FR30XX_EFUSE_PIPO_CTRL_ADDR) & ~FR30XX_EFUSE_PIPO_READ);

    clock_en9(FR30XX_CLOCK_EN9_EFUSE0 | FR30XX_CLOCK_EN9_EFUSE1, false);
    return e;
}

/* ---- chip-probing trims ------------------------------------------------------------ */

/* The fields trim_cp_config() applies; layout in fr30xx_regs.h. */
typedef struct {
    uint8_t sbg, pkvdd, spkvdd;
    uint32_t wafer_id;
    uint8_t sbuck, ioldo1, ioldo2, chg_gt, chg_ter, chg_smp, iobuck;
} cp_trim_t;

static uint8_t bits(uint32_t word, unsigned lsb, unsigned width) {
    return (uint8_t)((word >> lsb) & ((1u << width) - 1u));
}

/* triming_byte_alignment_conversion(): each word is decoded only when it is
 * non-zero (a zero word leaves its fields 0). */
static cp_trim_t cp_trim_decode(const efuse_t *e) {
    cp_trim_t t = {0};
    uint32_t w0 = e->siso[0], w1 = e->siso[1], w2 = e->siso[2];
    if (w0 != 0) {
        t.sbg = bits(w0, 5, 5);
        t.pkvdd = bits(w0, 10, 4);
        t.spkvdd = bits(w0, 14, 4);
        t.wafer_id = ((w1 & 0xFFFFFu) << 4) | (w0 >> 28);
    }
    if (w1 != 0) {
        t.sbuck = bits(w1, 21, 3);
        t.ioldo1 = bits(w1, 24, 4);
        t.ioldo2 = bits(w1, 28, 4);
        t.chg_gt = bits(w2, 0, 3);
        t.chg_ter = bits(w2, 9, 3);
        t.chg_smp = bits(w2, 12, 3);
    }
    if (e->pipo0 != 0) {
        t.iobuck = bits(e->pipo0, 0, 4);
    }
    return t;
}

static int clamp(int v, int max) {
    return v < 0 ? 0 : v > max ? max : v;
}

/* trim_cp_config()'s target codes: PKVDD in 50 mV steps from 1.25 V (sleep) and
 * 1.05 V (wake-up), RAM PKVDD from 0.85 V (DEFAULT_VALUE_PKVDD = 1250 / 50,
 * PKVDD_CONFIG_DIFF = (1250 - 1050) / 50, DEFAULT_VALUE_PKVDDRAM = 850 / 50). */
#define PKVDD_DEFAULT 25
#define PKVDD_WAKEUP_DIFF 4
#define PKVDDRAM_DEFAULT 17

typedef struct {
    pmu_setup_status_t *st;
    bool ok;
} run_t;

/* Register-level steps that stop at the first time-out and record it. */
static uint8_t step_read(run_t *r, uint8_t reg) {
    uint8_t v = 0;
    if (r->ok && !pmu_read(reg, &v)) {
        r->ok = false;
        r->st->failed_reg = reg;
    }
    return v;
}

static void step_write(run_t *r, uint8_t reg, uint8_t value) {
    if (r->ok && !pmu_write(reg, value)) {
        r->ok = false;
        r->st->failed_reg = reg;
    }
}

/* reg's bits lsb..lsb+width-1 = their value + delta, limited to the field.
 * The HAL adds without a limit, so a sum outside the field spills into the
 * neighbouring bits (or, negative, sets all of them); within the field,
 * which is every eFuse code the HAL's offsets were made for, the result is
 * the same. */
static void step_adjust(run_t *r, uint8_t reg, unsigned lsb, unsigned width, int delta) {
    uint8_t v = step_read(r, reg);
    int max = (1 << width) - 1;
    int field = clamp(((v >> lsb) & max) + delta, max);
    step_write(r, reg, (uint8_t)((v & ~(max << lsb)) | (field << lsb)));
}

/* trim_fr30xx.c trim_cp_config(). Returns the CP trim version
 * (trim_cp_get_version(): 0 = CP_VERSION_B, also for an untrimmed chip). */
static uint8_t trim_cp_config(run_t *r, const cp_trim_t *t) {
    uint8_t version = 0;
    if (t->wafer_id != 0) {
        /* PMU_REG_SBG_CFG = (old & 0xE0) | SBG_CODE */
        uint8_t sbg = step_read(r, FR30XX_PMU_SBG_CFG);
        step_write(r, FR30XX_PMU_SBG_CFG, (uint8_t)((sbg & 0xE0u) | t->sbg));
        int pkvdd = PKVDD_DEFAULT - t->pkvdd;
        int pkvddram = clamp(PKVDDRAM_DEFAULT - t->spkvdd, 0xF);
        int wakeup = clamp(pkvdd > PKVDD_WAKEUP_DIFF ? pkvdd - PKVDD_WAKEUP_DIFF : 0, 0xF);
        /* PMU_REG_PKVDD_CTRL = (old & 0x0F) | wake-up code << 4 */
        uint8_t v = step_read(r, FR30XX_PMU_PKVDD_CTRL);
        step_write(r, FR30XX_PMU_PKVDD_CTRL, (uint8_t)((v & 0x0Fu) | (wakeup << 4)));
        /* PMU_REG_PKVDDH_CTRL_1 = (old & 0xF0) | RAM code */
        v = step_read(r, FR30XX_PMU_PKVDDH_CTRL_1);
        step_write(r, FR30XX_PMU_PKVDDH_CTRL_1, (uint8_t)((v & 0xF0u) | pkvddram));
        version = (uint8_t)((t->wafer_id >> 22) & 3u);
    } else {
        /* Untrimmed: PKVDD 1.05 V; PKVDDH 1.1 V and RAM PKVDD 0.85 V. */
        step_write(r, FR30XX_PMU_PKVDD_CTRL, 0xBA);
        step_write(r, FR30XX_PMU_PKVDDH_CTRL_1, 0x37);
    }
    if (t->sbuck != 0) {
        /* Each: field = field + (nominal code - eFuse code). */
        step_adjust(r, FR30XX_PMU_SYSBUCK_CTRL_0, 0, 3, 3 - t->sbuck);
        step_adjust(r, FR30XX_PMU_IOLDO1_CTRL_0, 0, 4, 2 - t->ioldo1);
        step_adjust(r, FR30XX_PMU_IOLDO2_CTRL_0, 0, 4, 4 - t->ioldo2);
        step_adjust(r, FR30XX_PMU_CHG_GT_CTL, 0, 3, 2 - t->chg_gt);
        step_adjust(r, FR30XX_PMU_IOBUCK_CTRL_0, 0, 4, 5 - t->iobuck);
        /* Charge end voltage, bits 4..6: 0 when 4 - CHG_TER <= -2, else
         * (old bits 0..2) + 4 - CHG_TER. The HAL takes the sum's base from
         * bits 0..2, not 4..6; kept as it is, since that is what runs on
         * silicon. Bits 7 and 0..3 are kept. */
        int ter = 4 - t->chg_ter;
        uint8_t v = step_read(r, FR30XX_PMU_CHG_CFG_CB);
        int end = ter <= -2 ? 0 : clamp((v & 0x07) + ter, 7);
        step_write(r, FR30XX_PMU_CHG_CFG_CB, (uint8_t)((v & 0x8Fu) | (end << 4)));
        /* Bits 0..2: 7 when 2 - CHG_SMP >= 1, else old + 2 - CHG_SMP. */
        int smp = 2 - t->chg_smp;
        v = step_read(r, FR30XX_PMU_CHG_SMP_CTL);
        int field = smp >= 1 ? 7 : clamp((v & 0x07) + smp, 7);
        step_write(r, FR30XX_PMU_CHG_SMP_CTL, (uint8_t)((v & 0xF8u) | field));
    }
    return version;
}

/* ---- pmu_init() ---------------------------------------------------------------------- */

typedef struct {
    uint8_t reg, mask, value; /* pmu_modify(reg, mask, value); mask 0xFF is a plain write */
} pmu_op_t;

#define SET(reg, b) {(reg), (b), (b)}
#define CLEAR(reg, b) {(reg), (b), 0}
#define WRITE(reg, v) {(reg), 0xFF, (v)}

/* driver_pmu.c pmu_init(), up to the RTC interrupt mask. The on/off counts are
 * its PMU_*_ON_CNT | PMU_*_OFF_CNT (off counts << 5), in its order (MEMPK,
 * 0x7A, before MEMPD, 0x79). */
static const pmu_op_t pmu_init_ops[] = {
    /* "setup sleep and wakeup counters": PMU_FSM_ON_DIV 3 | PMU_FSM_OFF_DIV 0 */
    WRITE(FR30XX_PMU_FSM_TIMER, 0x03),
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x00, 0x18 | 6 << 5), /* PMU */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x01, 0x01 | 5 << 5), /* BBG */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x02, 0x02 | 4 << 5), /* SYSBUCK */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x03, 0x02 | 1 << 5), /* IOBUCK */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x04, 0x02 | 1 << 5), /* IOLDO1 */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x05, 0x02 | 1 << 5), /* IOLDO2 */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x06, 0x06 | 3 << 5), /* APPDLDO */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x07, 0x06 | 3 << 5), /* DSPDLDO */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x08, 0x08 | 3 << 5), /* PKSTPD */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x0A, 0x0B | 1 << 5), /* MEMPK */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x09, 0x09 | 3 << 5), /* MEMPD */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x0B, 0x06 | 3 << 5), /* OSCLDO */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x0C, 0x08 | 1 << 5), /* OSC */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x0D, 0x08 | 3 << 5), /* RC24PD */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x0E, 0x0C | 1 << 5), /* RAMPK */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x0F, 0x17 | 1 << 5), /* PMUISO */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x10, 0x17 | 2 << 5), /* IOISO */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x11, 0x17 | 2 << 5), /* IORTON */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x12, 0x17 | 2 << 5), /* IOSNS */
    WRITE(FR30XX_PMU_PMU_ONOFF_CNT + 0x13, 0x18 | 1 << 5), /* RSTN */
    /* "splite PKVDDH and PKVDD" */
    WRITE(FR30XX_PMU_PKVDDH_CTRL_0, 0x60),
    WRITE(FR30XX_PMU_PKVDDH_CTRL_0, 0x70),
    /* "shut down OSC buffer", "PLL analog clock enable", AUPLL power-down and
     * the output buffer off */
    CLEAR(FR30XX_PMU_OSC_CTRL_1, FR30XX_PMU_OSC_OUT_BUF_EN),
    SET(FR30XX_PMU_OSC_CTRL_1, FR30XX_PMU_OSC_REF_SPLL_EN | FR30XX_PMU_OSC_REF_AUPLL_EN),
    CLEAR(FR30XX_PMU_OSC_CTRL_1, FR30XX_PMU_OSC_AUPLL_PD | FR30XX_PMU_OSC_OUT_BUF_EN),
    /* "sram ldo always on" */
    SET(FR30XX_PMU_PMU_GATE_M, 0x08),
    /* "buck load inductor will not be shorted" */
    WRITE(FR30XX_PMU_SYSBUCK_CTRL_1, 0x43),
    /* "disable internal load of sys-buck and io-buck" */
    WRITE(FR30XX_PMU_IOBUCK_CTRL_4, 0x73),
    WRITE(FR30XX_PMU_SYSBUCK_CTRL_4, 0x73),
    /* "IOLDO dynamic bias" */
    SET(FR30XX_PMU_IOLDO1_CTRL_1, FR30XX_PMU_IOLDO_DYN_BIAS),
    SET(FR30XX_PMU_IOLDO2_CTRL_1, FR30XX_PMU_IOLDO_DYN_BIAS),
    /* "enable BT sleep timer clock": a plain write, so it also gates off any
     * other PMU clock (the watchdog's among them) a boot stage left on */
    WRITE(FR30XX_PMU_CLK_EN, FR30XX_PMU_CLK_EN_LP_TICK),
    /* the compiled (#else) branch: sleep on CPU request, wake on interrupts */
    WRITE(FR30XX_PMU_SLP_WK_SRC, FR30XX_PMU_SLP_CPU_EN | FR30XX_PMU_WK_IRQ_EN),
    /* "release RTC clock" */
    SET(FR30XX_PMU_CLK_EN, FR30XX_PMU_CLK_EN_RTC),
};

/* pmu_init() after the RTC alarm B interrupt mask. */
static const pmu_op_t pmu_init_ops_2[] = {
    /* "enable GPIO wakeup system as default setting" */
    WRITE(FR30XX_PMU_WKUP_INT_EN, 0x03),
    /* "disable power fsm" */
    WRITE(FR30XX_PMU_PWR_GATE, 0xFF),
    /* "IO33 and IO18 always on" */
    WRITE(FR30XX_PMU_PMU_MASK_L, 0x18),
    /* "set mask of GPIO SNS & ISO": bits 7 and 5 */
    SET(FR30XX_PMU_PMU_MASK_M, 0x80 | 0x20),
    /* "remove internal cap of osc", "OSC config" */
    WRITE(FR30XX_PMU_OSC_CTRL_4, 0x20),
    WRITE(FR30XX_PMU_OSC_CTRL_0, 0x2A),
    WRITE(FR30XX_PMU_PLLLDO_CTRL_0, 0xA2),
};

static void run_ops(run_t *r, const pmu_op_t *ops, size_t n) {
    for (size_t i = 0; i < n && r->ok; i++) {
        if (!pmu_modify(ops[i].reg, ops[i].mask, ops[i].value)) {
            r->ok = false;
            r->st->failed_reg = ops[i].reg;
        }
    }
}

static void pmu_init(run_t *r, uint8_t cp_version) {
    run_ops(r, pmu_init_ops, sizeof(pmu_init_ops) / sizeof(pmu_init_ops[0]));
    /* "release interrupt mask of RTC alarm B": 16-bit PMU_REG_INT_MASK |= PMU_RTC_B_INT_MSK_BIT */
    uint32_t int_mask = 0;
    if (r->ok && !(pmu_read_n(FR30XX_PMU_INT_MASK, 2, &int_mask) &&
                   pmu_write_n(FR30XX_PMU_INT_MASK, 2, int_mask | FR30XX_PMU_INT_RTC_B))) {
        r->ok = false;
        r->st->failed_reg = FR30XX_PMU_INT_MASK;
    }
    run_ops(r, pmu_init_ops_2, sizeof(pmu_init_ops_2) / sizeof(pmu_init_ops_2[0]));
    /* "ADkey pull up Resistor disable", on CP_VERSION_B chips only */
    if (cp_version == 0 && r->ok && !pmu_modify(FR30XX_PMU_ADKEY_CTRL, FR30XX_PMU_ADKEY_PU_RES_EN, 0)) {
        r->ok = false;
        r->st->failed_reg = FR30XX_PMU_ADKEY_CTRL;
    }
}

pmu_setup_status_t pmu_setup(void) {
    pmu_setup_status_t st = {true, 0, true, false};
    run_t r = {&st, true};
    /* The bus controller's clock (ClockEnable9.FRSPIM_CLKEN): the HAL never
     * sets it, the boot ROM leaves it on; set so that it cannot be off. */
    clock_en9(FR30XX_CLOCK_EN9_FRSPIM, true);

    efuse_t e = efuse_read();
    cp_trim_t t = cp_trim_decode(&e);
    st.efuse_ok = e.ok;
    st.trimmed = t.wafer_id != 0;

    uint8_t version = trim_cp_config(&r, &t);
    pmu_init(&r, version);
    st.bus_ok = r.ok;
    return st;
}
