/* A minimal CMSIS flash algorithm for flashalgo's tests: it "programs" a RAM
 * array so the ELF has code, initialised data, zero-initialised data and the
 * FlashDevice table the way a real algorithm has them. */
#include <stdint.h>

struct FlashSectors { uint32_t szSector, AddrSector; };
struct FlashDevice {
	uint16_t Vers;
	char DevName[128];
	uint16_t DevType;
	uint32_t DevAdr, szDev, szPage, Res;
	uint8_t valEmpty;
	uint32_t toProg, toErase;
	struct FlashSectors sectors[4];
};

#ifdef NO_DEVDSCR
#define DEVDSCR ".rodata.dev"
#else
#define DEVDSCR "DevDscr"
#endif

__attribute__((section(DEVDSCR), used)) const struct FlashDevice FlashDevice = {
	0x0101, "Test Flash", 5, 0x10000000, 0x30000, 256, 0, 0xFF, 100, 3000,
	{ { 0x1000, 0x0 }, { 0x10000, 0x10000 }, { 0xFFFFFFFF, 0xFFFFFFFF } },
};

static uint32_t base = 0x10000000; /* PrgData */
static uint32_t calls;             /* PrgData, NOBITS */

#ifndef NO_INIT
int Init(unsigned long adr, unsigned long clk, unsigned long fnc) { base = adr; calls++; return 0; }
#endif
int UnInit(unsigned long fnc) { calls++; return 0; }
int EraseSector(unsigned long adr) { calls++; return adr < base; }
int ProgramPage(unsigned long adr, unsigned long sz, unsigned char *buf) { calls += sz; return 0; }
#ifdef WITH_CRC
uint32_t Crc32(unsigned long adr, unsigned long sz) { return adr ^ sz ^ calls; }
#endif
#ifdef ABSOLUTE
/* Taking a function's address without -fPIC needs an absolute relocation. */
int (*const table[])(unsigned long) = { EraseSector };
uint32_t BlankCheck(unsigned long adr, unsigned long sz, unsigned char pat) { return (uint32_t)table[adr](sz); }
#endif
#ifdef ABSDATA
/* Position-independent code, but data holding an absolute address. */
int (*hook)(unsigned long) = EraseSector;
uint32_t BlankCheck(unsigned long adr, unsigned long sz, unsigned char pat) { return hook(adr); }
#endif
