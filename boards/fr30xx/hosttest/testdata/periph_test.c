/*
 * Host test of the machine.* register drivers (fr30xx_gpio.c, dw_i2c.c, dw_ssi.c,
 * dw_timer.c, dw_wdt.c with pmu.c, and dw_uart.c's frame settings). Built with
 * -DFR30XX_HOST_TEST: every register access lands in fr30xx_read32/write32 below,
 * which model the blocks as the HAL describes them (peripheral/Inc/driver_*.h
 * register maps, the behaviour peripheral/Src/driver_*.c relies on):
 *  - SYSTEM (0xE0050000): plain registers (clock gates, pads, pin mux).
 *  - GPIO A..E: OUT_DATA latched, BIT_SET/BIT_CLEAR write-1, OutputEN 1 = not
 *    driving; IN_DATA shows what drives the line: the pad's driver (OutputEN 0, input
 *    buffer on), else an external level, else the pull, else 0; 0 with the input
 *    buffer (SYSTEM InputOpenCircuit) off.
 *  - DW I2C: TAR writable only while disabled; each DATA_CMD runs at once on a bus
 *    of model devices (a 256-byte memory with a register pointer at 0x50, one that
 *    NACKs data after its first byte at 0x51, a frozen one at 0x52 that never
 *    finishes); an absent address aborts with ABRT_7ADDR_NOACK.
 *  - DW SSI: with SSI_EN 1, each DR write shifts out a frame and the model device
 *    answers the frame inverted; the RX FIFO holds 8.
 *  - DW timer, DW WDT: plain registers; IntClear/EOI reads clear the status.
 *  - SAR ADC: see the model's comment below.
 *  - FRSPIM (PMU bus): go runs a transfer on a 256-byte PMU register file; dead =
 *    done never comes.
 * Exit status 0 when every check passed.
 */
#include <stdio.h>
#include <string.h>

#include "dw_uart.h"
#include "fr30xx_periph.h"
#include "fr30xx_regs.h"

#include "check.h"

uint32_t fr30xx_irq_save(void) { return 0; }
void fr30xx_irq_restore(uint32_t s) { (void)s; }

/* ---- SYSTEM ---- */
static uint32_t sys[0x300 / 4];
#define SYS(off) sys[(off) / 4]

/* ---- GPIO ---- */
static const uint32_t gpio_bases[5] = { 0x50000000u, 0x50008000u, 0x50100000u, 0x50108000u, 0x50200000u };
static struct { uint32_t oen, out, exti_en, exti_int_en, exti_status, exti_type; } gpio[5];
static uint32_t ext_drive[5], ext_level[5]; /* lines driven from outside, and their level */

static int gpio_port_of(uint32_t addr) {
    for (int p = 0; p < 5; p++) {
        if ((addr & ~0xFFu) == gpio_bases[p]) {
            return p;
        }
    }
    return -1;
}

static uint32_t gpio_in(int p) {
    uint32_t v = 0;
    for (int b = 0; b < 16; b++) {
        uint32_t m = 1u << b, level;
        if (!(gpio[p].oen & m)) {
            level = gpio[p].out & m;
        } else if (ext_drive[p] & m) {
            level = ext_level[p] & m;
        } else if (SYS(0xA0 + 4 * p) & m) {
            level = SYS(0xC0 + 4 * p) & m;
        } else {
            level = 0;
        }
        if (SYS(0xE0 + 4 * p) & m) {
            v |= level;
        }
    }
    return v;
}

/* ---- I2C ---- */
#define I2C_BASE 0x50120000u
static struct {
    uint32_t con, tar, enable, hcnt, lcnt, setup, hold, int_mask, raw, abrt_src;
    uint8_t rx[64];
    int rx_n;
    int in_msg;       /* a message to tar is under way (START sent, no STOP yet) */
    int dir;          /* of the current message: 0 write, 1 read */
    int bytes;        /* data bytes of the current message */
    int restarts, starts, stops;
    int tar_while_enabled;
    int frozen;
    uint8_t mem[256], ptr;
} i2c;
static int no_hold; /* model a controller without IC_EMPTYFIFO_HOLD_MASTER_EN */

static void i2c_cmd(uint32_t v) {
    if (!(i2c.enable & 1) || (i2c.raw & (1u << 6))) {
        return; /* disabled, or flushing after an abort */
    }
    int read = (v >> 8) & 1;
    int addr = (int)(i2c.tar & 0x3FF);
    if (addr == 0x52) {
        i2c.frozen = 1; /* holds the command forever: the FIFO never drains */
        return;
    }
    if (!i2c.in_msg || read != i2c.dir) {
        if (i2c.in_msg) {
            i2c.restarts++;
        } else {
            i2c.starts++;
        }
        i2c.in_msg = 1;
        i2c.dir = read;
        i2c.bytes = 0;
        if (addr != 0x50 && addr != 0x51) {
            i2c.abrt_src = 1u << 0; /* ABRT_7ADDR_NOACK */
            i2c.raw |= 1u << 6;
            i2c.in_msg = 0;
            i2c.stops++;
            return;
        }
    }
    if (read) {
        if (i2c.rx_n < 64) {
            i2c.rx[i2c.rx_n++] = i2c.mem[i2c.ptr++];
        }
    } else {
        if (addr == 0x51 && i2c.bytes >= 1) {
            i2c.abrt_src = 1u << 3; /* ABRT_TXDATA_NOACK */
            i2c.raw |= 1u << 6;
            i2c.in_msg = 0;
            i2c.stops++;
            return;
        }
        if (i2c.bytes == 0) {
            i2c.ptr = (uint8_t)v;
        } else {
            i2c.mem[i2c.ptr++] = (uint8_t)v;
        }
    }
    i2c.bytes++;
    if ((v & (1u << 9)) || no_hold) {
        i2c.in_msg = 0;
        i2c.stops++;
        i2c.raw |= 1u << 9; /* STOP_DET */
    }
}

/* ---- SSI ---- */
#define SSI_BASE 0x50030000u
static struct { uint32_t ctrl0, en, ser, baudr, imr; uint32_t rx[8]; int rx_n; uint32_t sent[64]; int n_sent; int dead; } ssi;

/* ---- timers, WDT ---- */
static struct { uint32_t load, control, status; int clears; } tmr[6];
static const uint32_t tmr_bases[6] = { 0xE0060000u, 0xE0060014u, 0xE0068000u, 0xE0068014u, 0xE006C000u, 0xE006C014u };
static struct { uint32_t cr, cnt, crr; int kicks; } wdt;

/* ---- PWM ---- */
#define PWM1_BASE 0x50150000u
static struct { uint32_t chen, outsel, update, cnt_en, edge[32], freq[32]; } pwm;

