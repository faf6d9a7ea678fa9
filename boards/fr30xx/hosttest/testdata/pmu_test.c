/*
 * Host test of pmu.c and pmu_setup.c: built with the host compiler and
 * -DFR30XX_HOST_TEST, they run against a model of the FR30xx registers they
 * touch, which records every access in order. Exit status 0 means all checks
 * passed; each failure is printed.
 *
 * The model follows the vendor HAL (github.com/yangchengwork/hal_freqchip,
 * fr30xx_c/components/drivers), not our code:
 *  - FRSPIM (driver_frspim.h/.c): ctrl at 0xE0080000 with go 0, done 1, sel 2..3,
 *    len 4..6, op 8, ratio 12..13, addr 16..23; wdat 0x04, rdat 0x08. Writing go
 *    starts a transfer of len bytes between wdat/rdat (byte 0 first) and the PMU
 *    registers from addr; done reads 0 until it is over, then 1 (frspim_rd/wr
 *    wait with while(!ctrl.done)). go reads back 0 ("hw clear"). The bus only
 *    works with its clock gate on (ClockEnable9.FRSPIM_CLKEN) and on channel 0
 *    (FR_SPI_PMU_CHAN). A dead bus never reports done.
 *  - the PMU: 256 8-bit registers.
 *  - eFuse (driver_efuse.h/.c): SISO at 0x10140000 (Ctrl READ_MODE 0x01 starts
 *    a read, CHECK_DONE 0x04 reads 1 when it is over, Data0..2); PIPO0 at
 *    0x10150000 (Addr, Ctrl GO | READ_MODE starts, CHECK_DONE 0x10, RData). Both
 *    answer only with ClockEnable9.EFUSE0_CLKEN and EFUSE1_CLKEN on, which the
 *    HAL sets around its reads.
 */
#include <stdio.h>
#include <string.h>

#include "fr30xx_regs.h"
#include "pmu.h"

/* ---- the model -------------------------------------------------------------------- */

#define MAX_TRACE 4096
#define MAX_XFER 256

typedef struct {
    char op; /* 'R' or 'W' */
    uint32_t addr;
    uint32_t val;
    int masked; /* interrupts masked at the time */
} access_t;

typedef struct {
    char op; /* 'R' or 'W': a completed PMU transfer */
    uint8_t reg;
    uint8_t len;
    uint32_t val;
} xfer_t;

static struct {
    /* FRSPIM */
    uint32_t ctrl_fields; /* everything but go and done */
    int busy, polls_left;
    int done;
    uint32_t wdat, rdat;
    int done_after;     /* polls a transfer takes */
    int dead;           /* transfers never finish */
    int die_after;      /* >= 0: transfers after this many complete are dead */
    int completed;
    uint8_t pmu[256];
    /* SYSTEM ClockEnable9 */
    uint32_t clock_en9;
    /* eFuse */
    uint32_t siso_ctrl, siso_timing, siso_data[3];
    int siso_polls_left, siso_dead;
    uint32_t pipo_ctrl, pipo_addr, pipo_rdata;
    uint8_t pipo_bytes[256];
    int pipo_polls_left, pipo_dead;
    /* interrupts */
    int masked;
    /* records */
    access_t trace[MAX_TRACE];
    int ntrace;
    xfer_t xfers[MAX_XFER];
    int nxfers;
    int ctrl_reads, rdat_reads, gos; /* counted beyond the trace's length */
    int violations;
} m;

static int total_violations;

#include "check.h"

static void violation(const char *what, uint32_t addr, uint32_t val) {
    m.violations++;
    total_violations++;
    printf("FAIL model: %s (address 0x%08x, value 0x%08x)\n", what, (unsigned)addr, (unsigned)val);
}

static void reset_model(void) {
    memset(&m, 0, sizeof(m));
    m.done_after = 3;
    m.die_after = -1;
    m.clock_en9 = FR30XX_CLOCK_EN9_FRSPIM;
    m.ctrl_fields = 2u << 12; /* a ratio other than the HAL's forced 1: it must be kept */
    for (int i = 0; i < 256; i++) {
        m.pmu[i] = (uint8_t)(i * 37 + 11); /* distinct, known start values */
    }
}

static void record(char op, uint32_t addr, uint32_t val) {
    if (m.ntrace < MAX_TRACE) {
        m.trace[m.ntrace++] = (access_t){op, addr, val, m.masked};
    }
}

static void finish_transfer(void) {
    uint32_t c = m.ctrl_fields;
    uint8_t reg = (uint8_t)(c >> 16);
    unsigned len = (c >> 4) & 7u;
    int write = (c >> 8) & 1u;
    uint32_t val = 0;
    for (unsigned i = 0; i < len && i < 4; i++) {
        uint8_t r = (uint8_t)(reg + i);
        if (write) {
            m.pmu[r] = (uint8_t)(m.wdat >> (8 * i));
        } else {
            val |= (uint32_t)m.pmu[r] << (8 * i);
        }
    }
    if (write) {
        val = len >= 4 ? m.wdat : m.wdat & ((1u << (8 * len)) - 1u);
    } else {
        m.rdat = val;
    }
    if (m.nxfers < MAX_XFER) {
        m.xfers[m.nxfers++] = (xfer_t){write ? 'W' : 'R', reg, (uint8_t)len, val};
    }
    m.busy = 0;
    m.done = 1;
    m.completed++;
}

