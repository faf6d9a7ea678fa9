/* DesignWare APB I2C as a polled master (FR30xx I2C0..2). Registers: HAL
 * peripheral/Inc/driver_i2c.h struct_I2C_t and its REG_*_t bitfields; sequences
 * from peripheral/Src/driver_i2c.c, named at each one. See fr30xx_periph.h. */
#include "fr30xx_periph.h"

#include "fr30xx_io.h"

#define I2C_CON 0x00u          /* REG_I2C_CTRL_t */
#define I2C_TAR 0x04u          /* REG_TAR_t: TAR 0..9 */
#define I2C_DATA_CMD 0x10u     /* REG_DATA_CMD_t: DAT 0..7, CMD 8 (read), STOP 9, RESTART 10 */
#define I2C_FS_SCL_HCNT 0x1Cu
#define I2C_FS_SCL_LCNT 0x20u
#define I2C_INT_MASK 0x30u
#define I2C_RAW_INT_STAT 0x34u
#define I2C_RX_TL 0x38u
#define I2C_TX_TL 0x3Cu
#define I2C_CLR_INTR 0x40u
#define I2C_CLR_TX_ABRT 0x54u  /* read to clear (i2c_clear_int_status()) */
#define I2C_CLR_STOP_DET 0x60u
#define I2C_ENABLE 0x6Cu       /* REG_ENABLE_t: ENABLE 0, ABORT 1, TX_CMD_BLOCK 2 */
#define I2C_STATUS 0x70u       /* REG_STATUS_t */
#define I2C_SDA_HOLD 0x7Cu     /* SDA_TX_HOLD 0..15 */
#define I2C_TX_ABRT_SOURCE 0x80u
#define I2C_SDA_SETUP 0x94u

/* REG_I2C_CTRL_t, LSB first: MASTER_MODE 0, SPEED 1..2, ADDR_SLAVE_10BIT 3, rsv 4,
 * RESTART_EN 5, SLAVE_DISABLE 6, STOP_DET_IF_ADDR_ESSED 7, TX_EMPTY_CTRL 8,
 * RX_FIFO_FULL_HLD_CTRL 9, STOP_DET_IF_MASTER_ACTIVE 10. */
#define CON_MASTER (1u << 0)
#define CON_SPEED_FAST (2u << 1)
#define CON_RESTART_EN (1u << 5)
#define CON_SLAVE_DISABLE (1u << 6)
#define CON_STOP_DET_IF_ADDRESSED (1u << 7)
#define CON_TX_EMPTY_CTRL (1u << 8)
#define CON_RX_FIFO_FULL_HLD (1u << 9)
#define CON_STOP_DET_IF_MASTER_ACTIVE (1u << 10)

#define CMD_READ (1u << 8)     /* enum_CMD_t CMD_READ 0x0100 */
#define CMD_STOP (1u << 9)     /* CMD_STOP 0x0200 */

#define ST_ACTIVITY (1u << 0)
#define ST_TFNF (1u << 1)
#define ST_TFE (1u << 2)
#define ST_RFNE (1u << 3)
#define ST_MST_HOLD_TX_FIFO_EMPTY (1u << 7)

#define INT_TX_ABRT (1u << 6)  /* enum_INT_Index_t INT_TX_ABRT 0x40 */
#define INT_STOP_DET (1u << 9) /* INT_STOP_DET 0x200 */

/* REG_TX_ABRT_SOURCE_t: ABRT_7ADDR_NOACK 0, ABRT_10ADDR1/2_NOACK 1..2, ABRT_TXDATA_NOACK 3. */
#define ABRT_ADDR_NOACK 0x7u

/* The last target programmed and whether the bus is held (no STOP yet), per block. */
#define MAX_BLOCKS 4
static struct {
    uint32_t base;
    uint16_t tar;
    bool held;
} state[MAX_BLOCKS];

