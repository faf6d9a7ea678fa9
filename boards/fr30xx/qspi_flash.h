/*
 * FR30xx QSPI controller + the stacked NOR flash behind it, at register level,
 * without the vendor SDK. Used by the RAM flash loader (flasher/flasher.c) and,
 * later, by firmware that writes its own flash from RAM.
 *
 * Every register and bit names its source. "HAL" is Freqchip's public driver
 * package, github.com/yangchengwork/hal_freqchip, folder fr30xx_c/components/
 * (read for facts; nothing of it is compiled here). "FLM" is the vendor's Keil
 * flash algorithm in that package, tools/keil/FR30xx.FLM, whose disassembly
 * (arm-none-eabi-objdump -d) shows which registers its Init, EraseSector and
 * ProgramPage touch and in which order.
 *
 * The routines keep no state of their own (no globals, no static data): what a
 * caller must remember (the protect bits saved by qspi_flash_unprotect) it keeps.
 * Define QSPI_FLASH_RAMFUNC before including this header (or on the command line)
 * to place them in RAM, e.g. -DQSPI_FLASH_RAMFUNC='__attribute__((section(".ramfunc")))'
 * for firmware that runs them while the flash is busy: during an erase or program
 * nothing may execute from or read the window, so such firmware also keeps
 * interrupts off around the calls (the HAL's flash_write/flash_erase do
 * GLOBAL_INT_DISABLE) and keeps its own controller set-up (no controller_init).
 */
#ifndef QSPI_FLASH_H
#define QSPI_FLASH_H

#include <stdint.h>

#ifndef QSPI_FLASH_RAMFUNC
#define QSPI_FLASH_RAMFUNC
#endif

#define QSPI_FLASH_REG(addr) (*(volatile uint32_t *)(addr))

/* ---- Memory map: HAL drivers/device/fr30xx/fr30xx.h ------------------------ */
#define QSPI_FLASH_DAC_BASE 0x08000000u   /* FLASH_DAC_BASE: direct-access window of QSPI0 */
#define QSPI_FLASH_CACHE_BASE 0xE00B0000u /* FLASH_CACHE_BASE */
#define QSPI0_BASE 0xE00C0000u            /* FLASH_QSPI_BASE */
#define QSPI_FLASH_SYSTEM_BASE 0xE0050000u /* SYSTEM_REG_BASE */

/* Geometry: the FLM's device table (DevDscr): 16 MB window, 4K sectors, 256 B pages.
 * The parts the HAL knows are 0.5..4 MB; the window decodes 16 MB. */
#define QSPI_FLASH_WINDOW_SIZE 0x01000000u
#define QSPI_FLASH_SECTOR_SIZE 0x1000u
#define QSPI_FLASH_PAGE_SIZE 0x100u

/* ---- Clock gates: HAL drivers/device/fr30xx/system_fr30xx.h, struct_System_t -- */
#define QSPI_SYS_CLOCK_EN0 QSPI_FLASH_REG(QSPI_FLASH_SYSTEM_BASE + 0x20u) /* REG_CLK_EN0_t */
#define QSPI_SYS_CLOCK_EN1 QSPI_FLASH_REG(QSPI_FLASH_SYSTEM_BASE + 0x24u) /* REG_CLK_EN1_t */
#define QSPI_SYS_CLOCK_EN6 QSPI_FLASH_REG(QSPI_FLASH_SYSTEM_BASE + 0x38u) /* REG_CLK_EN6_t */
/* REG_CLK_EN0_t: CM33_MAS 0, CODE_BUS 1, SYS_BUS 2, ..., QSPI0_P_CLKEN 14 */
#define QSPI_CLK_EN0_BITS ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 14))
/* REG_CLK_EN1_t: PFC_CLKEN 0 (the flash cache), AHBC_CLKEN 1 */
#define QSPI_CLK_EN1_BITS ((1u << 0) | (1u << 1))
/* REG_CLK_EN6_t: QSPI0_CLKEN 7, QSPI0_H_CLKEN 8 */
#define QSPI_CLK_EN6_BITS ((1u << 7) | (1u << 8))

/* ---- Flash cache: HAL system_fr30xx.c, system_cache_enable/_disable ---------
 * Control at +0x00 (values the HAL writes: 0x38, 0x3C, 0x3E, 0x3D; bit 0 enable,
 * bit 1 invalidate, self-clearing, bit 2 set before enabling), status at +0x04
 * (bits 1:0: 0 disabled, 1 enabling, 2 enabled, 3 disabling; bit 4 ready after 0x3C). */
