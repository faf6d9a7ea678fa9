/*
 * FR30xx bring-up without the vendor SDK: the PMU set-up and trims (pmu_setup.c),
 * clocks, the console pins and UART3, at register level (facts and their
 * sources in fr30xx_regs.h); machine.reset() through the PMU watchdog.
 */
#include "board_hooks.h"
#include "cortex_m.h"
#include "genhdr/board_config.h"
#include "uart.h"

#include "dw_uart.h"
#include "fr30xx_regs.h"
#include "pmu.h"

/* This code clocks and muxes UART3 on PB4/PB5 only, and runs the core and the
 * UART from CORE_HSCLK (the 24 MHz crystal) undivided; a board file asking for
 * anything else needs matching changes here (or the vendor SDK mode). */
_Static_assert(BOARD_CONSOLE_UART_BASE == FR30XX_UART3_BASE,
    "board.c brings up UART3 (0x50118000) only: set [console] base = 0x50118000 or extend board.c");
_Static_assert(BOARD_CONSOLE_UART_IRQ == FR30XX_UART3_IRQ,
    "UART3 is IRQ 23: set [console] irq = 23");
_Static_assert(BOARD_CPU_HZ == FR30XX_CORE_HSCLK_HZ,
    "board.c runs the core from CORE_HSCLK (the 24 MHz crystal): set clock_hz = 24000000 or add PLL setup");
_Static_assert(BOARD_CONSOLE_UART_CLOCK_HZ == FR30XX_CORE_HSCLK_HZ,
    "board.c feeds the UARTs CORE_HSCLK undivided (24 MHz): set [console] clock_hz = 24000000");
_Static_assert(BOARD_CONSOLE_BAUD > 0 &&
    DW_UART_DIV64_OK(DW_UART_DIV64(BOARD_CONSOLE_UART_CLOCK_HZ, BOARD_CONSOLE_BAUD)),
    "[console] baud cannot be reached from [console] clock_hz with a 16-bit divisor");

#define CONSOLE ((dw_uart_regs_t *)BOARD_CONSOLE_UART_BASE)

/* NVIC priority 2 of 0..7 (3 bits, in the top of the byte), as the vendor's
 * examples give their UART IRQs (NVIC_SetPriority(..., 2)). */
#define CONSOLE_IRQ_PRIORITY (2u << (8u - FR30XX_NVIC_PRIO_BITS))

/* For code that must not run from flash: the linker puts .ramfunc in .data,
 * which startup.c copies to SRAM (executable: the vendor's own flash algorithm
 * runs from SRAM, tools/keil/JLinkDevices.xml WorkRAMAddr 0x20000000).
 * long_call because SRAM is beyond a BL's reach from flash. */
#define RAMFUNC __attribute__((section(".ramfunc"), long_call, noinline))

/* What pmu_setup() reported, printed once the console works. */
static pmu_setup_status_t power;

/* What the vendor's SystemInit() (system_fr30xx.c) does on every boot before
 * main; its startup runs it and this board's startup replaces that startup.
 * (Its FPU enable is done in startup.c.) */
static void vendor_system_init(void) {
    FR30XX_SYS_CLOCK_CTRL |= FR30XX_CLOCK_CTRL_SOC_FCLK_EN;
    for (uint32_t i = 0; i < FR30XX_SYS_MISC_CLOCK_COUNT; i++) {
        FR30XX_SYS_MISC_CLOCK(i) = 0xFFFFFFFFu;
    }
    FR30XX_SYS_PORTB_INPUT_EN |= FR30XX_PORTB_BOOT_INPUTS;
    FR30XX_SYS_QSPI_PAD_INPUT_EN |= FR30XX_QSPI_PAD_BOOT_INPUTS;
    FR30XX_SYS_MISC_IO_CONFIG = FR30XX_MISC_IO_CONFIG_BOOT;
    for (uint32_t port = 0; port < FR30XX_PORT_COUNT; port++) {
        FR30XX_SYS_PORT_WAKEUP_EN(port) = 0;
    }
    FR30XX_SYS_QSPI_WAKEUP_EN = 0;
    FR30XX_SYS_OSPI_WAKEUP_EN = 0;
}

/* The core on the 24 MHz crystal, undivided, as the vendor's mains set it
 * (sdk/sdk_board.c; Freqchip's MicroPython port, FR3068E-C_EVB1.0/freqchip_main.c
 * system_clock_config()): system_fr30xx.c System_CORE_HSCLK_config() with
 * CORE_HSCLK_SEL_HES (ClockCTRL.CORE_HSCK_SEL = 0), then System_MCU_clock_Config()
 * with MCU_CLK_SEL_CORE_HSCLK, MCU_DIV 1 and APB0..2 ratio 1: MCU_CLK_DIV, then
 * MCU_CLK_SEL, then the APB ratios. The HAL keeps both in RAM (__RAM_CODE): the
 * flash runs in place from the clock being switched, so this runs from SRAM and
 * touches nothing in flash until it returns. */