static void frspim_write(uint32_t addr, uint32_t val) {
    if (!m.masked) {
        violation("FRSPIM written with interrupts enabled", addr, val);
    }
    if (addr == FR30XX_FRSPIM_WDAT_ADDR) {
        if (m.busy) {
            violation("wdat written during a transfer", addr, val);
        }
        m.wdat = val;
        return;
    }
    if (addr != FR30XX_FRSPIM_CTRL_ADDR) {
        violation("write to a read-only or unknown FRSPIM register", addr, val);
        return;
    }
    if (m.busy) {
        violation("ctrl written during a transfer", addr, val);
    }
    m.ctrl_fields = val & ~(FR30XX_FRSPIM_CTRL_GO | FR30XX_FRSPIM_CTRL_DONE);
    if (val & FR30XX_FRSPIM_CTRL_GO) {
        m.gos++;
        unsigned len = (val >> 4) & 7u;
        if (len < 1 || len > 4) {
            violation("transfer length outside 1..4", addr, val);
        }
        if ((val & FR30XX_FRSPIM_CTRL_SEL_MASK) != 0) {
            violation("channel is not the PMU's (FR_SPI_PMU_CHAN = 0)", addr, val);
        }
        m.busy = 1;
        m.done = 0;
        m.polls_left = m.done_after;
    }
}

static uint32_t frspim_read(uint32_t addr) {
    if (!m.masked) {
        violation("FRSPIM read with interrupts enabled", addr, 0);
    }
    if (addr == FR30XX_FRSPIM_RDAT_ADDR) {
        m.rdat_reads++;
        if (m.busy) {
            violation("rdat read during a transfer", addr, 0);
        }
        return m.rdat;
    }
    if (addr == FR30XX_FRSPIM_WDAT_ADDR) {
        return m.wdat;
    }
    if (addr != FR30XX_FRSPIM_CTRL_ADDR) {
        violation("read of an unknown FRSPIM register", addr, 0);
        return 0;
    }
    m.ctrl_reads++;
    int stuck = m.dead || !(m.clock_en9 & FR30XX_CLOCK_EN9_FRSPIM) ||
        (m.die_after >= 0 && m.completed >= m.die_after);
    if (m.busy && !stuck && --m.polls_left <= 0) {
        finish_transfer();
    }
    return m.ctrl_fields | (m.done ? FR30XX_FRSPIM_CTRL_DONE : 0);
}

static int efuse_clocked(void) {
    const uint32_t both = FR30XX_CLOCK_EN9_EFUSE0 | FR30XX_CLOCK_EN9_EFUSE1;
    return (m.clock_en9 & both) == both;
}

static void efuse_write(uint32_t addr, uint32_t val) {
    switch (addr) {
        case FR30XX_EFUSE_SISO_TIMING_ADDR:
            m.siso_timing = val;
            break;
        case FR30XX_EFUSE_SISO_CTRL_ADDR:
            /* read mode starts a read; done written back acknowledges it */
            if ((val & FR30XX_EFUSE_SISO_READ) && !(val & FR30XX_EFUSE_SISO_DONE)) {
                m.siso_polls_left = 2;
            }
            m.siso_ctrl = val & ~FR30XX_EFUSE_SISO_DONE;
            break;
        case FR30XX_EFUSE_PIPO_ADDR_ADDR:
            m.pipo_addr = val;
            break;
        case FR30XX_EFUSE_PIPO_CTRL_ADDR:
            if ((val & (FR30XX_EFUSE_PIPO_GO | FR30XX_EFUSE_PIPO_READ)) ==
                (FR30XX_EFUSE_PIPO_GO | FR30XX_EFUSE_PIPO_READ)) {
                m.pipo_polls_left = 2;
                m.pipo_ctrl = val & ~FR30XX_EFUSE_PIPO_DONE;
            } else {
                m.pipo_ctrl = val;
            }
            break;
        default:
            violation("write to an unknown eFuse register", addr, val);
    }
}

static uint32_t efuse_read(uint32_t addr) {
    switch (addr) {
        case FR30XX_EFUSE_SISO_CTRL_ADDR:
            if ((m.siso_ctrl & FR30XX_EFUSE_SISO_READ) && efuse_clocked() && !m.siso_dead &&
                m.siso_polls_left > 0 && --m.siso_polls_left == 0) {
                m.siso_ctrl |= FR30XX_EFUSE_SISO_DONE;
            }
            return m.siso_ctrl;
        case FR30XX_EFUSE_SISO_TIMING_ADDR:
            return m.siso_timing;
        case FR30XX_EFUSE_SISO_DATA_ADDR(0):
        case FR30XX_EFUSE_SISO_DATA_ADDR(1):
        case FR30XX_EFUSE_SISO_DATA_ADDR(2):
            if (!efuse_clocked()) {
                violation("eFuse data read with its clock off", addr, 0);
            }
            return m.siso_data[(addr - FR30XX_EFUSE_SISO_DATA_ADDR(0)) / 4];
        case FR30XX_EFUSE_PIPO_CTRL_ADDR:
            if ((m.pipo_ctrl & FR30XX_EFUSE_PIPO_READ) && efuse_clocked() && !m.pipo_dead &&
                m.pipo_polls_left > 0 && --m.pipo_polls_left == 0) {
                m.pipo_ctrl |= FR30XX_EFUSE_PIPO_DONE;
                m.pipo_rdata = m.pipo_bytes[m.pipo_addr & 0xFFu];
            }
            return m.pipo_ctrl;
        case FR30XX_EFUSE_PIPO_RDATA_ADDR:
            return m.pipo_rdata;
        default:
            violation("read of an unknown eFuse register", addr, 0);
            return 0;
    }
}

