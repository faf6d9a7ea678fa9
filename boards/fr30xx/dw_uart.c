/* DesignWare APB UART: divisor, init, polled TX, RX interrupt. See dw_uart.h. */
#include "dw_uart.h"

#ifdef DW_UART_HOST_TEST
/* The host test (hosttest/testdata/dw_uart_test.c) supplies these to record writes and
 * script what reads return. */
uint32_t dw_reg_read(const volatile uint32_t *reg);
void dw_reg_write(volatile uint32_t *reg, uint32_t value);
#else
static inline uint32_t dw_reg_read(const volatile uint32_t *reg) {
    return *reg;
}

static inline void dw_reg_write(volatile uint32_t *reg, uint32_t value) {
    *reg = value;
}
#endif

/* With the UART configured not 16550-compatible, the DesignWare block ignores
 * LCR writes while it is busy (USR.BUSY); a line left active by the other end
 * can keep it busy for a while, so wait, bounded, and check DLAB took. */
#define DW_LCR_TRIES 100000u

bool dw_uart_divisor(uint32_t clock_hz, uint32_t baud, dw_uart_divisor_t *out) {
    /* Past this quotient the divisor exceeds 16 bits anyway, and below it
     * DW_UART_DIV64 cannot overflow. */
    if (baud == 0 || clock_hz / baud >= 65536u * 16u) {
        return false;
    }
    uint32_t div64 = DW_UART_DIV64(clock_hz, baud);
    if (!DW_UART_DIV64_OK(div64)) {
        return false;
    }
    out->divisor = (uint16_t)(div64 >> 6);
    out->fraction = (uint8_t)(div64 & 0x3Fu);
    return true;
}

static void set_dlab(dw_uart_regs_t *uart, uint32_t lcr) {
    for (uint32_t i = 0; i < DW_LCR_TRIES; i++) {
        if (dw_reg_read(&uart->usr) & DW_USR_BUSY) {
            continue;
        }
        dw_reg_write(&uart->lcr, DW_LCR_DLAB | lcr);
        if (dw_reg_read(&uart->lcr) & DW_LCR_DLAB) {
            return;
        }
    }
}

bool dw_uart_lcr(int bits, int parity, int stop, uint32_t *lcr) {
    if (bits < 5 || bits > 8 || parity < 0 || parity > 2 || stop < 1 || stop > 2) {
        return false;
    }
    *lcr = (uint32_t)(bits - 5) | (stop == 2 ? DW_LCR_STOP2 : 0u) |
        (parity != 0 ? DW_LCR_PEN : 0u) | (parity == 2 ? DW_LCR_EPS : 0u);
    return true;
}

void dw_uart_init(dw_uart_regs_t *uart, dw_uart_divisor_t div) {
    dw_uart_init_lcr(uart, div, DW_LCR_8N1);
}

void dw_uart_init_lcr(dw_uart_regs_t *uart, dw_uart_divisor_t div, uint32_t lcr) {
    lcr &= ~DW_LCR_DLAB;
    dw_reg_write(&uart->ier_dlh, 0);
    /* Resetting both FIFOs also ends a busy state left from before. */
    dw_reg_write(&uart->iir_fcr, DW_FCR_FIFOE | DW_FCR_RFIFOR | DW_FCR_XFIFOR);
    set_dlab(uart, lcr);
    dw_reg_write(&uart->rbr_thr_dll, div.divisor & 0xFFu);
    dw_reg_write(&uart->ier_dlh, (uint32_t)div.divisor >> 8);
    dw_reg_write(&uart->dlf, div.fraction);
    dw_reg_write(&uart->lcr, lcr);
    dw_reg_write(&uart->iir_fcr, DW_FCR_FIFOE | DW_FCR_RFIFOR | DW_FCR_XFIFOR | DW_FCR_RT_QUARTER);
    dw_reg_write(&uart->ier_dlh, DW_IER_ERBFI);
}

void dw_uart_tx(dw_uart_regs_t *uart, const uint8_t *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        while (!(dw_reg_read(&uart->usr) & DW_USR_TFNF)) {
        }
        dw_reg_write(&uart->rbr_thr_dll, buf[i]);
    }
}

void dw_uart_irq(dw_uart_regs_t *uart, void (*push)(uint8_t byte)) {
    for (;;) {
        switch (dw_reg_read(&uart->iir_fcr) & DW_IIR_IID_MASK) {
            case DW_IID_NONE:
                return;
            case DW_IID_RX_DATA:
            case DW_IID_RX_TIMEOUT:
                while (dw_reg_read(&uart->lsr) & DW_LSR_DR) {
                    push((uint8_t)dw_reg_read(&uart->rbr_thr_dll));
                }
                break;
            case DW_IID_LINE_STATUS:
                (void)dw_reg_read(&uart->lsr);
                break;
            case DW_IID_BUSY:
                (void)dw_reg_read(&uart->usr);
                break;
            case DW_IID_MODEM:
                (void)dw_reg_read(&uart->msr);
                break;
            default:
                /* THR empty (IID 0x2) is never enabled; reading IIR has cleared it. */
                break;
        }
    }
}