static unsigned slot(uint32_t base) {
    for (unsigned i = 0; i < MAX_BLOCKS; i++) {
        if (state[i].base == base || state[i].base == 0) {
            state[i].base = base;
            return i;
        }
    }
    return MAX_BLOCKS - 1;
}

/* The DesignWare counts add about 8 clocks of filter and sync to each half period
 * (the HAL leaves that to the caller: i2c_init() takes raw SCL_HCNT/SCL_LCNT); split
 * the period evenly and clamp to i2c_init()'s minimums, HCNT 6 and LCNT 8. */
bool dw_i2c_timing(uint32_t clk_hz, uint32_t freq, dw_i2c_timing_t *t) {
    if (freq == 0 || clk_hz / freq > 2u * 0xFFFFu) {
        return false;
    }
    uint32_t period = (clk_hz + freq - 1) / freq; /* round up: never faster than asked */
    uint32_t h = period / 2, l = period - h;
    h = h > 8 ? h - 8 : 0;
    l = l > 1 ? l - 1 : 0;
    t->hcnt = (uint16_t)(h < 6 ? 6 : h);
    t->lcnt = (uint16_t)(l < 8 ? 8 : l);
    return true;
}

/* i2c_init() for I2C_MODE_MASTER_7BIT: disabled, SLAVE_DISABLE, MASTER_MODE, SPEED 2,
 * 7-bit TAR; FS_SCL_HCNT/LCNT; SDA_SETUP = LCNT / 2 (at least 8) and SDA_TX_HOLD =
 * LCNT / 2 (1 below 5); then STOP_DET_IF_MASTER_ACTIVE, STOP_DET_IF_ADDRESSED,
 * RX_FIFO_FULL_HLD_CTRL, TX_EMPTY_CTRL, RESTART_EN; TX_CMD_BLOCK 0 and INT_MASK 0.
 * Here CON is written once with the same bits. */
void dw_i2c_init(uint32_t base, dw_i2c_timing_t t) {
    unsigned s = slot(base);
    fr30xx_write32(base + I2C_ENABLE, 0);
    fr30xx_write32(base + I2C_CON, CON_MASTER | CON_SPEED_FAST | CON_RESTART_EN | CON_SLAVE_DISABLE |
        CON_STOP_DET_IF_ADDRESSED | CON_TX_EMPTY_CTRL | CON_RX_FIFO_FULL_HLD | CON_STOP_DET_IF_MASTER_ACTIVE);
    fr30xx_write32(base + I2C_TAR, 0);
    fr30xx_write32(base + I2C_FS_SCL_HCNT, t.hcnt);
    fr30xx_write32(base + I2C_FS_SCL_LCNT, t.lcnt);
    uint32_t half = t.lcnt / 2u;
    fr30xx_write32(base + I2C_SDA_SETUP, half < 8 ? 8 : half);
    fr30xx_write32(base + I2C_SDA_HOLD, half < 5 ? 1 : half);
    fr30xx_write32(base + I2C_INT_MASK, 0);
    fr30xx_write32(base + I2C_RX_TL, 0);
    fr30xx_write32(base + I2C_TX_TL, 0);
    (void)fr30xx_read32(base + I2C_CLR_INTR);
    state[s].tar = 0xFFFF;
    state[s].held = false;
}

/* An abort (i2c_get_int_status(INT_TX_ABRT) on RAW_INT_STAT): what TX_ABRT_SOURCE
 * says, after clearing it as i2c_clear_int_status() does (a read of CLR_TX_ABRT).
 * The controller flushes its FIFO and ends with a STOP by itself. */
static int aborted(uint32_t base) {
    uint32_t src = fr30xx_read32(base + I2C_TX_ABRT_SOURCE);
    (void)fr30xx_read32(base + I2C_CLR_TX_ABRT);
    return (src & ABRT_ADDR_NOACK) ? DW_I2C_ENODEV : DW_I2C_EIO;
}