uint32_t fr30xx_read32(uint32_t addr) {
    uint32_t val;
    if (addr >= FR30XX_FRSPIM_BASE && addr < FR30XX_FRSPIM_BASE + 0x10u) {
        val = frspim_read(addr);
    } else if ((addr & ~0xFFFu) == FR30XX_EFUSE_SISO_BASE || (addr & ~0xFFFu) == FR30XX_EFUSE_PIPO0_BASE) {
        val = efuse_read(addr);
    } else if (addr == FR30XX_SYS_CLOCK_EN9_ADDR) {
        val = m.clock_en9;
    } else {
        violation("read of an address the model does not know", addr, 0);
        val = 0;
    }
    record('R', addr, val);
    return val;
}

void fr30xx_write32(uint32_t addr, uint32_t val) {
    record('W', addr, val);
    if (addr >= FR30XX_FRSPIM_BASE && addr < FR30XX_FRSPIM_BASE + 0x10u) {
        frspim_write(addr, val);
    } else if ((addr & ~0xFFFu) == FR30XX_EFUSE_SISO_BASE || (addr & ~0xFFFu) == FR30XX_EFUSE_PIPO0_BASE) {
        if (!efuse_clocked()) {
            violation("eFuse written with its clock off", addr, val);
        }
        efuse_write(addr, val);
    } else if (addr == FR30XX_SYS_CLOCK_EN9_ADDR) {
        m.clock_en9 = val;
    } else {
        violation("write to an address the model does not know", addr, val);
    }
}

uint32_t fr30xx_irq_save(void) {
    uint32_t old = (uint32_t)m.masked;
    m.masked = 1;
    return old;
}

void fr30xx_irq_restore(uint32_t state) {
    m.masked = (int)state;
}

/* ---- helpers ----------------------------------------------------------------------- */

static const char *addr_name(uint32_t a) {
    switch (a) {
        case FR30XX_FRSPIM_CTRL_ADDR: return "FRSPIM ctrl";
        case FR30XX_FRSPIM_WDAT_ADDR: return "FRSPIM wdat";
        case FR30XX_FRSPIM_RDAT_ADDR: return "FRSPIM rdat";
        case FR30XX_SYS_CLOCK_EN9_ADDR: return "ClockEnable9";
        case FR30XX_EFUSE_SISO_CTRL_ADDR: return "SISO Ctrl";
        case FR30XX_EFUSE_SISO_TIMING_ADDR: return "SISO Timing";
        case FR30XX_EFUSE_SISO_DATA_ADDR(0): return "SISO Data0";
        case FR30XX_EFUSE_SISO_DATA_ADDR(1): return "SISO Data1";
        case FR30XX_EFUSE_SISO_DATA_ADDR(2): return "SISO Data2";
        case FR30XX_EFUSE_PIPO_CTRL_ADDR: return "PIPO0 Ctrl";
        case FR30XX_EFUSE_PIPO_ADDR_ADDR: return "PIPO0 Addr";
        case FR30XX_EFUSE_PIPO_RDATA_ADDR: return "PIPO0 RData";
        default: return "?";
    }
}

static void print_trace(void) {
    printf("  actual accesses:\n");
    for (int i = 0; i < m.ntrace; i++) {
        printf("    %c %-12s 0x%08x%s\n", m.trace[i].op, addr_name(m.trace[i].addr),
            (unsigned)m.trace[i].val, m.trace[i].masked ? "" : "  (interrupts on)");
    }
}

static void check_trace(const char *title, const access_t *want, int nwant) {
    int ok = m.ntrace == nwant;
    for (int i = 0; ok && i < nwant; i++) {
        ok = m.trace[i].op == want[i].op && m.trace[i].addr == want[i].addr && m.trace[i].val == want[i].val;
    }
    CHECK(ok, "%s: register access sequence differs", title);
    if (!ok) {
        print_trace();
        printf("  expected:\n");
        for (int i = 0; i < nwant; i++) {
            printf("    %c %-12s 0x%08x\n", want[i].op, addr_name(want[i].addr), (unsigned)want[i].val);
        }
    }
}

static void print_xfers(void) {
    printf("  actual PMU transfers:\n");
    for (int i = 0; i < m.nxfers; i++) {
        printf("    %c reg 0x%02x len %u 0x%x\n", m.xfers[i].op, m.xfers[i].reg, m.xfers[i].len,
            (unsigned)m.xfers[i].val);
    }
}

/* The PMU writes, in order (reads are not compared: the HAL reads some
 * registers twice where the driver reads once). */
static void check_pmu_writes(const char *title, const xfer_t *want, int nwant) {
    int n = 0, ok = 1;
    for (int i = 0; i < m.nxfers; i++) {
        if (m.xfers[i].op != 'W') {
            continue;
        }
        if (n >= nwant || m.xfers[i].reg != want[n].reg || m.xfers[i].len != want[n].len ||
            m.xfers[i].val != want[n].val) {
            ok = 0;
        }
        n++;
    }
    ok = ok && n == nwant;
    CHECK(ok, "%s: PMU writes differ", title);
    if (!ok) {
        print_xfers();
        printf("  expected writes:\n");
        for (int i = 0; i < nwant; i++) {
            printf("    W reg 0x%02x len %u 0x%x\n", want[i].reg, want[i].len, (unsigned)want[i].val);
        }
    }
}