/* ---- SAR ADC ----
 * Registers as driver_saradc.h lays them out. A conversion runs when Soft_Trigger is
 * written with SARADC_EN set, in loop mode with software trigger, and only with the
 * block powered as saradc_init() and pmu_adc_power_ctrl() leave it (clock gate, PMU
 * ADC power, Analog_PD 0, analog reset released, input enabled); it stores the code
 * of the input that logical channel 0 maps (Channel_Map_P) in ChannelData[0] and sets
 * ChannelStatus bit 0. The code: the input's voltage through the ATT divider (bypass,
 * 1/4, 1/2) against the selected reference (REF 2/3 with INT_REF_CTRL: 1.2 V / 1.5 V),
 * 12 bits, clipped. SARADC_Reset clears the results. dead: no result ever; stuck: the
 * analog reset never reads released. */
#define SARADC_BASE 0x500E0000u
static struct { uint32_t reg[0x100 / 4]; uint32_t uv[16]; int dead, stuck, conversions; } adc;
#define ADC_REG(off) adc.reg[(off) / 4]

static void adc_convert(void) {
    uint32_t a0 = ADC_REG(0x40), cfg = ADC_REG(0x04);
    if (adc.dead || !(SYS(0x44) & (1u << 8)) || (a0 & 1u) || !(a0 & 4u) || !(a0 & 8u) || (cfg & 1u) || !(cfg & 2u)) {
        return;
    }
    unsigned ref = (a0 >> 12) & 3u, att = (a0 >> 10) & 3u;
    if (ref < 2) {
        return; /* IOLDO / external: no known voltage in the model */
    }
    uint64_t vref_uv = ((ADC_REG(0x44) >> 4) & 3u) == 0 ? (ref == 2 ? 1200000u : 1500000u) : 0;
    if (!vref_uv) {
        return;
    }
    unsigned div = att == 1 ? 4 : att == 2 ? 2 : 1;
    unsigned map = (ADC_REG(0x64) >> 4) & 0xFu;
    uint64_t code = (uint64_t)adc.uv[map] * 4096u / div / vref_uv;
    ADC_REG(0xA4) = code > 4095 ? 4095 : (uint32_t)code;
    ADC_REG(0x50) |= 1u;
    adc.conversions++;
}

/* ---- FRSPIM / PMU ---- */
static struct { uint32_t ctrl, wdat, rdat; int dead; uint8_t reg[256]; int writes; } spim;
/* The PMU's RTC: a counter that SAMPLE latches into RTC_COUNTER_0..3 (the bit then
 * clears, unless stuck) and UPD_EN loads from them (driver_pmu.h). */
static struct { uint32_t counter; int stuck, samples, loads; } rtc;

static void pmu_rtc_ctrl(void) {
    uint8_t *r = spim.reg;
    if ((r[FR30XX_PMU_RTC_CTRL] & FR30XX_PMU_RTC_SAMPLE) && !rtc.stuck) {
        for (int i = 0; i < 4; i++) {
            r[FR30XX_PMU_RTC_COUNTER + i] = (uint8_t)(rtc.counter >> (8 * i));
        }
        r[FR30XX_PMU_RTC_CTRL] &= (uint8_t)~FR30XX_PMU_RTC_SAMPLE;
        rtc.samples++;
    }
    if (r[FR30XX_PMU_RTC_CTRL] & FR30XX_PMU_RTC_UPD_EN) {
        rtc.counter = (uint32_t)r[0x18] | (uint32_t)r[0x19] << 8 | (uint32_t)r[0x1A] << 16 | (uint32_t)r[0x1B] << 24;
        r[FR30XX_PMU_RTC_CTRL] &= (uint8_t)~FR30XX_PMU_RTC_UPD_EN;
        rtc.loads++;
    }
}

static int tmr_of(uint32_t addr, uint32_t *off) {
    for (int i = 0; i < 6; i++) {
        if (addr >= tmr_bases[i] && addr < tmr_bases[i] + 0x14) {
            *off = addr - tmr_bases[i];
            return i;
        }
    }
    return -1;
}

uint32_t fr30xx_read32(uint32_t addr) {
    uint32_t off;
    int p, t;
    if (addr >= FR30XX_SYSTEM_BASE && addr < FR30XX_SYSTEM_BASE + sizeof(sys)) {
        return sys[(addr - FR30XX_SYSTEM_BASE) / 4];
    }
    if ((p = gpio_port_of(addr)) >= 0) {
        switch (addr & 0xFF) {
            case 0x00: return gpio[p].oen;
            case 0x04: return gpio_in(p);
            case 0x08: return gpio[p].out;
            case 0x14: return gpio[p].exti_en;
            case 0x18: return gpio[p].exti_int_en;
            case 0x1C: return gpio[p].exti_status;
            case 0x20: return gpio[p].exti_type;
        }
        return 0;
    }
    if ((addr & ~0xFFu) == I2C_BASE) {
        switch (addr & 0xFF) {
            case 0x00: return i2c.con;
            case 0x04: return i2c.tar;
            case 0x10: {
                uint32_t v = i2c.rx_n ? i2c.rx[0] : 0;
                if (i2c.rx_n) {
                    memmove(i2c.rx, i2c.rx + 1, (size_t)--i2c.rx_n);
                }
                return v;
            }
            case 0x34: return i2c.raw;
            case 0x40: i2c.raw = 0; return 0;
            case 0x54: i2c.raw &= ~(1u << 6); return 0;
            case 0x60: i2c.raw &= ~(1u << 9); return 0;
            case 0x6C: return i2c.enable;
            case 0x70: {
                uint32_t st = (1u << 1); /* TFNF */
                if (!i2c.frozen) {
                    st |= 1u << 2; /* TFE: every command ran at once */
                }
                if (i2c.rx_n) {
                    st |= 1u << 3;
                }
                if (i2c.in_msg && !i2c.frozen) {
                    st |= (1u << 0) | (1u << 7); /* ACTIVITY, MST_HOLD_TX_FIFO_EMPTY */
                }
                return st;
            }
            case 0x80: return i2c.abrt_src;
        }
        return 0;
    }
    if ((addr & ~0xFFu) == SSI_BASE) {
        switch (addr & 0xFF) {
            case 0x00: return ssi.ctrl0;
            case 0x08: return ssi.en;
            case 0x14: return ssi.baudr;
            case 0x28: return ssi.dead ? 0 : ((ssi.rx_n < 8 ? 2u : 0u) | 4u | (ssi.rx_n ? 8u : 0u));
            case 0x60: {
                uint32_t v = ssi.rx_n ? ssi.rx[0] : 0;
                if (ssi.rx_n) {
                    memmove(ssi.rx, ssi.rx + 1, sizeof(uint32_t) * (size_t)--ssi.rx_n);
                }
                return v;
            }
        }
        return 0;
    }
    if ((t = tmr_of(addr, &off)) >= 0) {
        switch (off) {
            case 0x00: return tmr[t].load;
            case 0x08: return tmr[t].control;
            case 0x0C: tmr[t].status = 0; tmr[t].clears++; return 0;
            case 0x10: return tmr[t].status;
        }
        return 0;
    }
    if ((addr & ~0x1FFu) == PWM1_BASE) {
        uint32_t o = addr & 0x1FF;
        if (o == 0x08) return pwm.chen;
        if (o == 0x90) return pwm.outsel;
        if (o == 0xE4) return pwm.update;
        if (o == 0xFC) return pwm.cnt_en;
        if (o >= 0x10 && o < 0x90) return pwm.edge[(o - 0x10) / 4];
        if (o >= 0x100 && o < 0x180) return pwm.freq[(o - 0x100) / 4];
        CHECK(0, "PWM read at 0x%03x", (unsigned)o);
        return 0;
    }
    if ((addr & ~0xFFu) == SARADC_BASE) {
        uint32_t o = addr & 0xFF;
        if (o == 0x40 && adc.stuck) return ADC_REG(o) & ~4u;
        return ADC_REG(o);
    }
    if (addr == 0xE0070000u) return wdt.cr;
    if (addr == 0xE0070020u) return wdt.cnt;
    if (addr == FR30XX_FRSPIM_CTRL_ADDR) return spim.ctrl;
    if (addr == FR30XX_FRSPIM_RDAT_ADDR) return spim.rdat;
    CHECK(0, "read of unmodelled address 0x%08x", (unsigned)addr);
    return 0;
}

