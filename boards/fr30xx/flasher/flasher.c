/*
 * mpforge's RAM flash loader for the FR30xx: a CMSIS flash algorithm (the shape
 * of Keil's FLM files) that a debugger loads into SRAM and calls with r0..r2 as
 * arguments, r9 = the static base (start of PrgData), LR at a breakpoint; the
 * result comes back in r0. Besides Init/UnInit/EraseSector/ProgramPage/Verify it
 * has Crc32, so a host can skip sectors that already hold the right bytes.
 *
 * Position independent: no absolute address of its own code or data anywhere.
 * The only mutable state is struct state, reached through r9 (built with
 * -ffixed-r9), never through its symbol.
 *
 * Result codes: qspi_flash.h QSPI_FLASH_OK / _ERR_*; an unknown part is reported
 * as 0x02 | (jedec_id << 8), the ID's three bytes in the order the part sends them
 * (manufacturer in bits 31:24 of the result).
 */
#include <stddef.h>
#include <stdint.h>

#include "qspi_flash.h" /* boards/fr30xx/, on the include path ([flash] loader builds add -I<board dir>) */

/* CMSIS FlashOS.h's FlashDevice, byte for byte as Keil FLMs carry it in DevDscr:
 * Vers @0, DevName[128] @2, DevType @130, DevAdr @132, szDev @136, szPage @140,
 * Res @144, valEmpty @148 (then 3 bytes of padding), toProg @152, toErase @156,
 * sectors @160: {size, start offset} pairs ended by 0xFFFFFFFF, 0xFFFFFFFF. */
struct flash_sector {
    uint32_t size;
    uint32_t offset;
};

struct flash_device {
    uint16_t vers;
    char name[128];
    uint16_t type;
    uint32_t base;
    uint32_t size;
    uint32_t page_size;
    uint32_t reserved;
    uint8_t erased;
    uint32_t program_timeout_ms;
    uint32_t erase_timeout_ms;
    struct flash_sector sectors[2];
};

_Static_assert(offsetof(struct flash_device, type) == 130, "FlashDevice.DevType at 130");
_Static_assert(offsetof(struct flash_device, base) == 132, "FlashDevice.DevAdr at 132");
_Static_assert(offsetof(struct flash_device, erased) == 148, "FlashDevice.valEmpty at 148");
_Static_assert(offsetof(struct flash_device, program_timeout_ms) == 152, "FlashDevice.toProg at 152");
_Static_assert(offsetof(struct flash_device, sectors) == 160, "FlashDevice.sectors at 160");

/* The vendor FLM's table (0x08000000, 16 MB, 4K sectors, 256 B pages, erased 0xFF);
 * time-outs cover our poll bounds (qspi_flash.h) at the slowest SPI clock. */
__attribute__((section("DevDscr"), used))
const struct flash_device FlashDevice = {
    .vers = 0x0101,               /* FLASH_DRV_VERS: driver 1.01 */
    .name = "FR30xx QSPI flash (mpforge)",
    .type = 5,                    /* EXTSPI */
    .base = QSPI_FLASH_DAC_BASE,
    .size = QSPI_FLASH_WINDOW_SIZE,
    .page_size = QSPI_FLASH_PAGE_SIZE,
    .erased = 0xFF,
    .program_timeout_ms = 1000,
    .erase_timeout_ms = 10000,
    .sectors = {{QSPI_FLASH_SECTOR_SIZE, 0}, {0xFFFFFFFFu, 0xFFFFFFFFu}},
};

struct state {
    int32_t sr2_separate; /* < 0 until Init found a known part */
    uint32_t size;        /* bytes, from the JEDEC capacity code */
    uint32_t saved_status; /* status 1 | status 2 << 8 before unprotecting */
};

/* Initialised, so PrgData is PROGBITS and the loaded image carries it. */
__attribute__((used)) struct state flasher_state = {-1, 0, 0};

register struct state *S __asm__("r9");

static int in_flash(uint32_t adr, uint32_t sz) {
    uint32_t off = adr - QSPI_FLASH_DAC_BASE;
    return adr >= QSPI_FLASH_DAC_BASE && off < S->size && sz <= S->size - off;
}