#define CTRL FR30XX_FRSPIM_CTRL_ADDR
#define WDAT FR30XX_FRSPIM_WDAT_ADDR
#define RDAT FR30XX_FRSPIM_RDAT_ADDR
#define R(a, v) {'R', (a), (v), 1}
#define W(a, v) {'W', (a), (v), 1}
#define PW(reg, v) {'W', (reg), 1, (v)}
#define PW2(reg, v) {'W', (reg), 2, (v)}
#define PW4(reg, v) {'W', (reg), 4, (v)}
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- the bus ------------------------------------------------------------------------- */

/* A one-byte read: ctrl read once for its ratio, one ctrl write with len 1,
 * channel 0, op read, the address and go, done polled, then rdat. */
static void test_read_sequence(void) {
    reset_model();
    m.pmu[0x5A] = 0xC3;
    uint8_t v = 0;
    int ok = pmu_read(0x5A, &v);
    CHECK(ok && v == 0xC3, "pmu_read(0x5a) = %d, 0x%02x; want 1, 0xc3", ok, v);
    const uint32_t go = 0x2000u | 0x5Au << 16 | 1u << 4;
    const access_t want[] = {
        R(CTRL, 0x2000), W(CTRL, go | 1u), R(CTRL, go), R(CTRL, go), R(CTRL, go | 2u), R(RDAT, 0xC3),
    };
    check_trace("one-byte read", want, N(want));
    CHECK(m.masked == 0, "interrupts left masked after pmu_read");
}

/* A one-byte write: wdat, then ctrl with op write and go, done polled. */
static void test_write_sequence(void) {
    reset_model();
    int ok = pmu_write(0x10, 0x02);
    CHECK(ok && m.pmu[0x10] == 0x02, "pmu_write(0x10, 0x02) = %d, register 0x%02x", ok, m.pmu[0x10]);
    const uint32_t go = 0x2000u | 0x10u << 16 | 1u << 8 | 1u << 4;
    const access_t want[] = {
        W(WDAT, 0x02), R(CTRL, 0x2000), W(CTRL, go | 1u), R(CTRL, go), R(CTRL, go), R(CTRL, go | 2u),
    };
    check_trace("one-byte write", want, N(want));
    CHECK(m.masked == 0, "interrupts left masked after pmu_write");
}

/* With ratio 1 in ctrl, the go word is the HAL's own constant: 0x1011 | addr << 16
 * for a read (frspim_rd_ram, frspim_rd_front), 0x1111 | addr << 16 for a write. */
static void test_ctrl_word_matches_hal_constants(void) {
    reset_model();
    m.ctrl_fields = 1u << 12;
    uint8_t v;
    pmu_read(0xA7, &v);
    CHECK(m.ntrace >= 2 && m.trace[1].op == 'W' && m.trace[1].val == (0x00001011u | 0xA7u << 16),
        "read go word 0x%08x, want 0x%08x", (unsigned)m.trace[1].val, (unsigned)(0x00001011u | 0xA7u << 16));
    reset_model();
    m.ctrl_fields = 1u << 12;
    pmu_write(0x3C, 0x55);
    CHECK(m.ntrace >= 3 && m.trace[2].op == 'W' && m.trace[2].val == (0x00001111u | 0x3Cu << 16),
        "write go word 0x%08x, want 0x%08x", (unsigned)m.trace[2].val, (unsigned)(0x00001111u | 0x3Cu << 16));
}

static void test_multi_byte(void) {
    reset_model();
    CHECK(pmu_write_n(0x13, 4, 300), "pmu_write_n(0x13, 4, 300) failed");
    CHECK(m.pmu[0x13] == 0x2C && m.pmu[0x14] == 0x01 && m.pmu[0x15] == 0 && m.pmu[0x16] == 0,
        "32-bit write: registers 0x13..0x16 = %02x %02x %02x %02x, want 2c 01 00 00",
        m.pmu[0x13], m.pmu[0x14], m.pmu[0x15], m.pmu[0x16]);
    uint8_t before = m.pmu[0x13];
    CHECK(pmu_write_n(0x11, 2, 0xAB000Au), "pmu_write_n(0x11, 2) failed");
    CHECK(m.pmu[0x11] == 0x0A && m.pmu[0x12] == 0x00 && m.pmu[0x13] == before,
        "16-bit write touched %02x %02x %02x, want 0a 00 %02x", m.pmu[0x11], m.pmu[0x12], m.pmu[0x13], before);
    m.pmu[0x32] = 0x34;
    m.pmu[0x33] = 0x12;
    uint32_t v = 0;
    CHECK(pmu_read_n(0x32, 2, &v) && v == 0x1234, "pmu_read_n(0x32, 2) = 0x%x, want 0x1234", (unsigned)v);
    CHECK(pmu_read_n(0x13, 4, &v) && v == 300, "pmu_read_n(0x13, 4) = %u, want 300", (unsigned)v);
}

static void test_bad_length(void) {
    reset_model();
    uint32_t v = 7;
    CHECK(!pmu_read_n(0x10, 0, &v) && v == 0, "pmu_read_n with len 0 accepted");
    CHECK(!pmu_read_n(0x10, 5, &v) && v == 0, "pmu_read_n with len 5 accepted");
    CHECK(!pmu_write_n(0x10, 5, 1), "pmu_write_n with len 5 accepted");
    CHECK(m.ntrace == 0, "a rejected length reached the bus (%d accesses)", m.ntrace);
}

/* A dead bus: the read gives up after PMU_BUS_POLLS polls of done, never
 * reads rdat, returns false with 0, and puts interrupts back. */