void fr30xx_write32(uint32_t addr, uint32_t v) {
    uint32_t off;
    int p, t;
    if (addr >= FR30XX_SYSTEM_BASE && addr < FR30XX_SYSTEM_BASE + sizeof(sys)) {
        sys[(addr - FR30XX_SYSTEM_BASE) / 4] = v;
        return;
    }
    if ((p = gpio_port_of(addr)) >= 0) {
        switch (addr & 0xFF) {
            case 0x00: gpio[p].oen = v; return;
            case 0x08: gpio[p].out = v; return;
            case 0x0C: gpio[p].out |= v; return;
            case 0x10: gpio[p].out &= ~v; return;
            case 0x14: gpio[p].exti_en = v; return;
            case 0x18: gpio[p].exti_int_en = v; return;
            case 0x1C: gpio[p].exti_status &= ~v; return;
            case 0x20: gpio[p].exti_type = v; return;
        }
        CHECK(0, "GPIO write to 0x%08x", (unsigned)addr);
        return;
    }
    if ((addr & ~0xFFu) == I2C_BASE) {
        switch (addr & 0xFF) {
            case 0x00: i2c.con = v; return;
            case 0x04:
                if (i2c.enable & 1) {
                    i2c.tar_while_enabled++;
                } else {
                    i2c.tar = v;
                }
                return;
            case 0x10: i2c_cmd(v); return;
            case 0x1C: i2c.hcnt = v; return;
            case 0x20: i2c.lcnt = v; return;
            case 0x30: i2c.int_mask = v; return;
            case 0x6C:
                if (!(v & 1)) {
                    i2c.in_msg = 0; /* disabling ends whatever was under way */
                    i2c.rx_n = 0;
                    i2c.frozen = 0;
                }
                i2c.enable = v;
                return;
            case 0x7C: i2c.hold = v; return;
            case 0x94: i2c.setup = v; return;
            case 0x38: case 0x3C: return;
        }
        CHECK(0, "I2C write to offset 0x%02x", (unsigned)(addr & 0xFF));
        return;
    }
    if ((addr & ~0xFFu) == SSI_BASE) {
        switch (addr & 0xFF) {
            case 0x00: CHECK(!(ssi.en & 1), "CTRL0 written while the SSI is enabled"); ssi.ctrl0 = v; return;
            case 0x08: ssi.en = v; if (!(v & 1)) { ssi.rx_n = 0; } return;
            case 0x10: ssi.ser = v; return;
            case 0x14: CHECK(!(ssi.en & 1), "BAUDR written while the SSI is enabled"); ssi.baudr = v; return;
            case 0x18: case 0x1C: return;
            case 0x2C: ssi.imr = v; return;
            case 0x60:
                CHECK(ssi.en & 1, "DR written while the SSI is disabled");
                CHECK(ssi.rx_n < 8, "TX write with a full RX FIFO: a frame would be lost");
                if (ssi.n_sent < 64) {
                    ssi.sent[ssi.n_sent++] = v;
                }
                if (ssi.rx_n < 8) {
                    uint32_t bits = ((ssi.ctrl0 >> 16) & 0x1F) + 1;
                    ssi.rx[ssi.rx_n++] = ~v & ((1u << bits) - 1);
                }
                return;
        }
        CHECK(0, "SSI write to offset 0x%02x", (unsigned)(addr & 0xFF));
        return;
    }
    if ((t = tmr_of(addr, &off)) >= 0) {
        if (off == 0x00) tmr[t].load = v;
        else if (off == 0x08) tmr[t].control = v;
        else CHECK(0, "timer write to offset 0x%02x", (unsigned)off);
        return;
    }
    if ((addr & ~0x1FFu) == PWM1_BASE) {
        uint32_t o = addr & 0x1FF;
        if (o == 0x08) { pwm.chen = v; return; }
        if (o == 0x90) { pwm.outsel = v; return; }
        if (o == 0xE4) { pwm.update = v; return; }
        if (o == 0xFC) { pwm.cnt_en = v; return; }
        if (o >= 0x10 && o < 0x90) { CHECK(!(pwm.update & (1u << ((o - 0x10) / 8))), "edge written while its update bit is set"); pwm.edge[(o - 0x10) / 4] = v; return; }
        if (o >= 0x100 && o < 0x180) { pwm.freq[(o - 0x100) / 4] = v; return; }
        CHECK(0, "PWM write at 0x%03x", (unsigned)o);
        return;
    }
    if (addr == 0xE0070000u) { wdt.cr = v; return; }
    if (addr == 0xE0070020u) { wdt.cnt = v; return; }
    if (addr == 0xE007000Cu) { wdt.crr = v; wdt.kicks++; return; }
    if (addr == FR30XX_FRSPIM_WDAT_ADDR) { spim.wdat = v; return; }
    if ((addr & ~0xFFu) == SARADC_BASE) {
        uint32_t o = addr & 0xFF;
        CHECK(o <= 0x0C || (o >= 0x40 && o <= 0x44) || o == 0x64, "ADC write at 0x%02x", (unsigned)o);
        ADC_REG(o) = v;
        if (o == 0x00) {
            if (v & 2u) { /* SARADC_Reset */
                ADC_REG(0x50) = 0;
                ADC_REG(0xA4) = 0;
            }
            if ((v & 1u) && (v & 8u)) {
                adc_convert();
            }
            ADC_REG(0x00) &= ~(2u | 4u | 8u); /* reset and trigger bits act once */
        }
        return;
    }
    if (addr == FR30XX_FRSPIM_CTRL_ADDR) {
        spim.ctrl = v & ~(FR30XX_FRSPIM_CTRL_GO | FR30XX_FRSPIM_CTRL_DONE);
        if ((v & FR30XX_FRSPIM_CTRL_GO) && !spim.dead) {
            unsigned reg = (v >> FR30XX_FRSPIM_CTRL_ADDR_SHIFT) & 0xFF;
            unsigned len = (v >> FR30XX_FRSPIM_CTRL_LEN_SHIFT) & 7;
            if (v & FR30XX_FRSPIM_CTRL_OP_WRITE) {
                for (unsigned i = 0; i < len; i++) {
                    spim.reg[(reg + i) & 0xFF] = (uint8_t)(spim.wdat >> (8 * i));
                }
                spim.writes++;
                if (reg <= FR30XX_PMU_RTC_CTRL && reg + len > FR30XX_PMU_RTC_CTRL) {
                    pmu_rtc_ctrl();
                }
            } else {
                spim.rdat = 0;
                for (unsigned i = 0; i < len; i++) {
                    spim.rdat |= (uint32_t)spim.reg[(reg + i) & 0xFF] << (8 * i);
                }
            }
            spim.ctrl |= FR30XX_FRSPIM_CTRL_DONE;
        }
        return;
    }
    CHECK(0, "write of unmodelled address 0x%08x", (unsigned)addr);
}