RAMFUNC static void core_clock_to_crystal(void) {
    FR30XX_SYS_CLOCK_CTRL &= ~FR30XX_CLOCK_CTRL_CORE_HSCK_RC;
    FR30XX_SYS_BUS_CLK_DIV &= ~FR30XX_BUS_CLK_DIV_MCU_MASK;
    FR30XX_SYS_CLOCK_CTRL &= ~FR30XX_CLOCK_CTRL_MCU_CLK_SEL;
    FR30XX_SYS_BUS_CLK_DIV &= ~FR30XX_BUS_CLK_DIV_APB_MASK;
    __asm__ __volatile__ ("dsb\n\tisb" ::: "memory");
}

static void clocks_init(void) {
    /* pmu_init() configures the crystal oscillator (PMU_REG_OSC_CTRL_*); without
     * it the core stays on the clock the boot ROM chose (24 MHz too). */
    if (power.bus_ok) {
        core_clock_to_crystal();
    }
    FR30XX_SYS_CLOCK_EN0 |= FR30XX_CLOCK_EN0_APB_ALL;
    /* UARTs from CORE_HSCLK / 1, then UART3's own clock gate. */
    FR30XX_SYS_CLOCK_SEL0 &= ~FR30XX_CLOCK_SEL0_UART_SPLL;
    FR30XX_SYS_BLOCK_CLK_DIV1 &= ~FR30XX_BLOCK_CLK_DIV1_UART_MASK;
    FR30XX_SYS_CLOCK_EN5 |= FR30XX_CLOCK_EN5_UART3;
}

static void console_pins_init(void) {
    const uint32_t pins = (1u << FR30XX_CONSOLE_RX_PIN) | (1u << FR30XX_CONSOLE_TX_PIN);
    /* Pull-ups keep an unconnected RX line idle (high) instead of floating. */
    FR30XX_SYS_PORTB_PULL_SEL |= pins;
    FR30XX_SYS_PORTB_PULL_EN |= pins;
    FR30XX_SYS_PORTB_INPUT_EN |= pins;
    uint32_t mux = FR30XX_SYS_PORTB_L_FUNC_MUX;
    mux &= ~(FR30XX_FUNC_MUX_MASK(FR30XX_CONSOLE_RX_PIN) | FR30XX_FUNC_MUX_MASK(FR30XX_CONSOLE_TX_PIN));
    mux |= (FR30XX_CONSOLE_PIN_FUNC << FR30XX_FUNC_MUX_SHIFT(FR30XX_CONSOLE_RX_PIN)) |
        (FR30XX_CONSOLE_PIN_FUNC << FR30XX_FUNC_MUX_SHIFT(FR30XX_CONSOLE_TX_PIN));
    FR30XX_SYS_PORTB_L_FUNC_MUX = mux;
}

/* In the vendor's order: SystemInit(), the trims and pmu_init(), the clocks. */
void board_init(void) {
    vendor_system_init();
    power = pmu_setup();
    clocks_init();
    console_pins_init();
}

static void put_str(const char *s) {
    size_t n = 0;
    while (s[n] != 0) {
        n++;
    }
    console_uart_tx((const uint8_t *)s, n);
}

/* A PMU or eFuse that did not answer at boot: said once, before the banner,
 * since the chip then runs untrimmed or on the boot ROM's settings. */
static void report_power(void) {
    if (!power.bus_ok) {
        char reg[] = "0x00";
        reg[2] = "0123456789abcdef"[power.failed_reg >> 4];
        reg[3] = "0123456789abcdef"[power.failed_reg & 0xFu];
        put_str("fr30xx: PMU bus timed out at PMU register ");
        put_str(reg);
        put_str(": PMU set-up incomplete, core on the boot ROM's clock\r\n");
    }
    if (!power.efuse_ok) {
        put_str("fr30xx: eFuse read timed out: set up as an untrimmed chip\r\n");
    }
}

void console_uart_init(void) {
    dw_uart_divisor_t div = {0};
    /* Cannot fail: the _Static_assert above applies the same rule to the same constants. */
    (void)dw_uart_divisor(BOARD_CONSOLE_UART_CLOCK_HZ, BOARD_CONSOLE_BAUD, &div);
    dw_uart_init(CONSOLE, div);
    cm_nvic_enable(BOARD_CONSOLE_UART_IRQ, CONSOLE_IRQ_PRIORITY);
    report_power();
}

void console_uart_tx(const uint8_t *buf, size_t len) {
    dw_uart_tx(CONSOLE, buf, len);
}

/* Vector 16 + 23 in startup.c. */
void UART3_IRQHandler(void) {
    dw_uart_irq(CONSOLE, console_rx_push);
}

/* machine.reset(): the whole chip through the PMU watchdog, as the vendor
 * resets (pmu.c); should the PMU not answer, the core's SYSRESETREQ. */
void board_reset(void) {
    pmu_chip_reset();
    cm_system_reset();
}