static void test_timeout(void) {
    reset_model();
    m.dead = 1;
    uint8_t v = 0x77;
    int ok = pmu_read(0x20, &v);
    CHECK(!ok && v == 0, "pmu_read on a dead bus = %d, 0x%02x; want 0, 0", ok, v);
    CHECK(m.gos == 1 && m.ctrl_reads == 1 + (int)PMU_BUS_POLLS,
        "dead bus: %d transfers started, done polled %d times; want 1, %u", m.gos, m.ctrl_reads - 1, PMU_BUS_POLLS);
    CHECK(m.rdat_reads == 0, "rdat read after a time-out");
    CHECK(m.masked == 0, "interrupts left masked after a time-out");

    /* Each call below meets a fresh stuck transfer (what the controller does
     * after a time-out is not documented). */
    m.busy = 0;
    m.ntrace = 0;
    CHECK(!pmu_write(0x20, 1), "pmu_write on a dead bus reported success");
    m.busy = 0;
    m.ntrace = 0;
    CHECK(!pmu_modify(0x20, 0x0F, 1), "pmu_modify on a dead bus reported success");
    int writes = 0;
    for (int i = 0; i < m.ntrace; i++) {
        writes += m.trace[i].op == 'W' && m.trace[i].addr == WDAT;
    }
    CHECK(writes == 0, "pmu_modify wrote after its read timed out");

    /* Interrupts masked by the caller stay masked. */
    m.busy = 0;
    m.masked = 1;
    pmu_read(0x20, &v);
    CHECK(m.masked == 1, "pmu_read unmasked interrupts the caller had masked");
}

static void test_modify(void) {
    reset_model();
    m.pmu[0x40] = 0x3C;
    CHECK(pmu_modify(0x40, 0xF0, 0xAB) && m.pmu[0x40] == 0xAC, "pmu_modify(0x40, 0xf0, 0xab) on 0x3c = 0x%02x, want 0xac",
        m.pmu[0x40]);
    CHECK(m.nxfers == 2 && m.xfers[0].op == 'R' && m.xfers[1].op == 'W', "pmu_modify: %d transfers, want a read and a write",
        m.nxfers);
    reset_model();
    CHECK(pmu_modify(0x40, 0xFF, 0x12) && m.pmu[0x40] == 0x12, "pmu_modify with mask 0xff");
    CHECK(m.nxfers == 1 && m.xfers[0].op == 'W', "pmu_modify with mask 0xff read first (%d transfers)", m.nxfers);
}

/* ---- machine.reset() --------------------------------------------------------------- */

/* system_reset() -> iwdt_init(300, 10, interrupt off) + iwdt_Enable(). */
static void test_chip_reset(void) {
    reset_model();
    uint8_t clk = m.pmu[FR30XX_PMU_CLK_EN], ctrl_old;
    uint16_t mask = (uint16_t)(m.pmu[0x32] | m.pmu[0x33] << 8);
    pmu_chip_reset();
    ctrl_old = FR30XX_PMU_WDT_RST_CHIP; /* what the write before the enable left */
    const xfer_t want[] = {
        PW(0x04, clk | 0x02u),                  /* PMU_REG_CLK_EN |= PMU_WDT_CLK_EN_BIT */
        PW4(0x13, 300),                         /* iwdt_Set_Count */
        PW2(0x11, 10),                          /* iwdt_Set_Timeout */
        PW(0x10, 0x02),                         /* WDT_INT_DISABLE | PMU_WDT_RST_CHIP_BIT */
        PW2(0x32, mask & ~1u),                  /* pmu_disable_isr(PMU_WDT_INT_MSK_BIT) */
        PW(0x10, ctrl_old | 0x01u),             /* iwdt_Enable */
    };
    check_pmu_writes("chip reset", want, N(want));
    CHECK(m.xfers[m.nxfers - 1].op == 'W' && m.xfers[m.nxfers - 1].reg == 0x10,
        "the watchdog enable is not the last transfer");
    CHECK(m.violations == 0, "chip reset: %d model violations", m.violations);
    CHECK(m.masked == 0, "pmu_chip_reset returned with interrupts masked");

    reset_model();
    m.dead = 1;
    pmu_chip_reset();
    CHECK(m.gos == 1, "chip reset on a dead bus started %d transfers, want 1", m.gos);
    CHECK(m.masked == 0, "pmu_chip_reset on a dead bus left interrupts masked");
}

/* ---- the set-up: eFuse in, PMU writes out ------------------------------------------ */

/* pmu_init()'s writes after the trims, in its order, computed from the model's
 * start values the way its code computes them. */