/* ---- tests ---- */

static void test_gpio(void) {
    const uint32_t C = gpio_bases[2];
    CHECK(fr30xx_gpio_port(C) == 2 && fr30xx_gpio_port(0x50000004u) == -1, "port look-up");
    /* An output: clock on, driver on, input buffer off (gpio_init OUTPUT_PP), GPIO function. */
    SYS(0x134) = 0xFFFFFFFFu; /* PC8..15 muxed to something else */
    fr30xx_gpio_mode(C, 9, FR30XX_PIN_OUT, FR30XX_PULL_NONE);
    CHECK(SYS(0x30) & (1u << 2), "GPIOC clock gate (ClockEnable4 bit 2) on");
    CHECK(!(gpio[2].oen & (1u << 9)), "PC9 driving");
    CHECK(!(SYS(0xE8) & (1u << 9)), "PC9 input buffer off");
    CHECK(SYS(0x134) == 0xFFFFFF0Fu, "PC9 function 0 in PortC_H_FuncMux (0x%08x)", (unsigned)SYS(0x134));
    fr30xx_gpio_write(C, 9, 1);
    CHECK(gpio[2].out == (1u << 9) && fr30xx_gpio_read(C, 9) == 1, "PC9 high, read back");
    fr30xx_gpio_write(C, 9, 0);
    CHECK(gpio[2].out == 0 && fr30xx_gpio_read(C, 9) == 0, "PC9 low");
    /* An input with pull-up reads high until something outside drives it low. */
    fr30xx_gpio_mode(gpio_bases[4], 11, FR30XX_PIN_IN, FR30XX_PULL_UP);
    CHECK(SYS(0x30) & (1u << 6), "GPIOE clock gate is ClockEnable4 bit 6");
    CHECK((gpio[4].oen & (1u << 11)) && (SYS(0xF0) & (1u << 11)), "PE11 input: driver off, buffer on");
    CHECK((SYS(0xB0) & (1u << 11)) && (SYS(0xD0) & (1u << 11)), "PE11 pull-up: PullEN and PullSelect");
    CHECK(fr30xx_gpio_read(gpio_bases[4], 11) == 1, "pulled up input reads 1");
    ext_drive[4] = 1u << 11;
    ext_level[4] = 0;
    CHECK(fr30xx_gpio_read(gpio_bases[4], 11) == 0, "driven low reads 0");
    ext_drive[4] = 0;
    fr30xx_gpio_mode(gpio_bases[4], 11, FR30XX_PIN_IN, FR30XX_PULL_DOWN);
    CHECK((SYS(0xB0) & (1u << 11)) && !(SYS(0xD0) & (1u << 11)), "pull-down: PullEN, PullSelect 0");
    CHECK(fr30xx_gpio_read(gpio_bases[4], 11) == 0, "pulled down input reads 0");
    fr30xx_gpio_mode(gpio_bases[4], 11, FR30XX_PIN_IN, FR30XX_PULL_NONE);
    CHECK(!(SYS(0xB0) & (1u << 11)), "no pull: PullEN off");
    /* Open drain on PA3: 0 drives low, 1 releases to the pull-up. */
    fr30xx_gpio_mode(gpio_bases[0], 3, FR30XX_PIN_OPEN_DRAIN, FR30XX_PULL_UP);
    CHECK(fr30xx_gpio_read(gpio_bases[0], 3) == 1, "released open-drain line reads high");
    fr30xx_gpio_write(gpio_bases[0], 3, 0);
    CHECK(!(gpio[0].oen & 8) && !(gpio[0].out & 8) && fr30xx_gpio_read(gpio_bases[0], 3) == 0, "open drain 0: driving low");
    fr30xx_gpio_write(gpio_bases[0], 3, 1);
    CHECK((gpio[0].oen & 8) && fr30xx_gpio_read(gpio_bases[0], 3) == 1, "open drain 1: released");
    ext_drive[0] = 8; /* another device holds the line low (I2C clock stretching) */
    CHECK(fr30xx_gpio_read(gpio_bases[0], 3) == 0, "open drain reads the bus, not the latch");
    ext_drive[0] = 0;
    CHECK(fr30xx_gpio_get_mode(gpio_bases[0], 3) == FR30XX_PIN_OPEN_DRAIN, "mode remembered");
    /* A peripheral function: PB9 = function 1 (UART2 TX) in PortB_H_FuncMux bits 4..7. */
    SYS(0x12C) = 0;
    gpio[1].exti_en = 1u << 9;
    fr30xx_gpio_func(1, 9, 1, FR30XX_PULL_UP);
    CHECK(SYS(0x12C) == 0x10u, "PB9 function 1 (0x%08x)", (unsigned)SYS(0x12C));
    CHECK((SYS(0xE4) & (1u << 9)) && !(gpio[1].exti_en & (1u << 9)), "AF: input buffer on, EXTI off");
    SYS(0x120) = 0;
    fr30xx_gpio_func(0, 6, 3, FR30XX_PULL_NONE);
    CHECK(SYS(0x120) == 0x03000000u, "PA6 function 3 in PortA_L_FuncMux bits 24..27 (0x%08x)", (unsigned)SYS(0x120));
}