uint32_t Init(uint32_t adr, uint32_t clk, uint32_t fnc) {
    (void)adr;
    (void)clk;
    (void)fnc;
    /* FR30xx.FLM Init: clocks on, cache off, controller init, wake the part. */
    qspi_flash_clocks_on();
    qspi_flash_cache_disable();
    qspi_flash_controller_init();
    qspi_flash_release_power_down();
    uint32_t id = qspi_flash_read_id();
    int mode = qspi_flash_sr2_separate(id);
    uint32_t size = qspi_flash_size(id);
    if (mode < 0 || size == 0u) {
        S->sr2_separate = -1;
        /* reported in the order the part sends it, as datasheets print it
         * (manufacturer first: 85 60 16 is 0x856016 for a P25Q32) */
        uint32_t shown = ((id & 0xFFu) << 16) | (id & 0xFF00u) | ((id >> 16) & 0xFFu);
        return QSPI_FLASH_ERR_ID | (shown << 8);
    }
    /* A second Init without UnInit keeps the status saved by the first, so that
     * UnInit restores what the part had, not the cleared bits. */
    uint32_t saved = 0;
    uint32_t rc = qspi_flash_unprotect(mode, &saved);
    if (rc == QSPI_FLASH_ERR_FAIL) {
        return rc; /* the status could not be read: nothing was written */
    }
    if (S->sr2_separate < 0) {
        S->saved_status = saved;
    }
    S->size = size;
    S->sr2_separate = mode;
    return rc;
}

uint32_t UnInit(uint32_t fnc) {
    (void)fnc;
    uint32_t rc = QSPI_FLASH_OK;
    if (S->sr2_separate >= 0) {
        rc = qspi_flash_protect_restore(S->sr2_separate, S->saved_status);
        S->sr2_separate = -1;
    }
    qspi_flash_cache_enable(1);
    return rc;
}

uint32_t EraseSector(uint32_t adr) {
    if (!in_flash(adr, QSPI_FLASH_SECTOR_SIZE) || (adr & (QSPI_FLASH_SECTOR_SIZE - 1u))) {
        return QSPI_FLASH_ERR_ARG;
    }
    return qspi_flash_erase_sector(adr - QSPI_FLASH_DAC_BASE);
}

uint32_t ProgramPage(uint32_t adr, uint32_t sz, const uint8_t *buf) {
    if (!in_flash(adr, sz)) {
        return QSPI_FLASH_ERR_ARG;
    }
    return qspi_flash_program_page(adr - QSPI_FLASH_DAC_BASE, buf, sz);
}

/* CMSIS: adr + sz when all bytes match, else the first address that differs.
 * Reads through the window; Init turned the cache off, so it sees the flash. */
uint32_t Verify(uint32_t adr, uint32_t sz, const uint8_t *buf) {
    if (!in_flash(adr, sz)) {
        return adr;
    }
    const volatile uint8_t *p = (const volatile uint8_t *)adr;
    for (uint32_t i = 0; i < sz; i++) {
        if (p[i] != buf[i]) {
            return adr + i;
        }
    }
    return adr + sz;
}

/* CRC-32 (IEEE 802.3, reflected 0xEDB88320, init and final xor ~0: zlib's and Go's
 * crc32.ChecksumIEEE) of sz bytes read through the window, four bits at a time
 * from a 16-entry table computed on the stack (a table in rodata would need its
 * absolute address). A running cache is invalidated first so the sum is over what
 * the flash holds now. Outside the window: 0. */
uint32_t Crc32(uint32_t adr, uint32_t sz) {
    if (adr < QSPI_FLASH_DAC_BASE || adr - QSPI_FLASH_DAC_BASE >= QSPI_FLASH_WINDOW_SIZE ||
        sz > QSPI_FLASH_WINDOW_SIZE - (adr - QSPI_FLASH_DAC_BASE)) {
        return 0;
    }
    if (qspi_flash_cache_enabled()) {
        qspi_flash_cache_enable(1);
    }
    uint32_t table[16];
    for (uint32_t n = 0; n < 16u; n++) {
        uint32_t c = n;
        for (int b = 0; b < 4; b++) {
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        }
        table[n] = c;
    }
    uint32_t crc = 0xFFFFFFFFu;
    uint32_t i = 0;
    const volatile uint32_t *w = (const volatile uint32_t *)adr;
    for (; !(adr & 3u) && i + 4u <= sz; i += 4u) {
        crc ^= w[i / 4u];
#pragma GCC unroll 8
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 4) ^ table[crc & 0xFu];
        }
    }
    const volatile uint8_t *p = (const volatile uint8_t *)adr;
    for (; i < sz; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ table[crc & 0xFu];
        crc = (crc >> 4) ^ table[crc & 0xFu];
    }
    return ~crc;
}