static int pmu_init_writes(xfer_t *out, const uint8_t *start, int version_b) {
    int n = 0;
    static const uint8_t counts[][2] = {
        {0x01, 0x03}, {0x70, 0xD8}, {0x71, 0xA1}, {0x72, 0x82}, {0x73, 0x22}, {0x74, 0x22}, {0x75, 0x22},
        {0x76, 0x66}, {0x77, 0x66}, {0x78, 0x68}, {0x7A, 0x2B}, {0x79, 0x69}, {0x7B, 0x66}, {0x7C, 0x28},
        {0x7D, 0x68}, {0x7E, 0x2C}, {0x7F, 0x37}, {0x80, 0x57}, {0x81, 0x57}, {0x82, 0x57}, {0x83, 0x38},
    };
    for (int i = 0; i < N(counts); i++) {
        out[n++] = (xfer_t)PW(counts[i][0], counts[i][1]);
    }
    out[n++] = (xfer_t)PW(0xF0, 0x60);
    out[n++] = (xfer_t)PW(0xF0, 0x70);
    uint8_t osc1 = start[0xEA] & ~0x04u;
    out[n++] = (xfer_t)PW(0xEA, osc1);
    osc1 |= 0x02u | 0x01u;
    out[n++] = (xfer_t)PW(0xEA, osc1);
    osc1 &= (uint8_t)~(0x80u | 0x04u);
    out[n++] = (xfer_t)PW(0xEA, osc1);
    out[n++] = (xfer_t)PW(0x61, start[0x61] | 0x08u);
    out[n++] = (xfer_t)PW(0xDC, 0x43);
    out[n++] = (xfer_t)PW(0xD6, 0x73);
    out[n++] = (xfer_t)PW(0xDF, 0x73);
    out[n++] = (xfer_t)PW(0xE5, start[0xE5] | 0x10u);
    out[n++] = (xfer_t)PW(0xE7, start[0xE7] | 0x10u);
    out[n++] = (xfer_t)PW(0x04, 0x01);           /* PMU_REG_CLK_EN = PMU_LP_TICK_CLK_EN_BIT */
    out[n++] = (xfer_t)PW(0x06, 0x02 | 0x20);    /* PMU_SLP_CPU_EN_BIT | PMU_WK_IRQ_EN_BIT */
    out[n++] = (xfer_t)PW(0x04, 0x01 | 0x04);    /* | PMU_RTC_CLK_EN_BIT */
    out[n++] = (xfer_t)PW2(0x32, (uint32_t)(start[0x32] | start[0x33] << 8) | 0x04u);
    out[n++] = (xfer_t)PW(0x57, 0x03);
    out[n++] = (xfer_t)PW(0x85, 0xFF);
    out[n++] = (xfer_t)PW(0x63, 0x18);
    out[n++] = (xfer_t)PW(0x64, start[0x64] | 0x80u | 0x20u);
    out[n++] = (xfer_t)PW(0xED, 0x20);
    out[n++] = (xfer_t)PW(0xE9, 0x2A);
    out[n++] = (xfer_t)PW(0xE8, 0xA2);
    if (version_b) {
        out[n++] = (xfer_t)PW(0xC0, start[0xC0] & ~0x40u);
    }
    return n;
}

static int efuse_sequence_ok(void) {
    /* Clocks on, SISO timing then read mode, PIPO0 address then go, clocks off. */
    int on = -1, timing = -1, siso_go = -1, pipo_addr = -1, pipo_go = -1, off = -1;
    const uint32_t both = FR30XX_CLOCK_EN9_EFUSE0 | FR30XX_CLOCK_EN9_EFUSE1;
    for (int i = 0; i < m.ntrace; i++) {
        const access_t *a = &m.trace[i];
        if (a->op != 'W') {
            continue;
        }
        if (a->addr == FR30XX_SYS_CLOCK_EN9_ADDR && (a->val & both) == both && on < 0) {
            on = i;
        } else if (a->addr == FR30XX_SYS_CLOCK_EN9_ADDR && (a->val & both) == 0 && on >= 0) {
            off = i;
        } else if (a->addr == FR30XX_EFUSE_SISO_TIMING_ADDR && a->val == 0x2401) {
            timing = i;
        } else if (a->addr == FR30XX_EFUSE_SISO_CTRL_ADDR && a->val == 0x01) {
            siso_go = i;
        } else if (a->addr == FR30XX_EFUSE_PIPO_ADDR_ADDR && a->val == 0) {
            pipo_addr = i;
        } else if (a->addr == FR30XX_EFUSE_PIPO_CTRL_ADDR && a->val == 0x09) {
            pipo_go = i;
        }
    }
    return on >= 0 && on < timing && timing < siso_go && siso_go < pipo_addr && pipo_addr < pipo_go &&
        pipo_go < off;
}

/* An untrimmed (blank) eFuse: the HAL's defaults, PKVDD_CTRL = 0xBA and
 * PKVDDH_CTRL_1 = 0x37, no buck or LDO trims, CP version B. */
static void test_setup_blank_efuse(void) {
    reset_model();
    uint8_t start[256];
    memcpy(start, m.pmu, sizeof(start));
    pmu_setup_status_t st = pmu_setup();
    CHECK(st.bus_ok && st.efuse_ok && !st.trimmed, "blank eFuse: status %d %d %d", st.bus_ok, st.efuse_ok, st.trimmed);
    xfer_t want[80];
    int n = 0;
    want[n++] = (xfer_t)PW(0xEF, 0xBA);
    want[n++] = (xfer_t)PW(0xF1, 0x37);
    n += pmu_init_writes(&want[n], start, 1);
    check_pmu_writes("blank eFuse", want, n);
    CHECK(efuse_sequence_ok(), "blank eFuse: eFuse access sequence wrong");
    if (!efuse_sequence_ok()) {
        print_trace();
    }
    CHECK((m.clock_en9 & (FR30XX_CLOCK_EN9_EFUSE0 | FR30XX_CLOCK_EN9_EFUSE1)) == 0, "eFuse clocks left on");
    CHECK(m.violations == 0, "blank eFuse: %d model violations", m.violations);
    CHECK(m.masked == 0, "interrupts left masked after pmu_setup");
}

/* Builds the eFuse words from field values, in the layout of
 * triming_byte_alignment_conversion(). */
