/*
 * FR30xx QSPI controller + NOR flash routines, see qspi_flash.h for the sources.
 * Each register sequence names the HAL function (or the FLM routine) it follows.
 * No global or static data: position independent as long as the compiler emits
 * no tables (build with -fno-jump-tables -fno-tree-switch-conversion).
 */
#include "qspi_flash.h"

#define FLASH_READ_FAILED 0xFFFFFFFFu

/* Short busy-wait, no timer: about 3 cycles per turn. */
static QSPI_FLASH_RAMFUNC void spin(uint32_t turns) {
#pragma GCC unroll 4
    while (turns--) {
        __asm__ volatile ("");
    }
}

QSPI_FLASH_RAMFUNC int qspi_flash_sr2_separate(uint32_t jedec_id) {
    /* driver_flash.c flash_preinit: which parts write status 2 separately. */
    switch (jedec_id) {
        case QSPI_FLASH_ID_PUYA_P25Q32:
        case QSPI_FLASH_ID_PUYA_P25Q16:
        case QSPI_FLASH_ID_XMC_XM25LU32:
        case QSPI_FLASH_ID_XMC_XMQ25U80:
        case QSPI_FLASH_ID_GIANTEC_GT25Q16A:
        case QSPI_FLASH_ID_GIANTEC_GT25Q80A:
            return 1;
        case QSPI_FLASH_ID_GD_GD25WQ80E:
        case QSPI_FLASH_ID_PUYA_P25Q80:
        case QSPI_FLASH_ID_PUYA_P25Q40:
        case QSPI_FLASH_ID_GD_GD25LQ16E:
            return 0;
        default:
            return -1;
    }
}

QSPI_FLASH_RAMFUNC uint32_t qspi_flash_size(uint32_t jedec_id) {
    /* JEDEC capacity code = log2(bytes): 0x13 (P25Q40, 512K) .. 0x16 (P25Q32, 4M). */
    uint32_t code = (jedec_id >> 16) & 0xFFu;
    if (code < 0x10u || code > 0x18u) {
        return 0;
    }
    return 1u << code;
}

QSPI_FLASH_RAMFUNC void qspi_flash_clocks_on(void) {
    /* FR30xx.FLM Init writes all ones to ClockEnable0 (0xE0050020), ClockEnable1
     * (0x24) and ClockEnable6 (0x38); we set only the bits that feed the flash path
     * (system_fr30xx.h REG_CLK_EN0_t/EN1_t/EN6_t) and leave the others as they are. */
    QSPI_SYS_CLOCK_EN0 |= QSPI_CLK_EN0_BITS;
    QSPI_SYS_CLOCK_EN1 |= QSPI_CLK_EN1_BITS;
    QSPI_SYS_CLOCK_EN6 |= QSPI_CLK_EN6_BITS;
}

QSPI_FLASH_RAMFUNC void qspi_flash_cache_disable(void) {
    /* system_fr30xx.c system_cache_disable: 0x3C, 0x38, wait for state 0.
     * (FR30xx.FLM Init does the same.) */
    QSPI_CACHE_CTRL = QSPI_CACHE_CTRL_PREP;
    QSPI_CACHE_CTRL = QSPI_CACHE_CTRL_OFF;
    for (uint32_t n = QSPI_FLASH_POLLS_CONTROLLER; n; n--) {
        if ((QSPI_CACHE_STATUS & QSPI_CACHE_STATUS_STATE) == QSPI_CACHE_STATE_OFF) {
            break;
        }
    }
}

QSPI_FLASH_RAMFUNC int qspi_flash_cache_enabled(void) {
    return (QSPI_CACHE_STATUS & QSPI_CACHE_STATUS_STATE) == QSPI_CACHE_STATE_ON;
}

