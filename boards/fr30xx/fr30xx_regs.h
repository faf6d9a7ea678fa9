/*
 * Register facts of the Freqchip FR30xx that the board's own bring-up uses.
 *
 * Every address and bit below names its source. "HAL" is Freqchip's public
 * driver package (Apache-2.0), github.com/yangchengwork/hal_freqchip, folder
 * fr30xx_c/components/; nothing of it is compiled here, it was read for facts.
 * Architectural Cortex-M registers (SCB, NVIC, SysTick) come from the port's
 * cortex_m.h.
 */
#ifndef FR30XX_REGS_H
#define FR30XX_REGS_H

#include <stdint.h>

#define FR30XX_REG32(addr) (*(volatile uint32_t *)(addr))

/* ---- Memory map ------------------------------------------------------------
 * HAL tools/gcc/ldscript.ld: FLASH 0x08002000 1016K (XIP through the QSPI
 * controller; the first 8K at 0x08000000 hold the boot information sector that
 * tools/post_process.py writes, exec_offset 0x2000), PRAM 0x1FFE0000 128K,
 * SRAM 0x20000000 256K. The vector table sits at the start of FLASH, which is
 * also where tools/keil/debug_xip_flash.ini points VTOR (0xE000ED08 <- 0x08002000).
 * board.toml's [memory] tables carry these numbers; linker.ld places the sections.
 */

/* ---- SYSTEM block: clocks, resets, pin mux ---------------------------------
 * Base: HAL drivers/device/fr30xx/fr30xx.h, SYSTEM_REG_BASE = 0xE0050000.
 * Offsets and fields: HAL drivers/device/fr30xx/system_fr30xx.h, struct_System_t
 * and the REG_*_t bitfield structs it is made of (fields are listed LSB first).
 */
#define FR30XX_SYSTEM_BASE 0xE0050000u

/* ClockCTRL, offset 0x00, REG_SOCCLK_CTL_t: SPLL_EN 0, AUPLL_EN 1, SPLL_CLK_DIV2_EN 2,
 * AUPLL_DIV2_EN 3, SOC_CLK_DIV 4..7, CORE_HSCK_SEL 8, MCU_CLK_SEL 9, rsv 10..15, SOC_FCLK_EN 16. */
#define FR30XX_SYS_CLOCK_CTRL FR30XX_REG32(FR30XX_SYSTEM_BASE + 0x00u)
#define FR30XX_CLOCK_CTRL_MCU_CLK_SEL (1u << 9)   /* 0: MCU runs from CORE_HSCLK, 1: from SPLL */
#define FR30XX_CLOCK_CTRL_SOC_FCLK_EN (1u << 16)  /* set by the HAL's SystemInit() (__SYSTEM_SOC_FCLK_ENABLE) */

/* BusClockDIV, offset 0x04, REG_BUSCLK_DIV_t: MCU_CLK_DIV 0..3 (divider - 1), MCU_ST_CLK_DIV 4..7,
 * APB0_RATIO 8..9, APB1_RATIO 10..11, APB2_RATIO 12..13. */
#define FR30XX_SYS_BUS_CLK_DIV FR30XX_REG32(FR30XX_SYSTEM_BASE + 0x04u)
#define FR30XX_BUS_CLK_DIV_MCU_MASK (0xFu << 0)

/* ClockSEL0, offset 0x08, REG_BLOCKCLK_SEL_t: ... DISPLAY_CLK_SEL 18..19, GPIO_CLK_SEL 20,
 * UART_CLK_SEL 21 (0: CORE_HSCLK, 1: SPLL/2; __SYSTEM_UART_CLK_SELECT_COREH/_SPLL), I2C_CLK_SEL 22. */
#define FR30XX_SYS_CLOCK_SEL0 FR30XX_REG32(FR30XX_SYSTEM_BASE + 0x08u)
#define FR30XX_CLOCK_SEL0_UART_SPLL (1u << 21)

/* BlockClockDIV1, offset 0x14, REG_BLOCKCLK_DIV1_t: DISPLAY_CLK_DIV 0..1, rsv 2..3, GPIO_CLK_DIV 4..7,
 * UART_CLK_DIV 8..9 (divider - 1, shared by UART0..5; system_get_peripheral_clock(PER_CLK_UARTx)). */
#define FR30XX_SYS_BLOCK_CLK_DIV1 FR30XX_REG32(FR30XX_SYSTEM_BASE + 0x14u)
#define FR30XX_BLOCK_CLK_DIV1_UART_MASK (0x3u << 8)

/* ClockEnable0, offset 0x20, REG_CLK_EN0_t: CM33_MAS 0, CODE_BUS 1, SYS_BUS 2, APB 3, APB0 4, APB1 5, APB2 6.
 * Which APB bus carries UART3 is not stated in the HAL; we enable the APB bus clocks together, as the
 * vendor's debug script (tools/keil/debug_xip_flash.ini) enables every clock (0xE0050020..0x44 <- ~0). */
#define FR30XX_SYS_CLOCK_EN0 FR30XX_REG32(FR30XX_SYSTEM_BASE + 0x20u)
#define FR30XX_CLOCK_EN0_APB_ALL ((1u << 3) | (1u << 4) | (1u << 5) | (1u << 6))

/* ClockEnable5, offset 0x34, REG_CLK_EN5_t: UART0_CLKEN 0 .. UART3_CLKEN 3 (__SYSTEM_UART3_CLK_ENABLE). */
#define FR30XX_SYS_CLOCK_EN5 FR30XX_REG32(FR30XX_SYSTEM_BASE + 0x34u)
#define FR30XX_CLOCK_EN5_UART3 (1u << 3)