static void set_efuse(uint8_t sbg, uint8_t pkvdd, uint8_t spkvdd, uint32_t wafer, uint8_t sbuck, uint8_t ioldo1,
    uint8_t ioldo2, uint8_t chg_gt, uint8_t chg_ter, uint8_t chg_smp, uint8_t iobuck) {
    m.siso_data[0] = (uint32_t)sbg << 5 | (uint32_t)pkvdd << 10 | (uint32_t)spkvdd << 14 | (wafer & 0xFu) << 28;
    m.siso_data[1] = (wafer >> 4) | (uint32_t)sbuck << 21 | (uint32_t)ioldo1 << 24 | (uint32_t)ioldo2 << 28;
    m.siso_data[2] = chg_gt | (uint32_t)chg_ter << 9 | (uint32_t)chg_smp << 12;
    m.pipo_bytes[0] = iobuck;
}

/* A trimmed chip, codes within range: every write is the HAL's expression. */
static void test_setup_trimmed(void) {
    reset_model();
    /* wafer ID 0x5A5A5A: version bits 22..23 = 1 (CP_VERSION_C), so no ADKEY write */
    set_efuse(0x13, 12, 3, 0x5A5A5A, 2, 3, 4, 1, 3, 2, 6);
    m.pmu[0xF3] = 0xA7; /* SBG_CFG */
    m.pmu[0xEF] = 0x35; /* PKVDD_CTRL */
    m.pmu[0xF1] = 0x68; /* PKVDDH_CTRL_1 */
    m.pmu[0xDB] = 0x64; /* SYSBUCK_CTRL_0, field 4 */
    m.pmu[0xE4] = 0x27; /* IOLDO1_CTRL_0, field 7 */
    m.pmu[0xE6] = 0x95; /* IOLDO2_CTRL_0, field 5 */
    m.pmu[0xC9] = 0x12; /* CHG_GT_CTL, field 2 */
    m.pmu[0xD2] = 0x48; /* IOBUCK_CTRL_0, field 8 */
    m.pmu[0xCB] = 0xD3; /* CHG_CFG_CB: bits 0..2 = 3 */
    m.pmu[0xD1] = 0x5D; /* CHG_SMP_CTL, field 5 */
    uint8_t start[256];
    memcpy(start, m.pmu, sizeof(start));
    pmu_setup_status_t st = pmu_setup();
    CHECK(st.bus_ok && st.efuse_ok && st.trimmed, "trimmed: status %d %d %d", st.bus_ok, st.efuse_ok, st.trimmed);
    xfer_t want[80];
    int n = 0;
    want[n++] = (xfer_t)PW(0xF3, 0xB3);  /* (0xA7 & 0xE0) | 0x13 */
    want[n++] = (xfer_t)PW(0xEF, 0x95);  /* pkvdd 25 - 12 = 13, wake-up 13 - 4 = 9: (0x35 & 0x0F) | 9 << 4 */
    want[n++] = (xfer_t)PW(0xF1, 0x6E);  /* 17 - 3 = 14: (0x68 & 0xF0) | 14 */
    want[n++] = (xfer_t)PW(0xDB, 0x65);  /* 4 + (3 - 2) */
    want[n++] = (xfer_t)PW(0xE4, 0x26);  /* 7 + (2 - 3) */
    want[n++] = (xfer_t)PW(0xE6, 0x95);  /* 5 + (4 - 4) */
    want[n++] = (xfer_t)PW(0xC9, 0x13);  /* 2 + (2 - 1) */
    want[n++] = (xfer_t)PW(0xD2, 0x47);  /* 8 + (5 - 6) */
    want[n++] = (xfer_t)PW(0xCB, 0xC3);  /* (0xD3 & 0x8F) | ((0xD3 & 7) + (4 - 3)) << 4 */
    want[n++] = (xfer_t)PW(0xD1, 0x5D);  /* 2 - 2 = 0 < 1: 5 + 0 */
    n += pmu_init_writes(&want[n], start, 0);
    check_pmu_writes("trimmed", want, n);
    CHECK(m.violations == 0, "trimmed: %d model violations", m.violations);
}

/* Codes whose sums fall outside the field: limited to it (the HAL would spill
 * into the neighbouring bits). CHG_TER 7 gives 4 - 7 <= -2: end voltage 0;
 * CHG_SMP 0 gives 2 - 0 >= 1: 7. Wafer ID bits 22..23 = 0: CP_VERSION_B. */
static void test_setup_clamped(void) {
    reset_model();
    set_efuse(0x1F, 0, 15, 0x100001, 7, 0, 15, 7, 7, 0, 15);
    m.pmu[0xDB] = 0x61; /* 1 + (3 - 7) = -3 -> 0 */
    m.pmu[0xE4] = 0x2F; /* 15 + (2 - 0) = 17 -> 15 */
    m.pmu[0xE6] = 0x91; /* 1 + (4 - 15) -> 0 */
    m.pmu[0xC9] = 0x10; /* 0 + (2 - 7) -> 0 */
    m.pmu[0xD2] = 0x41; /* 1 + (5 - 15) -> 0 */
    m.pmu[0xCB] = 0xF7;
    m.pmu[0xD1] = 0x50;
    m.pmu[0xEF] = 0x00;
    m.pmu[0xF1] = 0xFF;
    uint8_t start[256];
    memcpy(start, m.pmu, sizeof(start));
    pmu_setup_status_t st = pmu_setup();
    CHECK(st.bus_ok && st.trimmed, "clamped: status %d %d", st.bus_ok, st.trimmed);
    xfer_t want[80];
    int n = 0;
    want[n++] = (xfer_t)PW(0xF3, (start[0xF3] & 0xE0u) | 0x1Fu);
    want[n++] = (xfer_t)PW(0xEF, 0xF0);  /* 25 - 0 - 4 = 21 -> 15 */
    want[n++] = (xfer_t)PW(0xF1, 0xF2);  /* 17 - 15 = 2 */
    want[n++] = (xfer_t)PW(0xDB, 0x60);
    want[n++] = (xfer_t)PW(0xE4, 0x2F);
    want[n++] = (xfer_t)PW(0xE6, 0x90);
    want[n++] = (xfer_t)PW(0xC9, 0x10);
    want[n++] = (xfer_t)PW(0xD2, 0x40);
    want[n++] = (xfer_t)PW(0xCB, 0x87);  /* bits 4..6 cleared */
    want[n++] = (xfer_t)PW(0xD1, 0x57);
    n += pmu_init_writes(&want[n], start, 1);
    check_pmu_writes("clamped", want, n);
}