#define QSPI_CACHE_CTRL QSPI_FLASH_REG(QSPI_FLASH_CACHE_BASE + 0x00u)
#define QSPI_CACHE_STATUS QSPI_FLASH_REG(QSPI_FLASH_CACHE_BASE + 0x04u)
#define QSPI_CACHE_CTRL_OFF 0x38u
#define QSPI_CACHE_CTRL_PREP 0x3Cu
#define QSPI_CACHE_CTRL_INVALIDATE 0x3Eu
#define QSPI_CACHE_CTRL_ON 0x3Du
#define QSPI_CACHE_CTRL_INVALIDATE_BUSY (1u << 1)
#define QSPI_CACHE_STATUS_STATE 0x03u
#define QSPI_CACHE_STATE_OFF 0x00u
#define QSPI_CACHE_STATE_ENABLING 0x01u
#define QSPI_CACHE_STATE_ON 0x02u
#define QSPI_CACHE_STATE_DISABLING 0x03u
#define QSPI_CACHE_STATUS_READY (1u << 4)

/* ---- QSPI controller: HAL peripheral/Inc/driver_qspi.h, struct qspi_regs_t -- */
#define QSPI_CONFIG QSPI_FLASH_REG(QSPI0_BASE + 0x00u)     /* qspi_config_reg_t */
#define QSPI_READ_CONF QSPI_FLASH_REG(QSPI0_BASE + 0x04u)  /* qspi_read_ins_reg_t */
#define QSPI_WRITE_CONF QSPI_FLASH_REG(QSPI0_BASE + 0x08u) /* qspi_write_ins_reg_t */
#define QSPI_DELAY QSPI_FLASH_REG(QSPI0_BASE + 0x0Cu)      /* qspi_device_delay_reg_t */
#define QSPI_REMAP QSPI_FLASH_REG(QSPI0_BASE + 0x24u)      /* remap_address */
#define QSPI_MODE_BITS QSPI_FLASH_REG(QSPI0_BASE + 0x28u)  /* mode_bits */
#define QSPI_POLL_CFG QSPI_FLASH_REG(QSPI0_BASE + 0x38u)   /* qspi_write_comp_ctrl_reg_t */
#define QSPI_POLL_EXPIRATION QSPI_FLASH_REG(QSPI0_BASE + 0x3Cu) /* poll_expiration */
#define QSPI_CMD_CTRL QSPI_FLASH_REG(QSPI0_BASE + 0x90u)   /* qspi_stig_reg_t */
#define QSPI_CMD_ADDR QSPI_FLASH_REG(QSPI0_BASE + 0x94u)   /* cmd_address */
#define QSPI_READ_DATA_L QSPI_FLASH_REG(QSPI0_BASE + 0xA0u)
#define QSPI_READ_DATA_H QSPI_FLASH_REG(QSPI0_BASE + 0xA4u)
#define QSPI_WRITE_DATA_L QSPI_FLASH_REG(QSPI0_BASE + 0xA8u)
#define QSPI_WRITE_DATA_H QSPI_FLASH_REG(QSPI0_BASE + 0xACu)

/* qspi_config_reg_t */
#define QSPI_CONFIG_ENABLE (1u << 0)
#define QSPI_CONFIG_CPOL (1u << 1)
#define QSPI_CONFIG_CPHA (1u << 2)
#define QSPI_CONFIG_DAC (1u << 7)      /* enable_DAC: direct access through the window */
#define QSPI_CONFIG_LEGACY (1u << 8)
#define QSPI_CONFIG_AHB_REMAP (1u << 16)
#define QSPI_CONFIG_BAUD_SHIFT 19u     /* baud_rate:4, enum qspi_baud_rate_t */
#define QSPI_CONFIG_BAUD_MASK (0xFu << QSPI_CONFIG_BAUD_SHIFT)
#define QSPI_BAUDRATE_DIV_16 7u
#define QSPI_CONFIG_AHB_DECODER (1u << 23)
#define QSPI_CONFIG_IDLE (1u << 31)    /* status: 0 = busy (__QSPI_IS_BUSY) */

