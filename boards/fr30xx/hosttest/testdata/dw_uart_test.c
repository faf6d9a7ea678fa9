/*
 * Host test of dw_uart.c: built with the host compiler and -DDW_UART_HOST_TEST,
 * it runs the driver against a register block in RAM, records every register
 * access in order, and scripts what reads return. Exit status 0 means all
 * checks passed; each failure is printed.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dw_uart.h"

/* ---- fake register block --------------------------------------------------- */

static dw_uart_regs_t fake;

#define NREGS (sizeof(dw_uart_regs_t) / 4)
#define MAX_SCRIPT 16
#define MAX_TRACE 256

typedef struct {
    char op; /* 'R' or 'W' */
    uint32_t off;
    uint32_t val;
} access_t;

static access_t trace[MAX_TRACE];
static int ntrace;
static uint32_t script[NREGS][MAX_SCRIPT];
static int script_len[NREGS], script_pos[NREGS];

#define OFF(field) ((uint32_t)offsetof(dw_uart_regs_t, field))

static uint32_t offset_of(const volatile uint32_t *reg) {
    return (uint32_t)((const volatile char *)reg - (const volatile char *)&fake);
}

static void record(char op, uint32_t off, uint32_t val) {
    if (ntrace < MAX_TRACE) {
        trace[ntrace++] = (access_t){op, off, val};
    }
}

/* Reads return the scripted values first; after that, a status register reads as
 * an idle UART (USR: TX FIFO not full, not busy; IIR: no interrupt pending;
 * LSR: transmitter empty, no data), anything else as the last value written. */
uint32_t dw_reg_read(const volatile uint32_t *reg) {
    uint32_t off = offset_of(reg);
    uint32_t i = off / 4, val;
    if (script_pos[i] < script_len[i]) {
        val = script[i][script_pos[i]++];
    } else if (off == OFF(usr)) {
        val = DW_USR_TFNF;
    } else if (off == OFF(iir_fcr)) {
        val = 0xC0u | DW_IID_NONE;
    } else if (off == OFF(lsr)) {
        val = 0x60u;
    } else {
        val = *reg;
    }
    record('R', off, val);
    return val;
}

void dw_reg_write(volatile uint32_t *reg, uint32_t value) {
    record('W', offset_of(reg), value);
    *reg = value;
}

static void reset_fake(void) {
    memset((void *)&fake, 0, sizeof(fake));
    memset(script_len, 0, sizeof(script_len));
    memset(script_pos, 0, sizeof(script_pos));
    ntrace = 0;
}

static void script_reads(uint32_t off, int n, const uint32_t *vals) {
    uint32_t i = off / 4;
    for (int k = 0; k < n; k++) {
        script[i][script_len[i]++] = vals[k];
    }
}

/* ---- checking ---------------------------------------------------------------- */

#include "check.h"

static const char *reg_name(uint32_t off) {
    switch (off) {
        case 0x00: return "RBR/THR/DLL";
        case 0x04: return "IER/DLH";
        case 0x08: return "IIR/FCR";
        case 0x0C: return "LCR";
        case 0x10: return "MCR";
        case 0x14: return "LSR";
        case 0x18: return "MSR";
        case 0x7C: return "USR";
        case 0xC0: return "DLF";
        default: return "?";
    }
}

static void print_trace(const char *title) {
    printf("  %s, actual accesses:\n", title);
    for (int i = 0; i < ntrace; i++) {
        printf("    %c %-11s 0x%02x\n", trace[i].op, reg_name(trace[i].off), (unsigned)trace[i].val);
    }
}

static void check_trace(const char *title, const access_t *want, int nwant) {
    int ok = ntrace == nwant;
    for (int i = 0; ok && i < nwant; i++) {
        ok = trace[i].op == want[i].op && trace[i].off == want[i].off && trace[i].val == want[i].val;
    }
    CHECK(ok, "%s: register access sequence differs", title);
    if (!ok) {
        print_trace(title);
        printf("  expected:\n");
        for (int i = 0; i < nwant; i++) {
            printf("    %c %-11s 0x%02x\n", want[i].op, reg_name(want[i].off), (unsigned)want[i].val);
        }
    }
}