/* Port B pad control: one bit per pin (PortB_PullEN 0xA4, PortB_PullSelect 0xC4: 1 = pull-up,
 * PortB_InputOpenCircuit 0xE4: 1 = input buffer on). The HAL's gpio_init() for GPIO_MODE_AF_PP sets
 * the input bit, and GPIO_PULLUP sets PullEN and PullSelect (peripheral/Src/driver_gpio.c). */
#define FR30XX_SYS_PORTB_PULL_EN FR30XX_REG32(FR30XX_SYSTEM_BASE + 0xA4u)
#define FR30XX_SYS_PORTB_PULL_SEL FR30XX_REG32(FR30XX_SYSTEM_BASE + 0xC4u)
#define FR30XX_SYS_PORTB_INPUT_EN FR30XX_REG32(FR30XX_SYSTEM_BASE + 0xE4u)

/* PortB_L_FuncMux, offset 0x128: 4 bits per pin for PB0..PB7, pin n at bits 4n..4n+3
 * (driver_gpio.c, GPIO_MODE_AF_PP case). */
#define FR30XX_SYS_PORTB_L_FUNC_MUX FR30XX_REG32(FR30XX_SYSTEM_BASE + 0x128u)
#define FR30XX_FUNC_MUX_SHIFT(pin) (4u * (pin))
#define FR30XX_FUNC_MUX_MASK(pin) (0xFu << FR30XX_FUNC_MUX_SHIFT(pin))

/* MISC_Clock0..5, offsets 0x280..0x294: the HAL's SystemInit() writes all ones to each
 * (__SYSTEM_MISC_CLK_ENABLE); their bits are not documented further. */
#define FR30XX_SYS_MISC_CLOCK(n) FR30XX_REG32(FR30XX_SYSTEM_BASE + 0x280u + 4u * (n))
#define FR30XX_SYS_MISC_CLOCK_COUNT 6u

/* __SYSTEM_MISC_IO_CONFIG, run by SystemInit() ("Enable input of SWD(PB10, PB11),
 * UART(PB4, PB5), Flash IO0 and IO1"): PortB_InputOpenCircuit |= 0xC30,
 * QspiPadConfig.QSPI_InputOpenCircuit (0x180 + 0x0C) |= 0x00C, MISC_IO_Config (0x27C) = 0x7F,
 * and every wakeup enable cleared: PortA..E_WakeupEN (0x80..0x90), QSPI_WakeupEN (0x180),
 * OSPI_WakeupEN (0x198). */
#define FR30XX_PORTB_BOOT_INPUTS 0xC30u
#define FR30XX_SYS_QSPI_PAD_INPUT_EN FR30XX_REG32(FR30XX_SYSTEM_BASE + 0x18Cu)
#define FR30XX_QSPI_PAD_BOOT_INPUTS 0x00Cu
#define FR30XX_SYS_MISC_IO_CONFIG FR30XX_REG32(FR30XX_SYSTEM_BASE + 0x27Cu)
#define FR30XX_MISC_IO_CONFIG_BOOT 0x7Fu
#define FR30XX_SYS_PORT_WAKEUP_EN(port) FR30XX_REG32(FR30XX_SYSTEM_BASE + 0x80u + 4u * (port))
#define FR30XX_PORT_COUNT 5u
#define FR30XX_SYS_QSPI_WAKEUP_EN FR30XX_REG32(FR30XX_SYSTEM_BASE + 0x180u)
#define FR30XX_SYS_OSPI_WAKEUP_EN FR30XX_REG32(FR30XX_SYSTEM_BASE + 0x198u)

/* ---- Console pins ------------------------------------------------------------
 * UART3 on PB4 (TX) / PB5 (RX), alternate function 1: Freqchip's Zephyr board
 * fr3068e_c_dev.dts (github.com/yangchengwork/zephyr_superroc_freqchip) uses uart3 as
 * the console, with the pin mux entries <port 1 (B), pin 4, function 1> and
 * <1, 5, 1>; the HAL's __SYSTEM_MISC_IO_CONFIG comment names PB4/PB5 as the UART pins.
 */
#define FR30XX_CONSOLE_TX_PIN 4u
#define FR30XX_CONSOLE_RX_PIN 5u
#define FR30XX_CONSOLE_PIN_FUNC 1u

/* ---- UARTs --------------------------------------------------------------------
 * fr30xx.h: UART0_BASE 0x50010000 (IRQ 20), UART1 0x50018000 (21), UART2 0x50110000 (22),
 * UART3_BASE 0x50118000 with UART3_IRQn = 23, UART4 0x50210000 (24), UART5 0x50218000 (25).
 * The register block is a Synopsys DesignWare APB UART; see dw_uart.h.
 */
#define FR30XX_UART3_BASE 0x50118000u
#define FR30XX_UART3_IRQ 23

/* Reset clock: system_fr30xx.c starts with SystemCoreClock = System_CORE_HSCLK = 24000000,
 * and fr30xx.h gives HSE_VALUE = HSI_VALUE = 24000000, so CORE_HSCLK is 24 MHz whichever
 * oscillator is selected. UART clock = CORE_HSCLK / (UART_CLK_DIV + 1) when UART_CLK_SEL = 0. */
#define FR30XX_CORE_HSCLK_HZ 24000000u

/* fr30xx.h: IRQs 0..82 (TIMER0_IRQn = 0 .. TIMER5_IRQn = 82), __NVIC_PRIO_BITS = 3,
 * __FPU_PRESENT = 1, __VTOR_PRESENT = 1, __MPU_PRESENT = 0. */
#define FR30XX_IRQ_COUNT 83
#define FR30XX_NVIC_PRIO_BITS 3

#endif /* FR30XX_REGS_H */
