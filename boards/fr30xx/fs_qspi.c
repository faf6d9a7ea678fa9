/*
 * The block device under the board's filesystem ([filesystem] driver = "board"):
 * the partition is QSPI NOR flash above the firmware, read through the
 * memory-mapped window like the code, erased and programmed with the flash
 * loader's routines (qspi_flash.c). While the flash erases or programs it
 * cannot be read, and the code runs from it in place, so erase and program
 * run from PRAM (the .ram_code section, linker.ld) with interrupts off, and call
 * only code that is in PRAM too, as the HAL keeps the write path of
 * driver_flash.c in PRAM (__RAM_CODE: do_write, the flash_set_* functions).
 */
#include <string.h>

#include "genhdr/board_config.h"

#if BOARD_FS_DRIVER_BOARD

/* The loader's routines, compiled here into PRAM: qspi_flash.h lets the includer
 * choose their section, and keeping them in this one file keeps every call of
 * the write path inside PRAM. The section is one the vendor's ldscript.ld puts in
 * PRAM too (.ram_code.*, its __RAM_CODE functions of driver_flash.c). */
#define QSPI_FLASH_RAMFUNC __attribute__((section(".ram_code.mpforge_fs"), noinline))
#include "qspi_flash.c"

#include "py/mperrno.h"
#include "py/runtime.h"
#include "extmod/vfs.h"
#include "fs.h"

#define FS_RAMFUNC QSPI_FLASH_RAMFUNC
#define FS_OFFSET (BOARD_FS_ORIGIN - QSPI_FLASH_DAC_BASE) /* in the flash, not the window */

_Static_assert(BOARD_FS_ORIGIN >= QSPI_FLASH_DAC_BASE &&
    BOARD_FS_ORIGIN + BOARD_FS_SIZE <= QSPI_FLASH_DAC_BASE + QSPI_FLASH_WINDOW_SIZE,
    "[filesystem] must lie in the QSPI flash window (0x08000000, 16 MB)");
_Static_assert(BOARD_FS_ORIGIN % QSPI_FLASH_SECTOR_SIZE == 0 && BOARD_FS_BLOCK_SIZE % QSPI_FLASH_SECTOR_SIZE == 0,
    "[filesystem] origin and block_size must be multiples of the 4K flash sector");

/* Interrupts off without a call: cortex_m.h's helpers are in flash when not inlined. */
static inline __attribute__((always_inline)) uint32_t irq_off(void) {
    uint32_t primask;
    __asm__ volatile ("mrs %0, primask\n cpsid i" : "=r" (primask) :: "memory");
    return primask;
}

static inline __attribute__((always_inline)) void irq_restore(uint32_t primask) {
    __asm__ volatile ("msr primask, %0" :: "r" (primask) : "memory");
}

/* Write instruction of the window: single-wire page program (0x02) with the
 * controller's own write enable, as driver_flash.c flash_set_write_single sets
 * it (see qspi_flash_controller_init). Only this register is changed, and only
 * while programming: the read configuration the boot ROM left for running in
 * place stays as it is. */
static FS_RAMFUNC uint32_t write_conf_single(void) {
    uint32_t saved = QSPI_WRITE_CONF;
    QSPI_WRITE_CONF = (saved & ~(QSPI_INS_OPCODE_MASK | QSPI_WRITE_DISABLE_WEL | QSPI_INS_ADDR_TYPE_MASK |
        QSPI_INS_DATA_TYPE_MASK | QSPI_INS_DUMMY_MASK)) | QSPI_FLASH_CMD_PAGE_PROGRAM;
    return saved;
}

/* Extern, so the compiler keeps its signature (the emulator test calls it). */
uint32_t fs_flash_op(uint32_t offset, const uint8_t *data, uint32_t len, uint32_t erase_len);

/* Erases erase_len bytes, then programs [offset, offset + len) of the flash, with the
 * protection bits lifted around it as driver_flash.c flash_erase/flash_write
 * do (flash_protect_bit_set before and after), then invalidates the flash cache,
 * whose lines still hold the old bytes (system_fr30xx.c system_cache_enable). */
FS_RAMFUNC uint32_t fs_flash_op(uint32_t offset, const uint8_t *data, uint32_t len, uint32_t erase_len) {
    uint32_t primask = irq_off();
    uint32_t rc;
    int sep = qspi_flash_sr2_separate(qspi_flash_read_id());
    uint32_t saved;
    if (sep < 0) {
        rc = QSPI_FLASH_ERR_ID;
    } else if ((rc = qspi_flash_unprotect(sep, &saved)) == QSPI_FLASH_OK) {
        uint32_t conf = write_conf_single();
        for (uint32_t off = 0; rc == QSPI_FLASH_OK && off < erase_len; off += QSPI_FLASH_SECTOR_SIZE) {
            rc = qspi_flash_erase_sector(offset + off);
        }
        for (uint32_t done = 0; rc == QSPI_FLASH_OK && done < len;) {
            /* Never across a page (qspi_flash_program_page's rule). */
            uint32_t at = offset + done;
            uint32_t n = QSPI_FLASH_PAGE_SIZE - (at & (QSPI_FLASH_PAGE_SIZE - 1u));
            if (n > len - done) {
                n = len - done;
            }
            rc = qspi_flash_program_page(at, data + done, n);
            done += n;
        }
        QSPI_WRITE_CONF = conf;
        uint32_t rc2 = qspi_flash_protect_restore(sep, saved);
        if (rc == QSPI_FLASH_OK) {
            rc = rc2;
        }
    }
    qspi_flash_cache_enable(1);
    irq_restore(primask);
    return rc;
}

void fs_driver_read(uint32_t offset, uint8_t *buf, size_t len) {
    memcpy(buf, (const uint8_t *)BOARD_FS_ORIGIN + offset, len);
}

int fs_driver_write(uint32_t offset, const uint8_t *data, size_t len, size_t erase_len) {
    uint32_t rc = fs_flash_op(FS_OFFSET + offset, data, len, erase_len);
    if (rc == QSPI_FLASH_OK) {
        return 0;
    }
    return rc == QSPI_FLASH_ERR_TIMEOUT ? MP_ETIMEDOUT : MP_EIO;
}

#endif