/* Word 0 without word 1: the wafer ID is word 0's four bits, and nothing of
 * word 1's block (bucks, LDOs, charger) is trimmed; a PIPO0 byte alone does
 * nothing either (IOBUCK is applied only with SBUCK_CODE). */
static void test_setup_word0_only(void) {
    reset_model();
    m.siso_data[0] = 0x10000000u | 0x05u << 5 | 0x02u << 10 | 0x01u << 14; /* wafer ID 1 */
    m.pipo_bytes[0] = 0x0F;
    uint8_t start[256];
    memcpy(start, m.pmu, sizeof(start));
    pmu_setup_status_t st = pmu_setup();
    CHECK(st.trimmed, "word 0 only: not seen as trimmed");
    xfer_t want[80];
    int n = 0;
    want[n++] = (xfer_t)PW(0xF3, (start[0xF3] & 0xE0u) | 0x05u);
    want[n++] = (xfer_t)PW(0xEF, (start[0xEF] & 0x0Fu) | 0xF0u); /* 25 - 2 - 4 = 19 -> 15 */
    want[n++] = (xfer_t)PW(0xF1, (start[0xF1] & 0xF0u) | 0x0Fu); /* 17 - 1 = 16 -> 15 */
    n += pmu_init_writes(&want[n], start, 1);
    check_pmu_writes("word 0 only", want, n);
}

/* An eFuse that never answers: reported, and the chip set up as untrimmed. */
static void test_setup_efuse_timeout(void) {
    reset_model();
    set_efuse(0x13, 12, 3, 0x5A5A5A, 2, 3, 4, 1, 3, 2, 6);
    m.siso_dead = 1;
    uint8_t start[256];
    memcpy(start, m.pmu, sizeof(start));
    pmu_setup_status_t st = pmu_setup();
    CHECK(st.bus_ok && !st.efuse_ok && !st.trimmed, "eFuse time-out: status %d %d %d", st.bus_ok, st.efuse_ok,
        st.trimmed);
    xfer_t want[80];
    int n = 0;
    want[n++] = (xfer_t)PW(0xEF, 0xBA);
    want[n++] = (xfer_t)PW(0xF1, 0x37);
    n += pmu_init_writes(&want[n], start, 1);
    check_pmu_writes("eFuse time-out", want, n);
    CHECK((m.clock_en9 & (FR30XX_CLOCK_EN9_EFUSE0 | FR30XX_CLOCK_EN9_EFUSE1)) == 0,
        "eFuse clocks left on after a time-out");
}

/* The bus dies: the set-up stops at the first transfer that times out and
 * names its register. */
static void test_setup_bus_dies(void) {
    reset_model();
    m.dead = 1;
    pmu_setup_status_t st = pmu_setup();
    CHECK(!st.bus_ok && st.failed_reg == 0xEF, "dead bus: bus_ok %d, failed_reg 0x%02x; want 0, 0xef", st.bus_ok,
        st.failed_reg);
    CHECK(m.gos == 1, "dead bus: %d transfers started, want 1", m.gos);

    /* Dies after 24 transfers: the 2 trim writes, then pmu_init's first 22
     * (the FSM timer, the 20 on/off counts, the first PKVDDH_CTRL_0 write); the
     * 25th, the second PKVDDH_CTRL_0 write, times out. */
    reset_model();
    m.die_after = 24;
    st = pmu_setup();
    CHECK(!st.bus_ok && st.failed_reg == 0xF0 && m.completed == 24,
        "bus dying after 24: bus_ok %d, failed_reg 0x%02x, %d completed", st.bus_ok, st.failed_reg, m.completed);
    CHECK(m.gos == 25, "bus dying after 24: %d transfers started, want 25", m.gos);
}

/* The bus clock gate off at start: pmu_setup turns it on before the bus is used. */
static void test_setup_turns_bus_clock_on(void) {
    reset_model();
    m.clock_en9 = 0;
    pmu_setup_status_t st = pmu_setup();
    CHECK(st.bus_ok, "bus clock off at start: set-up failed at 0x%02x", st.failed_reg);
    CHECK(m.clock_en9 & FR30XX_CLOCK_EN9_FRSPIM, "FRSPIM clock not left on");
}

int main(void) {
    test_read_sequence();
    test_write_sequence();
    test_ctrl_word_matches_hal_constants();
    test_multi_byte();
    test_bad_length();
    test_timeout();
    test_modify();
    test_chip_reset();
    test_setup_blank_efuse();
    test_setup_trimmed();
    test_setup_clamped();
    test_setup_word0_only();
    test_setup_efuse_timeout();
    test_setup_bus_dies();
    test_setup_turns_bus_clock_on();
    printf("%d checks, %d failures\n", checks, failures + total_violations);
    return failures == 0 && total_violations == 0 ? 0 : 1;
}