/* ---- divisor ----------------------------------------------------------------- */

static void test_divisor_table(void) {
    static const struct {
        uint32_t clock, baud;
        int ok;
        uint16_t divisor;
        uint8_t fraction;
    } cases[] = {
        {24000000, 115200, 1, 13, 1},   /* 833.33/64: the console setting */
        {24000000, 921600, 1, 1, 40},   /* vendor freertos_sleep.c debug UART: DLL 1, DLF 0x28 */
        {24000000, 9600, 1, 156, 16},   /* 10000/64 exactly */
        {24000000, 1500000, 1, 1, 0},   /* smallest divisor, 64/64 */
        {48000000, 115200, 1, 26, 3},   /* 1666.67 rounds up to 1667 */
        {72000000, 115200, 1, 39, 4},   /* 2500/64 */
        {24000000, 3000000, 0, 0, 0},   /* divisor 0.5: too fast */
        {24000000, 0, 0, 0, 0},         /* no baud */
        {96000000, 50, 0, 0, 0},        /* divisor 120000: too slow for 16 bits */
        {1048576, 1, 0, 0, 0},          /* exactly 65536: just too slow */
        {1048575, 1, 1, 65535, 60},     /* the largest divisor below that */
        {0x40000010u, 1, 0, 0, 0},      /* clock * 4 overflows 32 bits: still rejected */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dw_uart_divisor_t d = {0xFFFF, 0xFF};
        int ok = dw_uart_divisor(cases[i].clock, cases[i].baud, &d);
        CHECK(ok == cases[i].ok, "divisor(%u, %u): ok = %d, want %d",
            (unsigned)cases[i].clock, (unsigned)cases[i].baud, ok, cases[i].ok);
        if (ok && cases[i].ok) {
            CHECK(d.divisor == cases[i].divisor && d.fraction == cases[i].fraction,
                "divisor(%u, %u) = %u + %u/64, want %u + %u/64",
                (unsigned)cases[i].clock, (unsigned)cases[i].baud,
                (unsigned)d.divisor, (unsigned)d.fraction,
                (unsigned)cases[i].divisor, (unsigned)cases[i].fraction);
        }
    }
}

/* Against a floating-point reference, the baud error is at most half a 1/64 step. */
static void test_divisor_sweep(void) {
    static const uint32_t clocks[] = {1000000, 1048575, 12000000, 24000000, 26000000, 48000000,
                                      72000000, 96000000, 144000000, 200000000, 0xFFFFFFFFu};
    static const uint32_t bauds[] = {1, 300, 1200, 9600, 19200, 38400, 57600, 115200,
                                     230400, 460800, 921600, 1000000, 2000000, 3000000};
    for (size_t c = 0; c < sizeof(clocks) / sizeof(clocks[0]); c++) {
        for (size_t b = 0; b < sizeof(bauds) / sizeof(bauds[0]); b++) {
            double exact = (double)clocks[c] * 4.0 / (double)bauds[b];
            double want = floor(exact + 0.5);
            int want_ok = want >= 64.0 && want < 65536.0 * 64.0;
            dw_uart_divisor_t d;
            int ok = dw_uart_divisor(clocks[c], bauds[b], &d);
            CHECK(ok == want_ok, "divisor(%u, %u): ok = %d, want %d",
                (unsigned)clocks[c], (unsigned)bauds[b], ok, want_ok);
            if (!ok || !want_ok) {
                continue;
            }
            double got = (double)d.divisor * 64.0 + (double)d.fraction;
            CHECK(got == want, "divisor(%u, %u) = %.0f/64, want %.0f/64",
                (unsigned)clocks[c], (unsigned)bauds[b], got, want);
            double actual_baud = (double)clocks[c] * 4.0 / got;
            CHECK(fabs(actual_baud - bauds[b]) / bauds[b] <= 0.5 / got + 1e-12,
                "divisor(%u, %u): baud error %.4f%% is more than half a step",
                (unsigned)clocks[c], (unsigned)bauds[b], 100.0 * fabs(actual_baud - bauds[b]) / bauds[b]);
        }
    }
}