/* qspi_read_ins_reg_t / qspi_write_ins_reg_t */
#define QSPI_INS_OPCODE_MASK 0xFFu
#define QSPI_READ_INS_TYPE_MASK (3u << 8)    /* instruction_type */
#define QSPI_READ_DDR (1u << 10)             /* enable_DDR */
#define QSPI_INS_ADDR_TYPE_MASK (3u << 12)   /* addr_type (both registers) */
#define QSPI_INS_DATA_TYPE_MASK (3u << 16)   /* data_type (both registers) */
#define QSPI_READ_MODE_EN (1u << 20)         /* enable_mode */
#define QSPI_INS_DUMMY_MASK (0x1Fu << 24)    /* dummy_cycles (both registers) */
#define QSPI_WRITE_DISABLE_WEL (1u << 8)     /* disable_WEL: 0 = controller sends WREN before a window write */

/* qspi_write_comp_ctrl_reg_t */
#define QSPI_POLL_OPCODE_SHIFT 0u
#define QSPI_POLL_BIT_INDEX_MASK (7u << 8)
#define QSPI_POLL_POLARITY (1u << 13)
#define QSPI_POLL_DISABLE (1u << 14)
#define QSPI_POLL_EXPIRE_EN (1u << 15)
#define QSPI_POLL_COUNT_SHIFT 16u
#define QSPI_POLL_DELAY_SHIFT 24u

/* qspi_device_delay_reg_t: sel_start_offset 7:0, sel_end_offset 15:8 */
#define QSPI_DELAY_START_SHIFT 0u
#define QSPI_DELAY_END_SHIFT 8u

/* qspi_stig_reg_t (the STIG command register) */
#define QSPI_STIG_EXECUTE (1u << 0)
#define QSPI_STIG_IN_PROGRESS (1u << 1)
#define QSPI_STIG_WRITE_BYTES(n) ((uint32_t)((n) - 1u) << 12) /* write_bytes: n - 1 */
#define QSPI_STIG_WRITE_EN (1u << 15)
#define QSPI_STIG_ADDR_BYTES(n) ((uint32_t)((n) - 1u) << 16)  /* addr_bytes: n - 1 */
#define QSPI_STIG_ADDR_EN (1u << 19)                          /* enable_cmd_addr */
#define QSPI_STIG_READ_BYTES(n) ((uint32_t)((n) - 1u) << 20)  /* read_bytes: n - 1 */
#define QSPI_STIG_READ_EN (1u << 23)
#define QSPI_STIG_OPCODE(op) ((uint32_t)(op) << 24)
#define QSPI_STIG_MAX_BYTES 8u /* driver_qspi.c QSPI_STIG_MAX_SINGLE_LEN */

/* ---- NOR flash commands: HAL peripheral/Inc/driver_flash.h and driver_flash.c */
#define QSPI_FLASH_CMD_WRITE_ENABLE 0x06u      /* FLASH_WRITE_ENABLE_OPCODE */
#define QSPI_FLASH_CMD_VOLATILE_WREN 0x50u     /* write_volatile_enable_cmd */
#define QSPI_FLASH_CMD_READ_SR1 0x05u          /* FLASH_READ_STATUS_REG_OPCODE */
#define QSPI_FLASH_CMD_READ_SR2 0x35u          /* FLASH_READ_STATUS_HIGH_REG_OPCODE */
#define QSPI_FLASH_CMD_WRITE_SR 0x01u          /* FLASH_WRITE_STATUS_REG_OPCODE */
#define QSPI_FLASH_CMD_WRITE_SR2 0x31u         /* write_status_2_cmd */
#define QSPI_FLASH_CMD_SECTOR_ERASE 0x20u      /* FLASH_SECTORE_ERASE_OPCODE */
#define QSPI_FLASH_CMD_PAGE_PROGRAM 0x02u      /* FLASH_PAGE_PROGRAM_OPCODE */
#define QSPI_FLASH_CMD_READ 0x03u              /* FLASH_READ_OPCODE */
#define QSPI_FLASH_CMD_READ_ID 0x9Fu           /* FLASH_READ_IDENTIFICATION */
#define QSPI_FLASH_CMD_RELEASE_POWER_DOWN 0xABu /* wakeup_cmd */

/* Status register 1: WIP 0, WEL 1, BP0..BP4 2..6 (the HAL's "bits << 2", mask 0x7C),
 * SRP0 7. Status register 2: CMP at bit 6 (flash_preinit passes cmp = 0x06). */
#define QSPI_FLASH_SR1_WIP 0x01u
#define QSPI_FLASH_SR1_WEL 0x02u
#define QSPI_FLASH_SR1_BP_MASK 0x7Cu
#define QSPI_FLASH_SR2_CMP 0x40u

/* JEDEC IDs as flash_read_id returns them (manufacturer in bits 7:0):
 * driver_flash.c FLASH_ID_*. The split below is flash_preinit's: the first group
 * writes status register 2 with its own command (0x31, status_2_separate = true),
 * the second writes both registers with one 0x01 command. */