/* i2c_master_transmit()/i2c_master_receive(): set TAR with the block disabled,
 * enable it, queue one DATA_CMD per byte (CMD_READ for reads), CMD_STOP on the last,
 * and watch RAW_INT_STAT for INT_TX_ABRT. The HAL waits without limit and takes
 * 8-bit addresses (TAR = addr >> 1); this takes 7-bit ones, bounds every wait, and
 * keeps the block enabled between messages of one transaction so that the next
 * message starts with a repeated START (RESTART_EN) instead of a STOP. */
int dw_i2c_xfer(uint32_t base, uint16_t addr, bool read, uint8_t *buf, size_t len, bool stop, uint32_t polls) {
    unsigned s = slot(base);
    if (!state[s].held || state[s].tar != addr) {
        fr30xx_write32(base + I2C_ENABLE, 0);
        fr30xx_write32(base + I2C_TAR, addr & 0x3FFu);
        state[s].tar = addr;
        (void)fr30xx_read32(base + I2C_CLR_TX_ABRT);
        (void)fr30xx_read32(base + I2C_CLR_STOP_DET);
        fr30xx_write32(base + I2C_ENABLE, 1);
    }
    state[s].held = !stop;
    bool probe = len == 0;
    size_t n = probe ? 1 : len;
    size_t sent = 0, got = 0;
    uint32_t idle = 0;
    while (sent < n || (read || probe ? got < n : false)) {
        uint32_t raw = fr30xx_read32(base + I2C_RAW_INT_STAT);
        if (raw & INT_TX_ABRT) {
            state[s].held = false;
            return aborted(base);
        }
        uint32_t st = fr30xx_read32(base + I2C_STATUS);
        bool moved = false;
        if (sent < n && (st & ST_TFNF)) {
            uint32_t cmd = (read || probe) ? CMD_READ : buf[sent];
            if (sent == n - 1 && (stop || probe)) {
                cmd |= CMD_STOP;
            }
            fr30xx_write32(base + I2C_DATA_CMD, cmd);
            sent++;
            moved = true;
        }
        if ((read || probe) && got < sent && (st & ST_RFNE)) {
            uint8_t v = (uint8_t)fr30xx_read32(base + I2C_DATA_CMD);
            if (!probe) {
                buf[got] = v;
            }
            got++;
            moved = true;
        }
        idle = moved ? 0 : idle + 1;
        if (idle > polls) {
            fr30xx_write32(base + I2C_ENABLE, 0);
            state[s].held = false;
            return DW_I2C_ETIMEDOUT;
        }
    }
    /* i2c_master_transmit(): wait for the TX FIFO to empty and the block to go idle
     * (STATUS.TFE, then !ACTIVITY), then look for an abort; without a STOP the block
     * holds SCL low once its FIFO is empty (MST_HOLD_TX_FIFO_EMPTY), where it is built
     * to; one that is not ends the message with a STOP and goes idle, and the next
     * message then starts afresh. */
    for (uint32_t i = 0;; i++) {
        uint32_t raw = fr30xx_read32(base + I2C_RAW_INT_STAT);
        if (raw & INT_TX_ABRT) {
            state[s].held = false;
            return aborted(base);
        }
        uint32_t st = fr30xx_read32(base + I2C_STATUS);
        if ((st & ST_TFE) && ((stop || probe) ? (raw & INT_STOP_DET) != 0 : (st & ST_MST_HOLD_TX_FIFO_EMPTY) != 0)) {
            break;
        }
        if (!stop && !probe && (st & ST_TFE) && !(st & ST_ACTIVITY)) {
            state[s].held = false; /* no hold: the block sent a STOP itself */
            break;
        }
        if (i > polls) {
            fr30xx_write32(base + I2C_ENABLE, 0);
            state[s].held = false;
            return DW_I2C_ETIMEDOUT;
        }
    }
    if (stop || probe) {
        (void)fr30xx_read32(base + I2C_CLR_STOP_DET);
        state[s].held = false;
    }
    return (int)len;
}