/* The model's edge detector: a line armed (EXTI_EN) latches its status on the edge
 * its EXTI_TYPE field names. */
static void drive(int p, unsigned line, int level) {
    uint32_t m = 1u << line, before = gpio_in(p) & m;
    ext_drive[p] |= m;
    ext_level[p] = level ? (ext_level[p] | m) : (ext_level[p] & ~m);
    uint32_t after = gpio_in(p) & m;
    unsigned type = (gpio[p].exti_type >> (2 * line)) & 3;
    if ((gpio[p].exti_en & m) && ((type == 2 && !before && after) || (type == 3 && before && !after))) {
        gpio[p].exti_status |= m;
    }
}

static void test_gpio_edges(void) {
    const uint32_t D = gpio_bases[3];
    fr30xx_gpio_mode(D, 6, FR30XX_PIN_IN, FR30XX_PULL_UP);
    drive(3, 6, 1);
    gpio[3].exti_status = 1u << 6; /* a stale edge from before */
    fr30xx_gpio_edge(D, 6, FR30XX_EDGE_FALLING);
    CHECK(((gpio[3].exti_type >> 12) & 3) == 3, "EXTI_TYPE of PD6 = 3 (falling)");
    CHECK((gpio[3].exti_en & (1u << 6)) && (gpio[3].exti_int_en & (1u << 6)) && (gpio[3].oen & (1u << 6)), "armed: EXTI_EN, EXTI_INT_EN, driver off");
    CHECK(gpio[3].exti_status == 0, "a stale edge is cleared when arming");
    CHECK(SYS(0xAC) & (1u << 6), "the pull-up stays");
    CHECK(fr30xx_gpio_edges_take(D) == 0, "nothing fired yet");
    drive(3, 6, 0);
    CHECK(fr30xx_gpio_edges_take(D) == (1u << 6) && gpio[3].exti_status == 0, "falling edge taken and cleared");
    drive(3, 6, 1);
    CHECK(fr30xx_gpio_edges_take(D) == 0, "rising edge ignored");
    fr30xx_gpio_edge(D, 7, FR30XX_EDGE_RISING);
    CHECK(((gpio[3].exti_type >> 14) & 3) == 2 && ((gpio[3].exti_type >> 12) & 3) == 3, "PD7 rising, PD6 still falling");
    gpio[3].exti_status |= 1u << 9; /* a line not enabled */
    drive(3, 7, 1);
    CHECK(fr30xx_gpio_edges_take(D) == (1u << 7), "only enabled lines are reported (0x%x)", (unsigned)gpio[3].exti_status);
    fr30xx_gpio_edge(D, 6, FR30XX_EDGE_OFF);
    CHECK(!(gpio[3].exti_en & (1u << 6)) && !(gpio[3].exti_int_en & (1u << 6)), "disarmed");
    drive(3, 6, 0);
    CHECK(fr30xx_gpio_edges_take(D) == 0, "disarmed line does not fire");
    ext_drive[3] = 0;
}

static void test_i2c(void) {
    dw_i2c_timing_t t;
    CHECK(dw_i2c_timing(24000000, 400000, &t), "400 kHz at 24 MHz");
    /* period 60 clocks: HCNT + 8 + LCNT + 1 = 60 with the DesignWare overheads */
    CHECK(t.hcnt + 8 + t.lcnt + 1 == 60, "400 kHz counts %u/%u", t.hcnt, t.lcnt);
    CHECK(dw_i2c_timing(24000000, 100000, &t) && t.hcnt + 8 + t.lcnt + 1 == 240, "100 kHz counts %u/%u", t.hcnt, t.lcnt);
    CHECK(dw_i2c_timing(24000000, 1000000, &t) && t.hcnt >= 6 && t.lcnt >= 8, "1 MHz: at least the HAL's minimum counts");
    CHECK(!dw_i2c_timing(24000000, 0, &t) && !dw_i2c_timing(24000000, 100, &t), "0 Hz and 100 Hz refused");
    dw_i2c_timing(24000000, 400000, &t);
    dw_i2c_init(I2C_BASE, t);
    CHECK(i2c.con == 0x7E5u, "CON: master, fast, restart, slave off, stop-det, tx-empty, rx-hold (0x%03x)", (unsigned)i2c.con);
    CHECK(i2c.hcnt == t.hcnt && i2c.lcnt == t.lcnt && i2c.int_mask == 0, "counts and interrupts");
    CHECK(i2c.setup == t.lcnt / 2 && i2c.setup == 14 && i2c.hold == 14, "SDA setup/hold LCNT/2 (%u/%u)", (unsigned)i2c.setup, (unsigned)i2c.hold);

    /* writeto_mem(0x50, 0x10, b"\x11\x22\x33"): one message with STOP. */
    uint8_t w[] = { 0x10, 0x11, 0x22, 0x33 };
    CHECK(dw_i2c_xfer(I2C_BASE, 0x50, false, w, 4, true, 1000) == 4, "memory write");
    CHECK(i2c.tar == 0x50, "TAR is the 7-bit address (the HAL's >> 1 is for 8-bit ones)");
    CHECK(i2c.mem[0x10] == 0x11 && i2c.mem[0x12] == 0x33 && i2c.stops == 1, "bytes written, one STOP");
    /* readfrom_mem(0x50, 0x11, 2): write the pointer without STOP, then read: a repeated START. */
    uint8_t ptr = 0x11, r[2] = { 0, 0 };
    int starts = i2c.starts;
    CHECK(dw_i2c_xfer(I2C_BASE, 0x50, false, &ptr, 1, false, 1000) == 1, "pointer write");
    CHECK(dw_i2c_xfer(I2C_BASE, 0x50, true, r, 2, true, 1000) == 2, "read");
    CHECK(r[0] == 0x22 && r[1] == 0x33, "read back %02x %02x", r[0], r[1]);
    CHECK(i2c.starts == starts + 1 && i2c.restarts == 1, "one START and one repeated START (%d, %d)", i2c.starts - starts, i2c.restarts);
    CHECK(i2c.tar_while_enabled == 0, "TAR never written while enabled");
    /* A controller built without the empty-FIFO hold ends a message without STOP
     * itself: the pointer write still completes, and the read starts afresh. */
    no_hold = 1;
    CHECK(dw_i2c_xfer(I2C_BASE, 0x50, false, &ptr, 1, false, 1000) == 1, "pointer write without the hold");
    CHECK(dw_i2c_xfer(I2C_BASE, 0x50, true, r, 2, true, 1000) == 2 && r[0] == 0x22, "read after it");
    no_hold = 0;
    /* scan: a probe of an absent address is an address NACK; the bus works after it. */
    CHECK(dw_i2c_xfer(I2C_BASE, 0x23, false, NULL, 0, true, 1000) == DW_I2C_ENODEV, "absent address: ENODEV");
    CHECK(!(i2c.raw & (1u << 6)), "abort cleared (CLR_TX_ABRT read)");
    CHECK(dw_i2c_xfer(I2C_BASE, 0x50, false, NULL, 0, true, 1000) == 0, "present address probes fine after a NACK");
    uint8_t w2[] = { 0x00, 0xAA, 0xBB };
    CHECK(dw_i2c_xfer(I2C_BASE, 0x51, false, w2, 3, true, 1000) == DW_I2C_EIO, "data NACK: EIO");
    CHECK(dw_i2c_xfer(I2C_BASE, 0x52, false, w2, 3, true, 1000) == DW_I2C_ETIMEDOUT, "frozen device: ETIMEDOUT");
    CHECK(!(i2c.enable & 1), "controller disabled after a time-out");
    CHECK(dw_i2c_xfer(I2C_BASE, 0x50, true, r, 1, true, 1000) == 1, "bus usable after a time-out");
    CHECK(i2c.tar_while_enabled == 0, "TAR never written while enabled");
}