#define QSPI_FLASH_ID_PUYA_P25Q32 0x00166085u
#define QSPI_FLASH_ID_PUYA_P25Q16 0x00156085u
#define QSPI_FLASH_ID_XMC_XM25LU32 0x00165020u
#define QSPI_FLASH_ID_XMC_XMQ25U80 0x00145020u
#define QSPI_FLASH_ID_GIANTEC_GT25Q16A 0x001560C4u
#define QSPI_FLASH_ID_GIANTEC_GT25Q80A 0x001460C4u
#define QSPI_FLASH_ID_GD_GD25WQ80E 0x001465C8u
#define QSPI_FLASH_ID_PUYA_P25Q80 0x00146085u
#define QSPI_FLASH_ID_PUYA_P25Q40 0x00136085u
#define QSPI_FLASH_ID_GD_GD25LQ16E 0x001560C8u

/* Result codes, shared with the Go driver (device/flash): keep the numbers. */
#define QSPI_FLASH_OK 0u
#define QSPI_FLASH_ERR_FAIL 0x01u
#define QSPI_FLASH_ERR_ID 0x02u      /* returned as 0x02 | (jedec_id << 8), manufacturer byte first */
#define QSPI_FLASH_ERR_TIMEOUT 0x03u /* busy never cleared (erase, program, status write) */
#define QSPI_FLASH_ERR_PROTECT 0x04u /* status read back differs from the one written */
#define QSPI_FLASH_ERR_ARG 0x05u     /* outside the flash, unaligned sector, across a page */

/* Time-outs as status polls, QSPI_FLASH_POLL_GAP spin turns (about 3 cycles each)
 * apart, as the HAL's flash_wait_wip_clear spaces its polls (100 us). At the reset
 * clocks (24 MHz core, QSPI0 on the 24 MHz CORE_HSCLK, DIV_16) a poll of >= 16 SPI
 * clocks and the gap take about 36 us, so erase gives up after about 3.6 s and
 * program/status writes after 0.36 s; with core and QSPI clocks 8 times faster
 * still 0.44 s and 44 ms, above the datasheet maxima of the parts the HAL lists
 * (4K erase <= 0.4 s, page program <= 5 ms) and inside the time-outs the device
 * table gives the host (10 s, 1 s). */
#define QSPI_FLASH_POLL_GAP 200u
#define QSPI_FLASH_POLLS_ERASE 100000u
#define QSPI_FLASH_POLLS_PROGRAM 10000u
#define QSPI_FLASH_POLLS_STATUS 10000u
/* Bound on the controller's own busy flags (idle, STIG in progress): a few SPI words. */
#define QSPI_FLASH_POLLS_CONTROLLER 100000u

/* The parts the HAL knows: 1 if status 2 is written with 0x31, 0 if together with
 * status 1 (0x01, two bytes), -1 for an unknown ID. */
int qspi_flash_sr2_separate(uint32_t jedec_id);

void qspi_flash_clocks_on(void);
void qspi_flash_cache_disable(void);
void qspi_flash_cache_enable(int invalidate);
int qspi_flash_cache_enabled(void);
void qspi_flash_controller_init(void);
void qspi_flash_release_power_down(void);

/* JEDEC ID (manufacturer in bits 7:0, capacity code in 23:16), or 0xFFFFFFFF when
 * the controller did not complete the command. */
uint32_t qspi_flash_read_id(void);
/* Size in bytes from the JEDEC capacity code (2^code), 0 if implausible. */
uint32_t qspi_flash_size(uint32_t jedec_id);
uint32_t qspi_flash_read_sr1(void);
uint32_t qspi_flash_read_sr2(void);
void qspi_flash_write_enable(void);
uint32_t qspi_flash_wait_idle(uint32_t max_polls);
uint32_t qspi_flash_write_status_volatile(uint32_t sr1, uint32_t sr2, int sr2_separate);

/* Clears BP0..BP4 and CMP with volatile status writes; *saved gets the old status
 * (sr1 | sr2 << 8) for qspi_flash_protect_restore. */
uint32_t qspi_flash_unprotect(int sr2_separate, uint32_t *saved);
uint32_t qspi_flash_protect_restore(int sr2_separate, uint32_t saved);

/* offset: byte offset in the flash (not a window address). */
uint32_t qspi_flash_erase_sector(uint32_t offset);
uint32_t qspi_flash_program_page(uint32_t offset, const uint8_t *data, uint32_t len);

#endif