/* ---- init sequence ----------------------------------------------------------- */

#define W(field, v) {'W', OFF(field), (v)}
#define R(field, v) {'R', OFF(field), (v)}

static void test_init_sequence(void) {
    reset_fake();
    dw_uart_divisor_t d;
    dw_uart_divisor(24000000, 115200, &d);
    dw_uart_init(&fake, d);
    const access_t want[] = {
        W(ier_dlh, 0x00),         /* interrupts off */
        W(iir_fcr, 0x07),         /* FIFOs on and reset */
        R(usr, DW_USR_TFNF),      /* not busy */
        W(lcr, 0x83),             /* DLAB, 8N1 */
        R(lcr, 0x83),             /* DLAB took */
        W(rbr_thr_dll, 13),       /* DLL */
        W(ier_dlh, 0),            /* DLH */
        W(dlf, 1),                /* DLF */
        W(lcr, 0x03),             /* 8N1, DLAB off */
        W(iir_fcr, 0x47),         /* FIFOs on and reset, RX trigger 1/4 */
        W(ier_dlh, DW_IER_ERBFI), /* RX data + timeout interrupt */
    };
    check_trace("init 24 MHz / 115200", want, (int)(sizeof(want) / sizeof(want[0])));
    CHECK(fake.lcr == 0x03 && fake.ier_dlh == DW_IER_ERBFI && fake.dlf == 1,
        "init left LCR 0x%x IER 0x%x DLF 0x%x, want 0x03 0x01 0x01",
        (unsigned)fake.lcr, (unsigned)fake.ier_dlh, (unsigned)fake.dlf);
}

/* A busy UART ignores LCR writes: init waits for USR.BUSY to clear and
 * writes LCR again when DLAB did not take. */
static void test_init_waits_for_busy(void) {
    reset_fake();
    const uint32_t usr[] = {DW_USR_BUSY, DW_USR_BUSY, DW_USR_TFNF, DW_USR_TFNF};
    const uint32_t lcr[] = {0x03}; /* first LCR write ignored */
    script_reads(OFF(usr), 4, usr);
    script_reads(OFF(lcr), 1, lcr);
    dw_uart_divisor_t d;
    dw_uart_divisor(24000000, 921600, &d);
    dw_uart_init(&fake, d);
    const access_t want[] = {
        W(ier_dlh, 0x00),
        W(iir_fcr, 0x07),
        R(usr, DW_USR_BUSY),
        R(usr, DW_USR_BUSY),
        R(usr, DW_USR_TFNF),
        W(lcr, 0x83),
        R(lcr, 0x03),
        R(usr, DW_USR_TFNF),
        W(lcr, 0x83),
        R(lcr, 0x83),
        W(rbr_thr_dll, 1),
        W(ier_dlh, 0),
        W(dlf, 40),
        W(lcr, 0x03),
        W(iir_fcr, 0x47),
        W(ier_dlh, DW_IER_ERBFI),
    };
    check_trace("init while busy", want, (int)(sizeof(want) / sizeof(want[0])));
}

/* ---- transmit ---------------------------------------------------------------- */

static void test_tx_waits_for_fifo_space(void) {
    reset_fake();
    const uint32_t usr[] = {0, 0, DW_USR_TFNF};
    script_reads(OFF(usr), 3, usr);
    dw_uart_tx(&fake, (const uint8_t *)"hi", 2);
    const access_t want[] = {
        R(usr, 0), R(usr, 0), R(usr, DW_USR_TFNF), W(rbr_thr_dll, 'h'),
        R(usr, DW_USR_TFNF), W(rbr_thr_dll, 'i'),
    };
    check_trace("tx", want, (int)(sizeof(want) / sizeof(want[0])));
}