QSPI_FLASH_RAMFUNC void qspi_flash_cache_enable(int invalidate) {
    /* system_fr30xx.c system_cache_enable(invalid_ram), the path from "disabled":
     * 0x38, 0x3C, wait status bit 4; if invalidating 0x3E and wait for control bit 1
     * to clear; 0x3D, wait for state 2. From "enabling"/"disabling" it first waits
     * for the transition to end, as the HAL's switch does. */
    uint32_t n = QSPI_FLASH_POLLS_CONTROLLER;
    uint32_t state = QSPI_CACHE_STATUS & QSPI_CACHE_STATUS_STATE;
    if (state == QSPI_CACHE_STATE_ENABLING || state == QSPI_CACHE_STATE_DISABLING) {
        uint32_t want = state == QSPI_CACHE_STATE_ENABLING ? QSPI_CACHE_STATE_ON : QSPI_CACHE_STATE_OFF;
        while (n-- && (QSPI_CACHE_STATUS & QSPI_CACHE_STATUS_STATE) != want) {
        }
        state = want;
    }
    if (state == QSPI_CACHE_STATE_ON) {
        if (!invalidate) {
            return;
        }
        /* The HAL invalidates only on the way up; to invalidate a running cache we go
         * down first (system_cache_disable) and come back up. */
        qspi_flash_cache_disable();
    }
    QSPI_CACHE_CTRL = QSPI_CACHE_CTRL_OFF;
    QSPI_CACHE_CTRL = QSPI_CACHE_CTRL_PREP;
    for (n = QSPI_FLASH_POLLS_CONTROLLER; n && !(QSPI_CACHE_STATUS & QSPI_CACHE_STATUS_READY); n--) {
    }
    if (invalidate) {
        QSPI_CACHE_CTRL = QSPI_CACHE_CTRL_INVALIDATE;
        for (n = QSPI_FLASH_POLLS_CONTROLLER; n && (QSPI_CACHE_CTRL & QSPI_CACHE_CTRL_INVALIDATE_BUSY); n--) {
        }
    }
    QSPI_CACHE_CTRL = QSPI_CACHE_CTRL_ON;
    for (n = QSPI_FLASH_POLLS_CONTROLLER;
         n && (QSPI_CACHE_STATUS & QSPI_CACHE_STATUS_STATE) != QSPI_CACHE_STATE_ON; n--) {
    }
}

/* Waits for the controller to be idle (driver_qspi.c: while (__QSPI_IS_BUSY)). */
static QSPI_FLASH_RAMFUNC int controller_idle(void) {
    for (uint32_t n = QSPI_FLASH_POLLS_CONTROLLER; n; n--) {
        if (QSPI_CONFIG & QSPI_CONFIG_IDLE) {
            return 1;
        }
    }
    return 0;
}

/* One STIG command, driver_qspi.c qspi_stig_cmd: wait idle; for a write put the
 * data in write_data_L/H first; write the command word (opcode, lengths), then set
 * execute, then wait for progress_status to clear. Returns 0 when it completed. */
static QSPI_FLASH_RAMFUNC int stig(uint32_t cmd, uint32_t data_l, uint32_t data_h) {
    if (!controller_idle()) {
        return 0;
    }
    if (cmd & QSPI_STIG_WRITE_EN) {
        QSPI_WRITE_DATA_L = data_l;
        QSPI_WRITE_DATA_H = data_h;
    }
    QSPI_CMD_CTRL = cmd;
    QSPI_CMD_CTRL = cmd | QSPI_STIG_EXECUTE;
    for (uint32_t n = QSPI_FLASH_POLLS_CONTROLLER; n; n--) {
        if (!(QSPI_CMD_CTRL & QSPI_STIG_IN_PROGRESS)) {
            return 1;
        }
    }
    return 0;
}

/* A STIG read of len (1..4) bytes, little-endian in the result as the HAL's
 * qspi_stig_cmd(QSPI_STIG_CMD_READ) copies read_data_L into its buffer. */
static QSPI_FLASH_RAMFUNC uint32_t stig_read(uint32_t opcode, uint32_t len) {
    if (!stig(QSPI_STIG_OPCODE(opcode) | QSPI_STIG_READ_EN | QSPI_STIG_READ_BYTES(len), 0, 0)) {
        return FLASH_READ_FAILED;
    }
    uint32_t v = QSPI_READ_DATA_L;
    return len >= 4u ? v : v & ((1u << (8u * len)) - 1u);
}

