/* DesignWare SSI as a polled SPI master (FR30xx SPIM0/1). Registers: HAL
 * peripheral/Inc/driver_spi.h struct_SPI_t and REG_Control0_t; sequences from
 * peripheral/Src/driver_spi_master.c. See fr30xx_periph.h. */
#include "fr30xx_periph.h"

#include "fr30xx_io.h"

#define SSI_CTRL0 0x00u   /* REG_Control0_t */
#define SSI_SSI_EN 0x08u
#define SSI_SER 0x10u
#define SSI_BAUDR 0x14u
#define SSI_TXFTLR 0x18u
#define SSI_RXFTLR 0x1Cu
#define SSI_SR 0x28u      /* REG_SR_t: BUSY 0, TFNF 1, TFE 2, RFNE 3, RFF 4 */
#define SSI_IMR 0x2Cu
#define SSI_DR 0x60u

/* REG_Control0_t, LSB first: rsv 0..3, FRF 4..5 (0 Motorola), SCPH 6, SCPOL 7,
 * TMOD 8..9 (0 transmit and receive, __SPI_TMODE_RxTx), SLV_OE 10, rsv 11, CFS 12..15,
 * DFS_32 16..20 (frame bits - 1: SPI_FRAME_SIZE_4BIT = 3), SPI_FRF 21..22 (0 standard,
 * __SPI_SET_MODE_X1), rsv 23, SSTE 24 (chip select toggles between frames). */
#define CTRL0_SCPH (1u << 6)
#define CTRL0_SCPOL (1u << 7)
#define CTRL0_DFS_SHIFT 16
#define SR_BUSY (1u << 0)
#define SR_TFNF (1u << 1)
#define SR_TFE (1u << 2)
#define SR_RFNE (1u << 3)

/* BaudRate_Prescaler: "a value 2 ~ 65534" (driver_spi.h); the DesignWare SSI takes
 * even dividers, SCK = clock / BAUDR. */
bool dw_ssi_divider(uint32_t clk_hz, uint32_t baud, uint32_t *div) {
    if (baud == 0) {
        return false;
    }
    uint32_t d = clk_hz / baud + (clk_hz % baud != 0);
    d += d & 1u;
    if (d < 2) {
        d = 2;
    }
    if (d > 65534u) {
        return false;
    }
    *div = d;
    return true;
}

/* spi_master_init(): disable (SSI_EN 0, which also empties the FIFOs), SCPOL/SCPH from
 * the work mode, DFS_32, BAUDR, TXFTLR/RXFTLR, every interrupt masked, SSTE 0
 * (__SPI_CS_TOGGLE_DISABLE), SER = 1 (chip select 0). Here CTRL0 is written whole,
 * with TMOD and SPI_FRF 0 as spi_master_transmit_X1() sets them, and left enabled. */
void dw_ssi_init(uint32_t base, uint32_t div, int polarity, int phase, int bits) {
    fr30xx_write32(base + SSI_SSI_EN, 0);
    fr30xx_write32(base + SSI_CTRL0, (polarity ? CTRL0_SCPOL : 0u) | (phase ? CTRL0_SCPH : 0u) |
        ((uint32_t)(bits - 1) << CTRL0_DFS_SHIFT));
    fr30xx_write32(base + SSI_BAUDR, div);
    fr30xx_write32(base + SSI_TXFTLR, 0);
    fr30xx_write32(base + SSI_RXFTLR, 0);
    fr30xx_write32(base + SSI_IMR, 0);
    fr30xx_write32(base + SSI_SER, 1);
    fr30xx_write32(base + SSI_SSI_EN, 1);
}

void dw_ssi_disable(uint32_t base) {
    fr30xx_write32(base + SSI_SSI_EN, 0);
}

/* spi_master_receive_X1(): keep writing DR while the TX FIFO is not full (TFNF) and
 * frames remain, read DR while the RX FIFO is not empty (RFNE), until every frame is
 * back; then wait for !BUSY. Bounded here by polls without progress. */
bool dw_ssi_transfer(uint32_t base, int bits, size_t len, const uint8_t *src, uint8_t *dst, uint32_t polls) {
    size_t width = bits > 8 ? 2 : 1;
    size_t frames = len / width;
    uint32_t mask = (1u << bits) - 1u;
    size_t sent = 0, got = 0;
    uint32_t idle = 0;
    while (got < frames) {
        uint32_t sr = fr30xx_read32(base + SSI_SR);
        bool moved = false;
        if (sent < frames && (sr & SR_TFNF)) {
            uint32_t w = 0xFFFFu;
            if (src != NULL) {
                w = src[sent * width];
                if (width == 2) {
                    w |= (uint32_t)src[sent * width + 1] << 8;
                }
            }
            fr30xx_write32(base + SSI_DR, w & mask);
            sent++;
            moved = true;
        }
        if (got < sent && (sr & SR_RFNE)) {
            uint32_t w = fr30xx_read32(base + SSI_DR);
            if (dst != NULL) {
                dst[got * width] = (uint8_t)w;
                if (width == 2) {
                    dst[got * width + 1] = (uint8_t)(w >> 8);
                }
            }
            got++;
            moved = true;
        }
        idle = moved ? 0 : idle + 1;
        if (idle > polls) {
            return false;
        }
    }
    for (uint32_t i = 0; fr30xx_read32(base + SSI_SR) & SR_BUSY; i++) {
        if (i > polls) {
            return false;
        }
    }
    return true;
}