/* ---- receive interrupt --------------------------------------------------------- */

static char pushed[64];
static int npushed;

static void push(uint8_t byte) {
    if (npushed < (int)sizeof(pushed) - 1) {
        pushed[npushed++] = (char)byte;
        pushed[npushed] = 0;
    }
}

static void test_irq_drains_fifo(void) {
    static const struct {
        const char *title;
        uint32_t iid;
    } kinds[] = {
        {"irq rx data (IID 0x4)", DW_IID_RX_DATA},
        {"irq rx timeout (IID 0xC)", DW_IID_RX_TIMEOUT},
    };
    for (size_t k = 0; k < 2; k++) {
        reset_fake();
        npushed = 0;
        pushed[0] = 0;
        const uint32_t iir[] = {0xC0u | kinds[k].iid}; /* FIFO-enabled bits set, as on hardware */
        const uint32_t lsr[] = {0x61, 0x61, 0x61, 0x60};
        const uint32_t rbr[] = {'1', '+', '1'};
        script_reads(OFF(iir_fcr), 1, iir);
        script_reads(OFF(lsr), 4, lsr);
        script_reads(OFF(rbr_thr_dll), 3, rbr);
        dw_uart_irq(&fake, push);
        CHECK(strcmp(pushed, "1+1") == 0, "%s: pushed \"%s\", want \"1+1\"", kinds[k].title, pushed);
        const access_t want[] = {
            R(iir_fcr, 0xC0u | kinds[k].iid),
            R(lsr, 0x61), R(rbr_thr_dll, '1'),
            R(lsr, 0x61), R(rbr_thr_dll, '+'),
            R(lsr, 0x61), R(rbr_thr_dll, '1'),
            R(lsr, 0x60),
            R(iir_fcr, 0xC1),
        };
        check_trace(kinds[k].title, want, (int)(sizeof(want) / sizeof(want[0])));
    }
}

/* Other sources are cleared the DesignWare way and the handler keeps going until
 * IIR reports nothing pending, so RX data behind them is not lost. */
static void test_irq_clears_other_sources(void) {
    reset_fake();
    npushed = 0;
    pushed[0] = 0;
    const uint32_t iir[] = {0xC6, 0xC7, 0xC0, 0xC4};
    const uint32_t lsr[] = {0x63 /* overrun + DR */, 0x61, 0x60};
    const uint32_t rbr[] = {'x'};
    const uint32_t usr[] = {0x03};
    const uint32_t msr[] = {0x10};
    script_reads(OFF(iir_fcr), 4, iir);
    script_reads(OFF(lsr), 3, lsr);
    script_reads(OFF(rbr_thr_dll), 1, rbr);
    script_reads(OFF(usr), 1, usr);
    script_reads(OFF(msr), 1, msr);
    dw_uart_irq(&fake, push);
    CHECK(strcmp(pushed, "x") == 0, "irq other sources: pushed \"%s\", want \"x\"", pushed);
    const access_t want[] = {
        R(iir_fcr, 0xC6), R(lsr, 0x63),       /* line status: read LSR */
        R(iir_fcr, 0xC7), R(usr, 0x03),       /* busy detect: read USR */
        R(iir_fcr, 0xC0), R(msr, 0x10),       /* modem status: read MSR */
        R(iir_fcr, 0xC4), R(lsr, 0x61), R(rbr_thr_dll, 'x'), R(lsr, 0x60),
        R(iir_fcr, 0xC1),
    };
    check_trace("irq other sources", want, (int)(sizeof(want) / sizeof(want[0])));
}

int main(void) {
    test_divisor_table();
    test_divisor_sweep();
    test_init_sequence();
    test_init_waits_for_busy();
    test_tx_waits_for_fifo_space();
    test_irq_drains_fifo();
    test_irq_clears_other_sources();
    printf("%d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