QSPI_FLASH_RAMFUNC void qspi_flash_controller_init(void) {
    /* driver_flash.c flash_init_controller(qspi, FLASH_RD_TYPE_SINGLE, FLASH_WR_TYPE_SINGLE),
     * the configuration FR30xx.FLM's Init also sets (flash_init(0, 0)). Firmware
     * that already runs from the window keeps its own (system_xip_flash_init's) and
     * does not call this. */
    controller_idle();
    /* flash_set_read_single: opcode 0x03, all single wire, no dummy, no mode bits. */
    uint32_t r = QSPI_READ_CONF;
    r &= ~(QSPI_INS_OPCODE_MASK | QSPI_READ_INS_TYPE_MASK | QSPI_INS_ADDR_TYPE_MASK |
           QSPI_INS_DATA_TYPE_MASK | QSPI_READ_MODE_EN | QSPI_INS_DUMMY_MASK);
    QSPI_READ_CONF = r | QSPI_FLASH_CMD_READ;
    QSPI_MODE_BITS = 0;
    /* flash_set_write_single: opcode 0x02, single wire, no dummy. disable_WEL is
     * cleared as well (__QSPI_WRITE_WEL_ENABLE): the controller then sends a write
     * enable before each window write, which flash_write relies on. */
    uint32_t w = QSPI_WRITE_CONF;
    w &= ~(QSPI_INS_OPCODE_MASK | QSPI_WRITE_DISABLE_WEL | QSPI_INS_ADDR_TYPE_MASK |
           QSPI_INS_DATA_TYPE_MASK | QSPI_INS_DUMMY_MASK);
    QSPI_WRITE_CONF = w | QSPI_FLASH_CMD_PAGE_PROGRAM;
    /* Write-completion polling: opcode 0x05, bit 0, polarity 0, no expiration,
     * count 2, delay 16, then polling disabled (software polls status itself). */
    QSPI_POLL_EXPIRATION = 0;
    QSPI_POLL_CFG = ((uint32_t)QSPI_FLASH_CMD_READ_SR1 << QSPI_POLL_OPCODE_SHIFT) |
                    (2u << QSPI_POLL_COUNT_SHIFT) | (16u << QSPI_POLL_DELAY_SHIFT) |
                    QSPI_POLL_DISABLE;
    /* Configuration: CPOL 1, CPHA 1, direct access on, legacy off, AHB remap on,
     * baud DIV_16, AHB decoder on. */
    uint32_t c = QSPI_CONFIG;
    c &= ~(QSPI_CONFIG_LEGACY | QSPI_CONFIG_BAUD_MASK);
    c |= QSPI_CONFIG_CPOL | QSPI_CONFIG_CPHA | QSPI_CONFIG_DAC | QSPI_CONFIG_AHB_REMAP |
         (QSPI_BAUDRATE_DIV_16 << QSPI_CONFIG_BAUD_SHIFT) | QSPI_CONFIG_AHB_DECODER;
    QSPI_CONFIG = c;
    /* Chip-select delays: start 2, end 2. */
    uint32_t d = QSPI_DELAY & ~0xFFFFu;
    QSPI_DELAY = d | (2u << QSPI_DELAY_START_SHIFT) | (2u << QSPI_DELAY_END_SHIFT);
    /* Remap address 0: the HAL's value, which firmware running through the window
     * sets itself (system_fr30xx.c system_xip_flash_init calls flash_init_controller);
     * FR30xx.FLM writes 0x10000000 here instead. */
    QSPI_REMAP = 0;
    QSPI_CONFIG = QSPI_CONFIG | QSPI_CONFIG_ENABLE;
}

QSPI_FLASH_RAMFUNC void qspi_flash_release_power_down(void) {
    /* driver_flash.c flash_exit_deep_sleep: 0xAB, then 20 us (flash_init does this
     * before reading the ID, so does FR30xx.FLM's Init). 2000 turns >= 20 us below
     * 300 MHz. */
    stig(QSPI_STIG_OPCODE(QSPI_FLASH_CMD_RELEASE_POWER_DOWN), 0, 0);
    spin(2000);
}

QSPI_FLASH_RAMFUNC uint32_t qspi_flash_read_id(void) {
    /* driver_flash.c flash_read_id: 0x9F, 3 bytes (read_id_cmd). */
    return stig_read(QSPI_FLASH_CMD_READ_ID, 3);
}

QSPI_FLASH_RAMFUNC uint32_t qspi_flash_read_sr1(void) {
    /* driver_flash.c read_status_cmd: 0x05, 1 byte. FLASH_READ_FAILED keeps WIP set. */
    return stig_read(QSPI_FLASH_CMD_READ_SR1, 1);
}