static void test_ssi(void) {
    uint32_t div;
    CHECK(dw_ssi_divider(24000000, 1000000, &div) && div == 24, "1 MHz: divider 24 (%u)", (unsigned)div);
    CHECK(dw_ssi_divider(24000000, 5000000, &div) && div == 6, "5 MHz: 4.8 rounds up to even 6 (%u), never faster", (unsigned)div);
    CHECK(dw_ssi_divider(24000000, 24000000, &div) && div == 2, "fastest: divider 2");
    CHECK(dw_ssi_divider(24000000, 367, &div) && div == 65396, "slow: 65395.1 rounds up to even: %u", (unsigned)div);
    CHECK(!dw_ssi_divider(24000000, 100, &div) && !dw_ssi_divider(24000000, 0, &div), "too slow and 0 refused");
    dw_ssi_init(SSI_BASE, 24, 1, 1, 8);
    CHECK(ssi.ctrl0 == ((7u << 16) | (1u << 7) | (1u << 6)), "CTRL0: DFS 7, SCPOL, SCPH, TMOD 0 (0x%08x)", (unsigned)ssi.ctrl0);
    CHECK(ssi.baudr == 24 && ssi.ser == 1 && ssi.en == 1 && ssi.imr == 0, "BAUDR, SER, enabled, masked");
    uint8_t tx[20], rx[20];
    for (int i = 0; i < 20; i++) {
        tx[i] = (uint8_t)(i * 13);
    }
    CHECK(dw_ssi_transfer(SSI_BASE, 8, 20, tx, rx, 1000), "20-byte transfer (more than the FIFO)");
    int ok = ssi.n_sent == 20;
    for (int i = 0; i < 20; i++) {
        ok = ok && ssi.sent[i] == tx[i] && (rx[i] ^ tx[i]) == 0xFF;
    }
    CHECK(ok, "every frame sent in order and its answer stored");
    ssi.n_sent = 0;
    CHECK(dw_ssi_transfer(SSI_BASE, 8, 3, NULL, rx, 1000) && ssi.sent[0] == 0xFF, "read sends 0xFF");
    dw_ssi_init(SSI_BASE, 24, 0, 0, 12);
    uint8_t tx2[4] = { 0x34, 0x12, 0xFF, 0x0F }, rx2[4];
    ssi.n_sent = 0;
    CHECK(dw_ssi_transfer(SSI_BASE, 12, 4, tx2, rx2, 1000) && ssi.n_sent == 2, "12-bit frames: 2 frames from 4 bytes");
    CHECK(ssi.sent[0] == 0x234 && ssi.sent[1] == 0xFFF, "frames little-endian and masked (0x%x 0x%x)", (unsigned)ssi.sent[0], (unsigned)ssi.sent[1]);
    CHECK(rx2[0] == 0xCB && rx2[1] == 0x0D, "12-bit answer stored little-endian");
    ssi.dead = 1;
    CHECK(!dw_ssi_transfer(SSI_BASE, 8, 4, tx, rx, 100), "a stuck block times out");
    ssi.dead = 0;
}

static void test_timer(void) {
    CHECK(dw_timer_index(0xE006C014u) == 5 && dw_timer_index(0xE0060010u) == -1, "timer look-up");
    SYS(0x18) = 0xFFFFFFFFu;
    SYS(0x1C) = 0xFFFFFFFFu;
    dw_timer_start(0xE0068014u, 240000);
    CHECK(tmr[3].load == 239999, "LoadCount = ticks - 1 (%u)", (unsigned)tmr[3].load);
    CHECK(tmr[3].control == 3, "Control: ENABLE, MODE user-defined, interrupt unmasked (%u)", (unsigned)tmr[3].control);
    CHECK(SYS(0x2C) & (1u << 3), "TIMER3 clock gate (ClockEnable3 bit 3)");
    CHECK((SYS(0x18) & (0xFu << 24)) == 0 && (SYS(0x18) & (0xFu << 20)) == (0xFu << 20), "TIMER23 divider 1, TIMER01's untouched");
    dw_timer_start(0xE006C000u, 100);
    CHECK(SYS(0x2C) & (1u << 6), "TIMER4 clock gate is ClockEnable3 bit 6 (after WDT and a reserved bit)");
    CHECK((SYS(0x1C) >> 28) == 0, "TIMER45 divider in AudioClockDIV bits 28..31");
    CHECK(!dw_timer_irq(0xE0068014u), "no interrupt pending: not fired");
    tmr[3].status = 1;
    int clears = tmr[3].clears;
    CHECK(dw_timer_irq(0xE0068014u) && tmr[3].status == 0 && tmr[3].clears == clears + 1, "fired: IntClear read");
    dw_timer_stop(0xE0068014u);
    CHECK(!(tmr[3].control & 1) && (tmr[3].control & 4), "stopped and masked");
}

