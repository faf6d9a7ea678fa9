/*
 * Synopsys DesignWare APB UART (16550-style, 32-bit register stride), as used by
 * the FR30xx UART0..5. Chip-neutral: the caller passes the register block, so the
 * host test can run this code against a fake block in RAM.
 *
 * Register offsets and bits: the FR30xx HAL's peripheral/Inc/driver_uart.h
 * (struct_UART_t and the REG_*_t bitfields, enum_UART_INT_INDEX_t, enum_FCR_t).
 */
#ifndef DW_UART_H
#define DW_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    volatile uint32_t rbr_thr_dll; /* 0x00 RX buffer (read) / TX holding (write) / DLL when LCR.DLAB */
    volatile uint32_t ier_dlh;     /* 0x04 interrupt enable / DLH when LCR.DLAB */
    volatile uint32_t iir_fcr;     /* 0x08 interrupt identity (read) / FIFO control (write) */
    volatile uint32_t lcr;         /* 0x0C line control */
    volatile uint32_t mcr;         /* 0x10 modem control */
    volatile uint32_t lsr;         /* 0x14 line status */
    volatile uint32_t msr;         /* 0x18 modem status */
    uint32_t reserved0[24];        /* 0x1C..0x78 */
    volatile uint32_t usr;         /* 0x7C UART status */
    uint32_t reserved1[16];        /* 0x80..0xBC */
    volatile uint32_t dlf;         /* 0xC0 fractional divisor, 1/64ths (REG_DLF_t: 6 bits) */
} dw_uart_regs_t;

_Static_assert(offsetof(dw_uart_regs_t, usr) == 0x7C, "DW UART USR must be at 0x7C");
_Static_assert(offsetof(dw_uart_regs_t, dlf) == 0xC0, "DW UART DLF must be at 0xC0");

#define DW_IER_ERBFI 0x01u     /* RX data available + character timeout interrupt */
#define DW_IIR_IID_MASK 0x0Fu
#define DW_IID_MODEM 0x0u      /* cleared by reading MSR */
#define DW_IID_NONE 0x1u
#define DW_IID_RX_DATA 0x4u
#define DW_IID_LINE_STATUS 0x6u /* cleared by reading LSR */
#define DW_IID_BUSY 0x7u        /* DesignWare busy detect: cleared by reading USR */
#define DW_IID_RX_TIMEOUT 0xCu
#define DW_FCR_FIFOE 0x01u
#define DW_FCR_RFIFOR 0x02u
#define DW_FCR_XFIFOR 0x04u
#define DW_FCR_RT_QUARTER (1u << 6) /* RX interrupt when the RX FIFO is 1/4 full */
#define DW_LCR_8N1 0x03u            /* DLS = 3 (8 bits), STOP = 0, PEN = 0 */
/* REG_LCR_t (driver_uart.h): DLS 0..1 (bits - 5), STOP 2 (2 stop bits), PEN 3, EPS 4 (even). */
#define DW_LCR_STOP2 0x04u
#define DW_LCR_PEN 0x08u
#define DW_LCR_EPS 0x10u
#define DW_LCR_DLAB 0x80u
#define DW_LSR_DR 0x01u
#define DW_USR_BUSY 0x01u
#define DW_USR_TFNF 0x02u /* TX FIFO not full */

/* The baud divisor clock / (16 * baud) in 1/64ths, rounded to nearest; exact
 * while clock_hz / baud < 2^30. A constant expression for constant arguments,
 * so boards can check their clock and baud at compile time. */
#define DW_UART_DIV64(clock_hz, baud) \
    ((clock_hz) / (baud) * 4u + (((clock_hz) % (baud)) * 4u + (baud) / 2u) / (baud))

/* True when DW_UART_DIV64 gives an integer divisor the 16-bit DLL/DLH can hold. */
#define DW_UART_DIV64_OK(div64) ((div64) >= 64u && (div64) < 65536u * 64u)

typedef struct {
    uint16_t divisor;  /* DLH:DLL */
    uint8_t fraction;  /* DLF, 0..63 */
} dw_uart_divisor_t;

/* Computes the divisor for clock_hz and baud. False when baud is 0 or the
 * clock is too slow or too fast for the baud rate. */
bool dw_uart_divisor(uint32_t clock_hz, uint32_t baud, dw_uart_divisor_t *out);

/* Programs 8N1 at the given divisor with FIFOs on and enables the RX interrupt. */
void dw_uart_init(dw_uart_regs_t *uart, dw_uart_divisor_t div);

/* As dw_uart_init, with the frame in lcr (DLS, STOP, PEN, EPS bits; never DLAB). */
void dw_uart_init_lcr(dw_uart_regs_t *uart, dw_uart_divisor_t div, uint32_t lcr);

/* The LCR value of a frame: bits 5..8, parity 0 none / 1 odd / 2 even, stop 1 or 2.
 * False for a frame the block cannot send. */
bool dw_uart_lcr(int bits, int parity, int stop, uint32_t *lcr);

/* Blocking transmit. */
void dw_uart_tx(dw_uart_regs_t *uart, const uint8_t *buf, size_t len);

/* The RX interrupt's work: drains the RX FIFO into push() and clears any
 * other pending interrupt source, until the UART reports none pending. */
void dw_uart_irq(dw_uart_regs_t *uart, void (*push)(uint8_t byte));

#endif /* DW_UART_H */