QSPI_FLASH_RAMFUNC uint32_t qspi_flash_read_sr2(void) {
    /* driver_flash.c read_status_h_cmd: 0x35, 1 byte. */
    return stig_read(QSPI_FLASH_CMD_READ_SR2, 1);
}

QSPI_FLASH_RAMFUNC void qspi_flash_write_enable(void) {
    /* driver_flash.c write_enable_cmd: 0x06, no address, no data. */
    stig(QSPI_STIG_OPCODE(QSPI_FLASH_CMD_WRITE_ENABLE), 0, 0);
}

QSPI_FLASH_RAMFUNC uint32_t qspi_flash_wait_idle(uint32_t max_polls) {
    /* driver_flash.c flash_wait_wip_clear polls 0x05 until WIP clears, 100 us
     * apart; FR30xx.FLM tests bit 0 only, as we do (WEL may stay set when a part
     * ignores a command). The bound makes it a time-out instead of the HAL's
     * endless loop (qspi_flash.h says how long). */
    for (;;) {
        if (!(qspi_flash_read_sr1() & QSPI_FLASH_SR1_WIP)) {
            return QSPI_FLASH_OK;
        }
        if (max_polls <= 1u) {
            return QSPI_FLASH_ERR_TIMEOUT;
        }
        max_polls--;
        spin(QSPI_FLASH_POLL_GAP);
    }
}

/* Volatile write of one status register: driver_flash.c flash_write_status_volatile
 * (0x50, then 0x01 with 1 or 2 bytes) and flash_write_status_2_volatile (0x50, then
 * 0x31 with 1 byte). FR30xx.FLM polls WIP after it; so do we, bounded. */
static QSPI_FLASH_RAMFUNC uint32_t write_sr_volatile(uint32_t opcode, uint32_t data, uint32_t len) {
    stig(QSPI_STIG_OPCODE(QSPI_FLASH_CMD_VOLATILE_WREN), 0, 0);
    stig(QSPI_STIG_OPCODE(opcode) | QSPI_STIG_WRITE_EN | QSPI_STIG_WRITE_BYTES(len), data, 0);
    return qspi_flash_wait_idle(QSPI_FLASH_POLLS_STATUS);
}

QSPI_FLASH_RAMFUNC uint32_t qspi_flash_write_status_volatile(uint32_t sr1, uint32_t sr2, int sr2_separate) {
    /* driver_flash.c flash_protect_bit_set(..., wr_volatile = true, status_2_separate):
     * separate parts get 0x01 (status 1) then 0x31 (status 2); the others one 0x01
     * with both bytes. Then the status is read back and compared (bits 2..7 of
     * status 1, all of status 2 but the read-only ones we do not touch). */
    uint32_t rc;
    if (sr2_separate) {
        rc = write_sr_volatile(QSPI_FLASH_CMD_WRITE_SR, sr1 & 0xFFu, 1);
        if (rc == QSPI_FLASH_OK) {
            rc = write_sr_volatile(QSPI_FLASH_CMD_WRITE_SR2, sr2 & 0xFFu, 1);
        }
    } else {
        rc = write_sr_volatile(QSPI_FLASH_CMD_WRITE_SR, (sr1 & 0xFFu) | ((sr2 & 0xFFu) << 8), 2);
    }
    if (rc != QSPI_FLASH_OK) {
        return rc;
    }
    uint32_t got1 = qspi_flash_read_sr1();
    uint32_t got2 = qspi_flash_read_sr2();
    if (((got1 ^ sr1) & (QSPI_FLASH_SR1_BP_MASK | 0x80u)) || ((got2 ^ sr2) & QSPI_FLASH_SR2_CMP)) {
        return QSPI_FLASH_ERR_PROTECT;
    }
    return QSPI_FLASH_OK;
}

QSPI_FLASH_RAMFUNC uint32_t qspi_flash_unprotect(int sr2_separate, uint32_t *saved) {
    /* flash_write/flash_erase call flash_protect_bit_set(QSPI0, 0x00, ...) to clear
     * BP0..BP4 before they write; CMP (status 2 bit 6) is cleared too, since with
     * CMP = 1 the parts protect everything when BP is 0. Nothing is written when
     * both are clear already (the HAL's skip_status_1 / cmp = 0xff paths). */
    uint32_t sr1 = qspi_flash_read_sr1();
    uint32_t sr2 = qspi_flash_read_sr2();
    if (sr1 == FLASH_READ_FAILED || sr2 == FLASH_READ_FAILED) {
        return QSPI_FLASH_ERR_FAIL;
    }
    *saved = sr1 | (sr2 << 8);
    if (!(sr1 & QSPI_FLASH_SR1_BP_MASK) && !(sr2 & QSPI_FLASH_SR2_CMP)) {
        return QSPI_FLASH_OK;
    }
    return qspi_flash_write_status_volatile(sr1 & ~(QSPI_FLASH_SR1_BP_MASK | 0x03u),
                                            sr2 & ~QSPI_FLASH_SR2_CMP, sr2_separate);
}