static void test_wdt(void) {
    spim.reg[FR30XX_PMU_BLOCK_CTRL] = 0xFF;
    CHECK(dw_wdt_start(0xE0070000u, 48000000), "WDT start");
    CHECK(spim.reg[FR30XX_PMU_BLOCK_CTRL] == 0xFD, "PMU BLOCK_CTRL bit 1 cleared (0x%02x)", spim.reg[FR30XX_PMU_BLOCK_CTRL]);
    CHECK(spim.reg[FR30XX_PMU_ACC_KEY] == 0, "PMU access key locked again");
    CHECK(wdt.cnt == 48000000 && wdt.crr == 0x76 && wdt.cr == 1, "CNT, kick 0x76, enabled in reset mode (CR %u)", (unsigned)wdt.cr);
    CHECK(SYS(0x2C) & (1u << 4), "WDT clock gate (ClockEnable3 bit 4)");
    int kicks = wdt.kicks;
    dw_wdt_feed(0xE0070000u);
    CHECK(wdt.kicks == kicks + 1 && wdt.crr == 0x76, "feed writes 0x76 to CRR");
    /* A dead PMU bus: no unlock, so the watchdog is not started at all. */
    memset(&wdt, 0, sizeof(wdt));
    spim.dead = 1;
    CHECK(!dw_wdt_start(0xE0070000u, 1000), "dead PMU bus reported");
    CHECK(wdt.cr == 0 && wdt.kicks == 0, "and the watchdog untouched");
    spim.dead = 0;
}

static void test_pwm(void) {
    fr30xx_pwm_timing_t t;
    CHECK(fr30xx_pwm_timing(24000000, 1000, 32768, &t) && t.prescale == 1 && t.period == 24000 && t.duty == 12000,
        "1 kHz half duty: %u x %u, %u", (unsigned)t.prescale, (unsigned)t.period, (unsigned)t.duty);
    CHECK(fr30xx_pwm_timing(24000000, 50, 6554, &t) && t.prescale == 8 && t.period == 60000 && t.duty == 6000,
        "50 Hz servo range needs a prescaler: %u x %u, duty %u", (unsigned)t.prescale, (unsigned)t.period, (unsigned)t.duty);
    CHECK(fr30xx_pwm_timing(24000000, 12000000, 65535, &t) && t.period == 2 && t.duty == 1, "fastest: 2 counts, duty below the period");
    CHECK(fr30xx_pwm_timing(24000000, 1000, 1, &t) && t.duty == 1, "a tiny duty is one count, not off");
    CHECK(fr30xx_pwm_timing(24000000, 1000, 0, &t) && t.duty == 0, "duty 0 is off");
    CHECK(!fr30xx_pwm_timing(24000000, 12000001, 0, &t) && !fr30xx_pwm_timing(24000000, 0, 0, &t), "too fast and 0 Hz refused");
    CHECK(fr30xx_pwm_timing(24000000, 1, 100, &t) && t.period <= 65536 && t.prescale * t.period <= 24000000u &&
        24000000u - t.prescale * t.period <= t.prescale / 2, "1 Hz: nearest period with the smallest prescaler (%u x %u)", (unsigned)t.prescale, (unsigned)t.period);
    fr30xx_pwm_timing(24000000, 1000, 16384, &t);
    pwm.outsel = 0xFFFF;
    fr30xx_pwm_start(PWM1_BASE, 5, t);
    CHECK(SYS(0x30) & (1u << 5), "PWM1 clock gate (ClockEnable4 bit 5)");
    CHECK(pwm.edge[10] == 23999 && pwm.edge[11] == 23999 - 6000, "edges: Posedge Period-1, Negedge Period-1-duty (%u, %u)", (unsigned)pwm.edge[10], (unsigned)pwm.edge[11]);
    CHECK(pwm.freq[10] == 0 && pwm.freq[11] == 23999, "Prescale - 1, Period - 1");
    CHECK(pwm.outsel == (0xFFFFu & ~(1u << 5)), "OutputSelect bit cleared (PWM, not capture)");
    CHECK((pwm.update & (1u << 5)) && (pwm.cnt_en & (1u << 5)) && (pwm.chen & (1u << 5)), "update, counter and channel on");
    fr30xx_pwm_timing(24000000, 2000, 32768, &t);
    fr30xx_pwm_start(PWM1_BASE, 5, t);
    CHECK(pwm.freq[11] == 11999 && pwm.edge[11] == 11999 - 6000, "a running channel takes new values");
    fr30xx_pwm_stop(PWM1_BASE, 5);
    CHECK(!(pwm.chen & (1u << 5)) && !(pwm.cnt_en & (1u << 5)) && !(pwm.update & (1u << 5)), "stopped");
    t.duty = 0;
    fr30xx_pwm_start(PWM1_BASE, 6, t);
    CHECK(!(pwm.chen & (1u << 6)), "duty 0 leaves the channel off");
}

static void test_rtc(void) {
    spim.reg[FR30XX_PMU_CLK_EN] = 0x01;
    CHECK(fr30xx_rtc_start() && spim.reg[FR30XX_PMU_CLK_EN] == (0x01 | FR30XX_PMU_CLK_EN_RTC), "RTC clock enabled, other bits kept");
    rtc.counter = 0x12345678u;
    uint32_t c = 0;
    CHECK(fr30xx_rtc_read(&c, 10) && c == 0x12345678u && rtc.samples == 1, "sampled counter read (0x%08x)", (unsigned)c);
    CHECK(fr30xx_rtc_load(0xCAFEu) && rtc.counter == 0xCAFEu && rtc.loads == 1, "counter loaded");
    rtc.stuck = 1;
    CHECK(!fr30xx_rtc_read(&c, 10) && c == 0, "a sample that never completes times out");
    rtc.stuck = 0;
    spim.reg[FR30XX_PMU_RTC_CTRL] = 0;
    spim.dead = 1;
    CHECK(!fr30xx_rtc_read(&c, 10) && !fr30xx_rtc_load(1) && !fr30xx_rtc_start(), "dead PMU bus reported");
    spim.dead = 0;
}

