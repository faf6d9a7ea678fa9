// machine.SPI back-end for the Arm PrimeCell PL022 SSP (the SPI controllers
// of the MPS2 images; registers as in the PL022 TRM and QEMU
// hw/ssi/pl022.c), as master in Motorola SPI format, polled. The bit rate is
// clock / (CPSDVSR * (1 + SCR)) with CPSDVSR even 2..254 and SCR 0..255.
#include "py/runtime.h"
#include "periph.h"

#if MPFORGE_SPI_DRIVER_PL022

typedef struct {
    volatile uint32_t cr0;   // 0x00: SCR[15:8] SPH[7] SPO[6] FRF[5:4] DSS[3:0]
    volatile uint32_t cr1;   // 0x04: SOD[3] MS[2] SSE[1] LBM[0]
    volatile uint32_t dr;    // 0x08
    volatile uint32_t sr;    // 0x0C: BSY[4] RFF[3] RNE[2] TNF[1] TFE[0]
    volatile uint32_t cpsr;  // 0x10
    volatile uint32_t imsc;  // 0x14
} pl022_t;

#define CR0_SPO (1u << 6)
#define CR0_SPH (1u << 7)
#define CR1_LBM (1u << 0)
#define CR1_SSE (1u << 1)
#define SR_TNF (1u << 1)
#define SR_RNE (1u << 2)
#define SR_BSY (1u << 4)
#define FIFO_DEPTH (8)

#define SSP(in) ((pl022_t *)(in)->base)

// The smallest divisor (the fastest rate) not above the requested rate.
static void divisors(uint32_t baud, uint32_t *cpsdvsr, uint32_t *scr) {
    for (uint32_t cps = 2; cps <= 254; cps += 2) {
        uint32_t s = (MPFORGE_SPI_CLOCK_HZ / cps + baud - 1) / baud; // 1 + SCR, rounded up
        if (s == 0) {
            s = 1;
        }
        if (s <= 256) {
            *cpsdvsr = cps;
            *scr = s - 1;
            return;
        }
    }
    *cpsdvsr = 254;
    *scr = 255;
}

#define MAX_BAUD (MPFORGE_SPI_CLOCK_HZ / 2)
#define MIN_BAUD (MPFORGE_SPI_CLOCK_HZ / (254 * 256) + 1)

void periph_spi_init(const periph_instance_t *in, uint32_t baudrate, int polarity, int phase, int bits, int firstbit) {
    if (bits < 4 || bits > 8) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("bits must be 4..8 (one word per byte), not %d"), bits);
    }
    if (firstbit != 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("this SPI (PL022) sends MSB first only: firstbit=SPI.MSB"));
    }
    if (baudrate > MAX_BAUD || baudrate < MIN_BAUD) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("baudrate %u is out of range: this SPI takes %u..%u"),
            (unsigned)baudrate, (unsigned)MIN_BAUD, (unsigned)MAX_BAUD);
    }
    uint32_t cps, scr;
    divisors(baudrate, &cps, &scr);
    pl022_t *s = SSP(in);
    s->cr1 = 0; // disabled while it changes
    s->cpsr = cps;
    s->cr0 = (scr << 8) | (phase ? CR0_SPH : 0) | (polarity ? CR0_SPO : 0) | (uint32_t)(bits - 1);
    s->imsc = 0;
    while (s->sr & SR_RNE) {
        (void)s->dr;
    }
    s->cr1 = CR1_SSE;
}

void periph_spi_loopback(const periph_instance_t *in, bool on) {
    pl022_t *s = SSP(in);
    s->cr1 = (s->cr1 & ~CR1_LBM) | (on ? CR1_LBM : 0);
}

uint32_t periph_spi_baudrate(const periph_instance_t *in) {
    pl022_t *s = SSP(in);
    uint32_t cps = s->cpsr & 0xFF;
    uint32_t scr = (s->cr0 >> 8) & 0xFF;
    return cps ? MPFORGE_SPI_CLOCK_HZ / (cps * (1 + scr)) : 0;
}

void periph_spi_deinit(const periph_instance_t *in) {
    SSP(in)->cr1 = 0;
}

void periph_spi_transfer(const periph_instance_t *in, int bits, size_t len, const uint8_t *src, uint8_t *dest) {
    pl022_t *s = SSP(in);
    uint32_t mask = (1u << bits) - 1;
    size_t sent = 0, got = 0;
    // Keep the TX FIFO fed but never more words in flight than the RX FIFO holds.
    while (got < len) {
        while (sent < len && sent - got < FIFO_DEPTH && (s->sr & SR_TNF)) {
            s->dr = (src ? src[sent] : 0xFF) & mask;
            ++sent;
        }
        if (s->sr & SR_RNE) {
            uint8_t v = (uint8_t)s->dr;
            if (dest) {
                dest[got] = v;
            }
            ++got;
        }
    }
}

#endif