QSPI_FLASH_RAMFUNC uint32_t qspi_flash_protect_restore(int sr2_separate, uint32_t saved) {
    /* flash_write/flash_erase end with flash_protect_bit_set(QSPI0, 0x1f, ...):
     * we put back exactly the BP and CMP bits unprotect found. */
    uint32_t sr1 = qspi_flash_read_sr1();
    uint32_t sr2 = qspi_flash_read_sr2();
    if (sr1 == FLASH_READ_FAILED || sr2 == FLASH_READ_FAILED) {
        return QSPI_FLASH_ERR_FAIL;
    }
    uint32_t want1 = (sr1 & ~(QSPI_FLASH_SR1_BP_MASK | 0x03u)) | (saved & QSPI_FLASH_SR1_BP_MASK);
    uint32_t want2 = (sr2 & ~QSPI_FLASH_SR2_CMP) | ((saved >> 8) & QSPI_FLASH_SR2_CMP);
    if (want1 == (sr1 & ~0x03u) && want2 == sr2) {
        return QSPI_FLASH_OK;
    }
    return qspi_flash_write_status_volatile(want1, want2, sr2_separate);
}

QSPI_FLASH_RAMFUNC uint32_t qspi_flash_erase_sector(uint32_t offset) {
    /* driver_flash.c flash_erase, one sector: write enable (0x06), cmd_address =
     * offset, 0x20 with a 3-byte address (sector_erase_cmd), wait for WIP. */
    if ((offset & (QSPI_FLASH_SECTOR_SIZE - 1u)) || offset >= QSPI_FLASH_WINDOW_SIZE) {
        return QSPI_FLASH_ERR_ARG;
    }
    qspi_flash_write_enable();
    QSPI_CMD_ADDR = offset;
    stig(QSPI_STIG_OPCODE(QSPI_FLASH_CMD_SECTOR_ERASE) | QSPI_STIG_ADDR_EN | QSPI_STIG_ADDR_BYTES(3), 0, 0);
    return qspi_flash_wait_idle(QSPI_FLASH_POLLS_ERASE);
}

QSPI_FLASH_RAMFUNC uint32_t qspi_flash_program_page(uint32_t offset, const uint8_t *data, uint32_t len) {
    /* driver_flash.c flash_write: copy <= 256 bytes, never across a page, into the
     * direct-access window (do_write: byte stores); the controller turns the run of
     * writes into one write enable + page program (0x02); then wait for WIP.
     * FR30xx.FLM's ProgramPage copies with word stores (__rt_memcpy) when aligned,
     * as we do. A write enable is sent first as well (STIG 0x06), so the part is
     * write-enabled even if the controller's automatic one were off. */
    if (len == 0u) {
        return QSPI_FLASH_OK;
    }
    if (offset >= QSPI_FLASH_WINDOW_SIZE || len > QSPI_FLASH_PAGE_SIZE ||
        (offset & (QSPI_FLASH_PAGE_SIZE - 1u)) + len > QSPI_FLASH_PAGE_SIZE) {
        return QSPI_FLASH_ERR_ARG;
    }
    qspi_flash_write_enable();
    uint32_t dst = QSPI_FLASH_DAC_BASE + offset;
    uint32_t i = 0;
    if (!((dst | (uint32_t)data) & 3u)) {
        for (; i + 4u <= len; i += 4u) {
            *(volatile uint32_t *)(dst + i) = *(const uint32_t *)(data + i);
        }
    }
    for (; i < len; i++) {
        *(volatile uint8_t *)(dst + i) = data[i];
    }
    __asm__ volatile ("dsb" ::: "memory");
    return qspi_flash_wait_idle(QSPI_FLASH_POLLS_PROGRAM);
}