static void test_adc(void) {
    const uint32_t D = gpio_bases[3];
    CHECK(fr30xx_saradc_input_of(3, 11) == 5 && fr30xx_saradc_input_of(3, 15) == 9, "PD11..PD15 are inputs 5..9");
    CHECK(fr30xx_saradc_input_of(3, 10) == -1 && fr30xx_saradc_input_of(2, 11) == -1, "other lines have none");
    /* Before init the block converts nothing: a read times out. */
    uint16_t v = 1;
    adc.uv[6] = 1000000;
    CHECK(fr30xx_saradc_read(SARADC_BASE, 6, 50, &v) == FR30XX_SARADC_ETIMEDOUT && v == 0, "unpowered: time-out");
    spim.reg[FR30XX_PMU_ADC_CTL] = 0x10;
    ADC_REG(0x40) = 1u; /* Analog_PD after reset */
    CHECK(fr30xx_saradc_init(SARADC_BASE, 50) == 0, "init");
    CHECK(SYS(0x44) & (1u << 8), "ADC clock gate (ClockEnable9 bit 8)");
    CHECK(spim.reg[FR30XX_PMU_ADC_CTL] == (0x10 | 0x04), "PMU ADC power on, other bits kept (0x%02x)", spim.reg[FR30XX_PMU_ADC_CTL]);
    uint32_t a0 = ADC_REG(0x40);
    CHECK(!(a0 & 1u) && (a0 & 4u) && (a0 & 8u), "analog powered, out of reset, input on (0x%x)", (unsigned)a0);
    CHECK(((a0 >> 12) & 3u) == 2 && (a0 & (1u << 14)) && ((ADC_REG(0x44) >> 4) & 3u) == 0, "internal 1.2 V reference with its buffer");
    CHECK(((a0 >> 10) & 3u) == 1 && ((a0 >> 4) & 0xFu) == 0xF, "1/4 divider, longest sampling time");
    CHECK(ADC_REG(0x08) == (12u | 0xFu << 8 | 0xFu << 12 | 6u << 16), "timing: clock div 24/2, time-outs 0xF, hold 6 (0x%x)", (unsigned)ADC_REG(0x08));
    CHECK(!(ADC_REG(0x04) & 1u) && ((ADC_REG(0x04) >> 16) & 0xFu) == 1, "loop mode, interval divider 1");
    /* PD12 as an analog input. */
    SYS(FR30XX_SYS_INPUT_EN_ADDR(3) - FR30XX_SYSTEM_BASE) = 0xFFFF;
    SYS(FR30XX_SYS_PULL_EN_ADDR(3) - FR30XX_SYSTEM_BASE) = 0xFFFF;
    SYS(FR30XX_SYS_FUNC_MUX_ADDR(3, 12) - FR30XX_SYSTEM_BASE) = 0x33333;
    gpio[3].oen = 0;
    fr30xx_gpio_analog(D, 12);
    CHECK(!(SYS(FR30XX_SYS_INPUT_EN_ADDR(3) - FR30XX_SYSTEM_BASE) & (1u << 12)), "input buffer off");
    CHECK(!(SYS(FR30XX_SYS_PULL_EN_ADDR(3) - FR30XX_SYSTEM_BASE) & (1u << 12)), "no pull");
    CHECK((gpio[3].oen & (1u << 12)) && gpio[3].oen == (1u << 12), "driver off, only that line");
    CHECK(SYS(FR30XX_SYS_FUNC_MUX_ADDR(3, 12) - FR30XX_SYSTEM_BASE) == 0x03333u, "function 0 on PD12 only (nibble 4 of H_FuncMux) (0x%x)",
        (unsigned)SYS(FR30XX_SYS_FUNC_MUX_ADDR(3, 12) - FR30XX_SYSTEM_BASE));
    /* Conversions: 1.0 V through 1/4 against 1.2 V is 853 of 4096. */
    ADC_REG(0x64) = 1u << 8 | 0x3u; /* differential, left over */
    CHECK(fr30xx_saradc_read(SARADC_BASE, 6, 50, &v) == 0 && v == 853, "1.0 V on input 6 reads 853 (%u)", (unsigned)v);
    CHECK(((ADC_REG(0x64) >> 4) & 0xFu) == 6 && !(ADC_REG(0x64) & (1u << 8)), "channel 0 single-ended on input 6");
    CHECK(!(ADC_REG(0x00) & 1u) && ADC_REG(0x50) == 0, "stopped and reset after the read");
    adc.uv[9] = 3300000;
    CHECK(fr30xx_saradc_read(SARADC_BASE, 9, 50, &v) == 0 && v == 2816, "3.3 V on input 9 reads 2816 (%u)", (unsigned)v);
    adc.uv[9] = 5000000;
    CHECK(fr30xx_saradc_read(SARADC_BASE, 9, 50, &v) == 0 && v == FR30XX_SARADC_RESULT_MAX, "above full scale clips at 4095");
    CHECK(fr30xx_saradc_read(SARADC_BASE, 16, 50, &v) == FR30XX_SARADC_EINVAL, "no input 16");
    /* A block that never gives a result: a bounded wait, then an error. */
    adc.dead = 1;
    int n = adc.conversions;
    CHECK(fr30xx_saradc_read(SARADC_BASE, 6, 50, &v) == FR30XX_SARADC_ETIMEDOUT && v == 0 && adc.conversions == n, "no result: time-out");
    CHECK(!(ADC_REG(0x00) & 1u), "and the block stopped");
    adc.dead = 0;
    adc.stuck = 1;
    CHECK(fr30xx_saradc_init(SARADC_BASE, 50) == FR30XX_SARADC_ETIMEDOUT, "analog reset never released: time-out");
    adc.stuck = 0;
    spim.dead = 1;
    CHECK(fr30xx_saradc_init(SARADC_BASE, 50) == FR30XX_SARADC_EBUS, "dead PMU bus reported");
    spim.dead = 0;
}

static void test_uart_frames(void) {
    uint32_t lcr;
    CHECK(dw_uart_lcr(8, 0, 1, &lcr) && lcr == DW_LCR_8N1, "8N1");
    CHECK(dw_uart_lcr(7, 2, 1, &lcr) && lcr == 0x1Au, "7E1: DLS 2, PEN, EPS (0x%02x)", (unsigned)lcr);
    CHECK(dw_uart_lcr(8, 1, 2, &lcr) && lcr == 0x0Fu, "8O2: DLS 3, STOP, PEN (0x%02x)", (unsigned)lcr);
    CHECK(dw_uart_lcr(5, 0, 1, &lcr) && lcr == 0, "5N1");
    CHECK(!dw_uart_lcr(9, 0, 1, &lcr) && !dw_uart_lcr(4, 0, 1, &lcr) && !dw_uart_lcr(8, 3, 1, &lcr) && !dw_uart_lcr(8, 0, 3, &lcr), "bad frames refused");
    static dw_uart_regs_t u;
    dw_uart_divisor_t d;
    CHECK(dw_uart_divisor(24000000, 9600, &d), "9600 at 24 MHz");
    dw_uart_init_lcr(&u, d, 0x1Au);
    CHECK(u.lcr == 0x1Au, "frame programmed, DLAB off (0x%02x)", (unsigned)u.lcr);
    CHECK(u.rbr_thr_dll == (d.divisor & 0xFFu) && u.dlf == d.fraction, "divisor latched");
    CHECK(u.ier_dlh == DW_IER_ERBFI, "RX interrupt enabled");
}

int main(void) {
    test_gpio();
    test_gpio_edges();
    test_i2c();
    test_ssi();
    test_timer();
    test_wdt();
    test_pwm();
    test_rtc();
    test_adc();
    test_uart_frames();
    printf("periph host test: %d checks, %d failures\n", checks, failures);
    return failures != 0;
}
