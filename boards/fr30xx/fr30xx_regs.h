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
/* CORE_HSCK_SEL: 0 = the 24 MHz crystal oscillator (__SYSTEM_CORE_HIGH_CLK_SELECT_OSC, the HAL's
 * CORE_HSCLK_SEL_HES), 1 = the internal 24 MHz RC (__SYSTEM_CORE_HIGH_CLK_SELECT_RC). */
#define FR30XX_CLOCK_CTRL_CORE_HSCK_RC (1u << 8)
#define FR30XX_CLOCK_CTRL_MCU_CLK_SEL (1u << 9)   /* 0: MCU runs from CORE_HSCLK, 1: from SPLL */
#define FR30XX_CLOCK_CTRL_SOC_FCLK_EN (1u << 16)  /* set by the HAL's SystemInit() (__SYSTEM_SOC_FCLK_ENABLE) */

/* BusClockDIV, offset 0x04, REG_BUSCLK_DIV_t: MCU_CLK_DIV 0..3 (divider - 1), MCU_ST_CLK_DIV 4..7,
 * APB0_RATIO 8..9, APB1_RATIO 10..11, APB2_RATIO 12..13. */
#define FR30XX_SYS_BUS_CLK_DIV FR30XX_REG32(FR30XX_SYSTEM_BASE + 0x04u)
#define FR30XX_BUS_CLK_DIV_MCU_MASK (0xFu << 0)
#define FR30XX_BUS_CLK_DIV_APB_MASK (0x3Fu << 8)  /* APB0..2_RATIO, each ratio - 1 */

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

/* ClockEnable9, offset 0x44, REG_CLK_EN9_t: USB 0, DISPLAY 1, TICK 2, APP_IPC 3, FRSPIM 4, CALI 5,
 * EFUSE0 6, EFUSE1 7, ADC 8, COUNTER 9, EFUSE2 10. trim_fr30xx.c gates EFUSE0/1 on around its eFuse
 * reads and off after (__SYSTEM_EFUSE0/1_CLK_ENABLE/DISABLE). FRSPIM (the PMU bus) is never gated on
 * by the HAL (__SYSTEM_FRSPIM__CLK_ENABLE exists, unused), so it is on after the boot ROM. */
#define FR30XX_SYS_CLOCK_EN9_ADDR (FR30XX_SYSTEM_BASE + 0x44u)
#define FR30XX_CLOCK_EN9_FRSPIM (1u << 4)
#define FR30XX_CLOCK_EN9_EFUSE0 (1u << 6)
#define FR30XX_CLOCK_EN9_EFUSE1 (1u << 7)

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
 * UART3 on PB4 (RX, chip input) / PB5 (TX, chip output), alternate function 1.
 * Direction: Freqchip's FR3068E pin table in its MicroPython port
 * (github.com/yangchengwork/micropython_fr8000, ports/freqchip/boards/fr3068ec_af.csv)
 * lists, in the AF1 column, PB4 = UART3_RXD and PB5 = UART3_TXD; every UART pair in that
 * table follows the same rule (the even pin receives: PA4/PA5 UART1, PB0/PB1 and PB8/PB9
 * UART2, PB12/PB13 and PC4/PC5 UART3). The HAL itself names no direction: its
 * __SYSTEM_MISC_IO_CONFIG comment says "UART(PB4, PB5)", and its gpio_init() takes only a
 * function number. Function 1 for both: the same port's boards/FR3068E-C_EVB1.0/
 * freqchip_main.c muxes GPIO_PIN_4 | GPIO_PIN_5 of GPIOB to GPIO_FUNCTION_1 with pull-ups
 * for its UART3 console, as does Freqchip's Zephyr board fr3068e_c_dev.dts
 * (github.com/yangchengwork/zephyr_superroc_freqchip: <port 1 (B), pin 4, function 1>
 * and <1, 5, 1>).
 */
#define FR30XX_CONSOLE_RX_PIN 4u
#define FR30XX_CONSOLE_TX_PIN 5u
#define FR30XX_CONSOLE_PIN_FUNC 1u

/* ---- PMU serial bus (FRSPIM) --------------------------------------------------
 * The PMU's registers (8-bit, addresses 0x00..0xFF) are reached only through this
 * controller. Base: fr30xx.h FRSPIM_BASE = 0xE0080000. Registers: driver_frspim.h
 * struct frspim_reg_t: ctrl 0x00, wdat 0x04 (wbyte0..3), rdat 0x08 (rbyte0..3).
 * ctrl (struct frspim_ctrl_t, LSB first): go 0 (write 1 to start, "hw clear"), done 1,
 * sel 2..3 (channel: FR_SPI_PMU_CHAN = 0), len 4..6 (bytes, 1..4), op 8 (1 write,
 * 0 read), ratio 12..13 (bus clock divider), addr 16..23.
 * driver_frspim.c frspim_rd()/frspim_wr() wait with while(!ctrl.done): done reads 1
 * once the transfer is over (the struct's comment "0--idle,1--busy" says the opposite;
 * the code is what runs on silicon). One transfer moves len bytes from/to consecutive
 * PMU registers starting at addr, wbyte0/rbyte0 at addr (ool_read16/ool_write16 on
 * PMU_REG_INT_MASK's 16 bits).
 */
#define FR30XX_FRSPIM_BASE 0xE0080000u
#define FR30XX_FRSPIM_CTRL_ADDR (FR30XX_FRSPIM_BASE + 0x00u)
#define FR30XX_FRSPIM_WDAT_ADDR (FR30XX_FRSPIM_BASE + 0x04u)
#define FR30XX_FRSPIM_RDAT_ADDR (FR30XX_FRSPIM_BASE + 0x08u)
#define FR30XX_FRSPIM_CTRL_GO (1u << 0)
#define FR30XX_FRSPIM_CTRL_DONE (1u << 1)
#define FR30XX_FRSPIM_CTRL_SEL_SHIFT 2
#define FR30XX_FRSPIM_CTRL_SEL_MASK (3u << 2)
#define FR30XX_FRSPIM_CTRL_LEN_SHIFT 4
#define FR30XX_FRSPIM_CTRL_OP_WRITE (1u << 8)
#define FR30XX_FRSPIM_CTRL_RATIO_MASK (3u << 12)
#define FR30XX_FRSPIM_CTRL_ADDR_SHIFT 16
#define FR30XX_FRSPIM_CHAN_PMU 0u

/* ---- PMU registers ----------------------------------------------------------------
 * Addresses and bits: HAL peripheral/Inc/driver_pmu.h (PMU_REG_*); the values written
 * are given where they are written (pmu_setup.c, pmu.c), with the HAL function each
 * comes from.
 */
#define FR30XX_PMU_CLK_EN 0x04u              /* PMU_REG_CLK_EN */
#define FR30XX_PMU_CLK_EN_LP_TICK (1u << 0)  /* PMU_LP_TICK_CLK_EN_BIT */
#define FR30XX_PMU_CLK_EN_WDT (1u << 1)      /* PMU_WDT_CLK_EN_BIT */
#define FR30XX_PMU_CLK_EN_RTC (1u << 2)      /* PMU_RTC_CLK_EN_BIT */
#define FR30XX_PMU_FSM_TIMER 0x01u           /* PMU_REG_FSM_TIMER: on (bits 0..4) / off (5..7) dividers */
#define FR30XX_PMU_SLP_WK_SRC 0x06u          /* PMU_REG_SLP_WK_SRC */
#define FR30XX_PMU_SLP_CPU_EN (1u << 1)      /* PMU_SLP_CPU_EN_BIT */
#define FR30XX_PMU_WK_IRQ_EN (1u << 5)       /* PMU_WK_IRQ_EN_BIT */
#define FR30XX_PMU_WDT_CTRL 0x10u            /* PMU_REG_WDT_CTRL */
#define FR30XX_PMU_WDT_EN (1u << 0)          /* PMU_WDT_EN_BIT */
#define FR30XX_PMU_WDT_RST_CHIP (1u << 1)    /* PMU_WDT_RST_CHIP_BIT */
#define FR30XX_PMU_WDT_TOUT_COUNTER 0x11u    /* PMU_REG_WDT_TOUT_COUNTER_0..1, 16 bits */
#define FR30XX_PMU_WDT_LEN 0x13u             /* PMU_REG_WDT_LEN_0..3, 32 bits */
#define FR30XX_PMU_RTC_CTRL 0x17u            /* PMU_REG_RTC_CTRL */
#define FR30XX_PMU_RTC_UPD_EN (1u << 0)      /* PMU_RTC_UPD_EN_BIT: reload the counter from RTC_COUNTER */
#define FR30XX_PMU_RTC_SAMPLE (1u << 1)      /* PMU_RTC_SAMPLE_BIT: latch the counter; clears when done */
#define FR30XX_PMU_RTC_COUNTER 0x18u         /* PMU_REG_RTC_COUNTER_0..3, 32 bits */
/* The RTC counts the PMU's low-power RC clock: system_fr30xx.c System_LPRCCLK = 57000 Hz
 * until a calibration measures it (system_set_LPRCCLK()). */
#define FR30XX_LPRC_NOMINAL_HZ 57000u
#define FR30XX_PMU_INT_MASK 0x32u            /* PMU_REG_INT_MASK, 16 bits; 1 = interrupt enabled */
#define FR30XX_PMU_INT_WDT (1u << 0)         /* PMU_WDT_INT_MSK_BIT */
#define FR30XX_PMU_INT_RTC_B (1u << 2)       /* PMU_RTC_B_INT_MSK_BIT */
#define FR30XX_PMU_WKUP_INT_EN 0x57u         /* PMU_REG_WKUP_INT_EN */
#define FR30XX_PMU_PMU_GATE_M 0x61u          /* PMU_REG_PMU_GATE_M */
#define FR30XX_PMU_PMU_MASK_L 0x63u          /* PMU_REG_PMU_MASK_L */
#define FR30XX_PMU_PMU_MASK_M 0x64u          /* PMU_REG_PMU_MASK_M */
#define FR30XX_PMU_PMU_ONOFF_CNT 0x70u       /* PMU_REG_PMU_ONOFF_CNT; 0x71..0x83 the other blocks' */
#define FR30XX_PMU_PWR_GATE 0x85u            /* PMU_REG_PWR_GATE */
#define FR30XX_PMU_BLOCK_CTRL 0xA3u          /* PMU_REG_BLOCK_CTRL */
#define FR30XX_PMU_BLOCK_CTRL_WDT_BIT (1u << 1) /* driver_wdt.c wdt_init() clears it ("& 0XFD") */
#define FR30XX_PMU_ACC_KEY 0xA4u             /* PMU_REG_ACC_KEY */
#define FR30XX_PMU_ACC_KEY_UNLOCK 0xDEu      /* wdt_init() writes it before BLOCK_CTRL, 0 after */
#define FR30XX_PMU_ADKEY_CTRL 0xC0u          /* PMU_REG_ADKEY_CTRL */
#define FR30XX_PMU_ADKEY_PU_RES_EN (1u << 6) /* PMU_ADKEY_PU_RES_EN_BIT */
#define FR30XX_PMU_CHG_GT_CTL 0xC9u          /* PMU_REG_CHG_GT_CTL */
#define FR30XX_PMU_CHG_CFG_CB 0xCBu          /* PMU_REG_CHG_CFG_CB: charge end voltage in bits 4..6 */
#define FR30XX_PMU_CHG_SMP_CTL 0xD1u         /* PMU_REG_CHG_SMP_CTL */
#define FR30XX_PMU_IOBUCK_CTRL_0 0xD2u       /* PMU_REG_IOBUCK_CTRL_0 */
#define FR30XX_PMU_IOBUCK_CTRL_4 0xD6u       /* PMU_REG_IOBUCK_CTRL_4 */
#define FR30XX_PMU_SYSBUCK_CTRL_0 0xDBu      /* PMU_REG_SYSBUCK_CTRL_0 */
#define FR30XX_PMU_SYSBUCK_CTRL_1 0xDCu      /* PMU_REG_SYSBUCK_CTRL_1 */
#define FR30XX_PMU_SYSBUCK_CTRL_4 0xDFu      /* PMU_REG_SYSBUCK_CTRL_4 */
#define FR30XX_PMU_IOLDO1_CTRL_0 0xE4u       /* PMU_REG_IOLDO1_CTRL_0 (3.3 V IO LDO) */
#define FR30XX_PMU_IOLDO1_CTRL_1 0xE5u       /* PMU_REG_IOLDO1_CTRL_1 */
#define FR30XX_PMU_IOLDO2_CTRL_0 0xE6u       /* PMU_REG_IOLDO2_CTRL_0 (1.8 V IO LDO) */
#define FR30XX_PMU_IOLDO2_CTRL_1 0xE7u       /* PMU_REG_IOLDO2_CTRL_1 */
#define FR30XX_PMU_IOLDO_DYN_BIAS (1u << 4)  /* driver_pmu.c pmu_init(): "IOLDO dynamic bias" */
#define FR30XX_PMU_PLLLDO_CTRL_0 0xE8u       /* PMU_REG_PLLLDO_CTRL_0 */
#define FR30XX_PMU_OSC_CTRL_0 0xE9u          /* PMU_REG_OSC_CTRL_0 */
#define FR30XX_PMU_OSC_CTRL_1 0xEAu          /* PMU_REG_OSC_CTRL_1 */
#define FR30XX_PMU_OSC_REF_AUPLL_EN (1u << 0) /* PMU_OSC_CLK_REF_AUPLL_EN_BIT */
#define FR30XX_PMU_OSC_REF_SPLL_EN (1u << 1) /* PMU_OSC_CLK_REF_SPLL_EN_BIT */
#define FR30XX_PMU_OSC_OUT_BUF_EN (1u << 2)  /* PMU_OSC_CLK_OUT_BUF_EN_BIT */
#define FR30XX_PMU_OSC_AUPLL_PD (1u << 7)    /* PMU_OSC_AUPLL_PD_BIT */
#define FR30XX_PMU_OSC_CTRL_4 0xEDu          /* PMU_REG_OSC_CTRL_4 */
#define FR30XX_PMU_PKVDD_CTRL 0xEFu          /* PMU_REG_PKVDD_CTRL: core voltage, wake-up code in bits 4..7 */
#define FR30XX_PMU_PKVDDH_CTRL_0 0xF0u       /* PMU_REG_PKVDDH_CTRL_0 */
#define FR30XX_PMU_PKVDDH_CTRL_1 0xF1u       /* PMU_REG_PKVDDH_CTRL_1: RAM core voltage in bits 0..3 */
#define FR30XX_PMU_SBG_CFG 0xF3u             /* PMU_REG_SBG_CFG: bandgap trim in bits 0..4 */

/* ---- eFuse ------------------------------------------------------------------------
 * Memory mapped (not behind the PMU bus). fr30xx.h EFUSE_SISO_BASE = 0x10140000,
 * EFUSE_PIPO0_BASE = 0x10150000; registers and bits: driver_efuse.h struct_eFuse_SISO_t
 * (Ctrl 0x00: READ_MODE 0x01, CHECK_DONE 0x04; Timing 0x04; Data0..2 0x08..0x10) and
 * struct_eFuse_PIPO_t (Ctrl 0x00: GO 0x01, READ_MODE 0x08, CHECK_DONE 0x10; Addr 0x08;
 * RData 0x10). driver_efuse.c eFuse_siso_read() programs Timing = 0x2401 before reading.
 */
#define FR30XX_EFUSE_SISO_BASE 0x10140000u
#define FR30XX_EFUSE_SISO_CTRL_ADDR (FR30XX_EFUSE_SISO_BASE + 0x00u)
#define FR30XX_EFUSE_SISO_TIMING_ADDR (FR30XX_EFUSE_SISO_BASE + 0x04u)
#define FR30XX_EFUSE_SISO_DATA_ADDR(n) (FR30XX_EFUSE_SISO_BASE + 0x08u + 4u * (n))
#define FR30XX_EFUSE_SISO_READ 0x01u
#define FR30XX_EFUSE_SISO_DONE 0x04u
#define FR30XX_EFUSE_SISO_TIMING 0x2401u
#define FR30XX_EFUSE_PIPO0_BASE 0x10150000u
#define FR30XX_EFUSE_PIPO_CTRL_ADDR (FR30XX_EFUSE_PIPO0_BASE + 0x00u)
#define FR30XX_EFUSE_PIPO_ADDR_ADDR (FR30XX_EFUSE_PIPO0_BASE + 0x08u)
#define FR30XX_EFUSE_PIPO_RDATA_ADDR (FR30XX_EFUSE_PIPO0_BASE + 0x10u)
#define FR30XX_EFUSE_PIPO_GO 0x01u
#define FR30XX_EFUSE_PIPO_READ 0x08u
#define FR30XX_EFUSE_PIPO_DONE 0x10u

/* Chip-probing (CP) trim fields in the eFuse: trim_fr30xx.c triming_byte_alignment_conversion().
 * SISO word 0 (decoded only when non-zero): SBG_CODE 5..9, PKVDD_CODE 10..13, SPKVDD_CODE
 * 14..17, WaferID low 4 bits 28..31 (BBG, OSCLDO, ADLDO and DDLDO codes sit in 0..4 and 18..27;
 * trim_cp_config() reads them but applies none). SISO word 1: WaferID bits 4..23 in 0..19;
 * and, decoded only when word 1 is non-zero, SBUCK_CODE 21..23, IOLDO1 24..27, IOLDO2 28..31,
 * with word 2: CHG_GT 0..2, CHG_TER 9..11, CHG_SMP 12..14. PIPO0 byte 0 (when non-zero):
 * IOBUCK_CODE 0..3. WaferID bits 22..23 are the CP trim version (trim_cp_get_version();
 * CP_VERSION_B = 0, CP_VERSION_C = 1); a zero WaferID means the chip was never trimmed. */

/* ---- Peripheral clock gates (machine.*) -----------------------------------------
 * SYSTEM ClockEnable0..9 at 0x20..0x44 (system_fr30xx.h struct_System_t; bit positions
 * from the REG_CLK_ENn_t bitfields, LSB first, counting their rsv_ fields):
 *  ClockEnable3 (0x2C) REG_CLK_EN3_t: TIMER0..3 0..3, WDT 4, rsv 5, TIMER4 6, TIMER5 7.
 *  ClockEnable4 (0x30) REG_CLK_EN4_t: GPIOA..D 0..3, PWM0 4, PWM1 5, GPIOE 6.
 *  ClockEnable5 (0x34) REG_CLK_EN5_t: UART0..5 0..5, I2C0 6, rsv 7, I2C1 8, rsv 9, I2C2 10.
 *  ClockEnable6 (0x38) REG_CLK_EN6_t: SSIM0 0, SSIM1 1 (the SPI masters SPIM0/1).
 *  ClockEnable9 (0x44) REG_CLK_EN9_t: ADC 8 (see above for the rest).
 * The HAL's __SYSTEM_<BLOCK>_CLK_ENABLE() macros set these bits one at a time. */
#define FR30XX_SYS_CLOCK_EN_ADDR(n) (FR30XX_SYSTEM_BASE + 0x20u + 4u * (n))
#define FR30XX_CLOCK_EN3_TIMER(n) (1u << ((n) < 4u ? (n) : (n) + 2u))
#define FR30XX_CLOCK_EN3_WDT (1u << 4)
#define FR30XX_CLOCK_EN4_GPIO(port) (1u << ((port) < 4u ? (port) : 6u))
#define FR30XX_CLOCK_EN5_UART(n) (1u << (n))
#define FR30XX_CLOCK_EN5_I2C(n) (1u << (6u + 2u * (n)))
#define FR30XX_CLOCK_EN6_SSIM(n) (1u << (n))
#define FR30XX_CLOCK_EN4_PWM(n) (1u << (4u + (n)))

/* Peripheral clocks (system_fr30xx.c system_get_peripheral_clock()): UART, I2C and GPIO
 * run from CORE_HSCLK / (div + 1) when their ClockSEL0 bit is 0 (UART_CLK_SEL 21,
 * I2C_CLK_SEL 22), the SPI masters from CORE_HSCLK / (SSIM_CLK_DIV + 1) when SSIM_CLK_SEL
 * (ClockSEL0 bit 26) is 0, timers 0..5 from CORE_HSCLK / (TIMERxy_CLK_DIV + 1) always.
 * Dividers: BlockClockDIV1 (0x14) UART_CLK_DIV 8..9, I2C_CLK_DIV 12..13, SSIM_CLK_DIV 28..29;
 * BlockClockDIV2 (0x18) TIMER01_CLK_DIV 20..23, TIMER23_CLK_DIV 24..27; AudioClockDIV
 * (0x1C) TIMER45_CLK_DIV 28..31. After reset every divider reads 0 (undivided) unless
 * the boot ROM changed it; board.c sets UART_CLK_DIV itself. The back-ends program the
 * others to 0 so the board file's clock_hz (24 MHz) holds. */
#define FR30XX_SYS_BLOCK_CLK_DIV1_ADDR (FR30XX_SYSTEM_BASE + 0x14u)
#define FR30XX_SYS_BLOCK_CLK_DIV2_ADDR (FR30XX_SYSTEM_BASE + 0x18u)
#define FR30XX_SYS_AUDIO_CLK_DIV_ADDR (FR30XX_SYSTEM_BASE + 0x1Cu)
#define FR30XX_SYS_CLOCK_SEL0_ADDR (FR30XX_SYSTEM_BASE + 0x08u)
#define FR30XX_CLOCK_SEL0_I2C_SPLL (1u << 22)
#define FR30XX_CLOCK_SEL0_SSIM_SPLL (1u << 26)
#define FR30XX_CLOCK_SEL0_PWM_SPLL (1u << 29)       /* PWM_CLK_SEL, after MCAN_CLK_SEL 27..28 */
#define FR30XX_BLOCK_CLK_DIV2_PWM_MASK (0xFu << 8)  /* PWM_CLK_DIV: CORE_HSCLK / (div + 1) */
#define FR30XX_BLOCK_CLK_DIV1_I2C_MASK (0x3u << 12)
#define FR30XX_BLOCK_CLK_DIV1_SSIM_MASK (0x3u << 28)
#define FR30XX_BLOCK_CLK_DIV2_TIMER01_MASK (0xFu << 20)
#define FR30XX_BLOCK_CLK_DIV2_TIMER23_MASK (0xFu << 24)
#define FR30XX_AUDIO_CLK_DIV_TIMER45_MASK (0xFu << 28)

/* ---- SAR ADC ----------------------------------------------------------------------
 * fr30xx.h SARADC_BASE 0x500E0000, SARADC_IRQn 45; clock gate system_fr30xx.h
 * __SYSTEM_ADC_CLK_ENABLE(): ClockEnable9 (0x44) REG_CLK_EN9_t ADC_CLKEN, bit 8 (after
 * USB, DISPLAY, TICK, APP_IPC, FRSPIM, CALI, EFUSE0, EFUSE1). Registers: driver_saradc.h
 * struct_SARADC_t, fields of its REG_SARADC_*_t bitfields LSB first. Its analog supply is
 * switched in the PMU: driver_pmu.h PMU_REG_ADC_CTL 0xF8, PMU_ADC_CTL_POWER_BIT (bit 2),
 * driver_pmu.c pmu_adc_power_ctrl(). */
#define FR30XX_CLOCK_EN9_ADC (1u << 8)
#define FR30XX_SARADC_BASE 0x500E0000u
#define FR30XX_SARADC_CONTROL 0x00u       /* SARADC_EN 0, SARADC_Reset 1, FIFO_Reset 2, Soft_Trigger 3 */
#define FR30XX_SARADC_CTRL_EN (1u << 0)
#define FR30XX_SARADC_CTRL_RESET (1u << 1)
#define FR30XX_SARADC_CTRL_FIFO_RESET (1u << 2)
#define FR30XX_SARADC_CTRL_SOFT_TRIGGER (1u << 3)
#define FR30XX_SARADC_CONFIG 0x04u        /* Mode 0 (0 loop, 1 queue), Trigger_Mode 1 (1 software), FIFO_EN 3,
                                           * MAX_Channle 4..7 (channels - 1), Interval_Clock_Div 16..19,
                                           * Interval_Length 20..31 */
#define FR30XX_SARADC_CFG_QUEUE_MODE (1u << 0)
#define FR30XX_SARADC_CFG_SOFT_TRIGGER (1u << 1)
#define FR30XX_SARADC_CFG_FIFO_EN (1u << 3)
#define FR30XX_SARADC_CFG_MAX_CHANNEL_MASK (0xFu << 4)
#define FR30XX_SARADC_CFG_INTERVAL_DIV_SHIFT 16
#define FR30XX_SARADC_CFG_INTERVAL_DIV_MASK (0xFu << 16)
#define FR30XX_SARADC_CFG_INTERVAL_LEN_MASK (0xFFFu << 20)
#define FR30XX_SARADC_TIMING 0x08u        /* Clock_DIV 0..7, Sample_TimeoutCNT 8..11, Convert_TimeoutCNT
                                           * 12..15, Hold_Time 16..27 */
#define FR30XX_SARADC_ANALOG_CFG0 0x40u   /* Analog_PD 0, Analog_reset 2 (0 = in reset), Input_channel_en 3,
                                           * sampling time 4..7, ATT (divider) 10..11, REF 12..13, INT_BUF_EN 14 */
#define FR30XX_SARADC_ANA_PD (1u << 0)
#define FR30XX_SARADC_ANA_RESET_N (1u << 2)
#define FR30XX_SARADC_ANA_INPUT_EN (1u << 3)
#define FR30XX_SARADC_ANA_SAMPLE_SHIFT 4
#define FR30XX_SARADC_ANA_SAMPLE_MASK (0xFu << 4)
#define FR30XX_SARADC_ANA_ATT_SHIFT 10
#define FR30XX_SARADC_ANA_ATT_MASK (3u << 10)
#define FR30XX_SARADC_ANA_REF_SHIFT 12
#define FR30XX_SARADC_ANA_REF_MASK (3u << 12)
#define FR30XX_SARADC_ANA_INT_BUF_EN (1u << 14)
#define FR30XX_SARADC_ANALOG_CFG1 0x44u   /* INT_REF_CTRL 4..5 */
#define FR30XX_SARADC_ANA1_INT_REF_SHIFT 4
#define FR30XX_SARADC_ANA1_INT_REF_MASK (3u << 4)
#define FR30XX_SARADC_CHANNEL_STATUS 0x50u /* bit n: logical channel n holds a new result */
#define FR30XX_SARADC_CHANNEL_CFG(n) (0x64u + 4u * (n)) /* Map_N 0..3, Map_P 4..7, Difference_EN 8 */
#define FR30XX_SARADC_CH_MAP_P_SHIFT 4
#define FR30XX_SARADC_CH_MAP_P_MASK (0xFu << 4)
#define FR30XX_SARADC_CH_DIFF_EN (1u << 8)
#define FR30XX_SARADC_CHANNEL_DATA(n) (0xA4u + 4u * (n))
/* enum_saradc_reference_t: 0 IOLDO, 1 external, 2 internal 1.2 V, 3 internal 1.5 V;
 * enum_saradc_voltage_divider_t: 0 bypass, 1 1/4, 2 1/2. */
#define FR30XX_SARADC_REF_INTERNAL_1P2V 2u
#define FR30XX_SARADC_ATT_QUARTER 1u
#define FR30XX_PMU_ADC_CTL 0xF8u
#define FR30XX_PMU_ADC_CTL_POWER (1u << 2)

/* ---- GPIO ports A..E ---------------------------------------------------------------
 * Bases: fr30xx.h GPIOA_BASE 0x50000000, GPIOB 0x50008000, GPIOC 0x50100000, GPIOD
 * 0x50108000, GPIOE 0x50200000; IRQs GPIOA..D_IRQn 16..19, GPIOE_IRQn 69. 16 lines a
 * port (driver_gpio.h: GPIO_PIN_A0..A15 .. E0..E11). Registers: driver_gpio.h
 * struct_GPIO_t. GPIO_OutputEN is an output *disable*: gpio_init() sets the bit for
 * GPIO_MODE_INPUT and clears it for GPIO_MODE_OUTPUT_PP. */
#define FR30XX_GPIO_OUTPUT_EN 0x00u  /* 1 = input (driver off), 0 = driving */
#define FR30XX_GPIO_IN_DATA 0x04u
#define FR30XX_GPIO_OUT_DATA 0x08u
#define FR30XX_GPIO_BIT_SET 0x0Cu    /* gpio_write_pin(): write 1s to set */
#define FR30XX_GPIO_BIT_CLEAR 0x10u  /* write 1s to clear */
#define FR30XX_GPIO_EXTI_EN 0x14u
#define FR30XX_GPIO_EXTI_INT_EN 0x18u
#define FR30XX_GPIO_EXTI_INT_STATUS 0x1Cu /* exti_clear_LineStatus(): write 1s to clear */
#define FR30XX_GPIO_EXTI_TYPE 0x20u  /* 2 bits a line: 0 low, 1 high, 2 rising, 3 falling */
/* Per-port pad registers in SYSTEM, port p = 0 (A) .. 4 (E), one bit a line
 * (system_fr30xx.h; gpio_init(), gpio_set_portpull()): PullEN 0xA0 + 4p, PullSelect
 * 0xC0 + 4p (1 = pull-up), InputOpenCircuit 0xE0 + 4p (1 = input buffer on),
 * L_FuncMux 0x120 + 8p / H_FuncMux 0x124 + 8p: 4 bits a line, function 0 = GPIO. */
#define FR30XX_SYS_PULL_EN_ADDR(p) (FR30XX_SYSTEM_BASE + 0xA0u + 4u * (p))
#define FR30XX_SYS_PULL_SEL_ADDR(p) (FR30XX_SYSTEM_BASE + 0xC0u + 4u * (p))
#define FR30XX_SYS_INPUT_EN_ADDR(p) (FR30XX_SYSTEM_BASE + 0xE0u + 4u * (p))
#define FR30XX_SYS_FUNC_MUX_ADDR(p, line) (FR30XX_SYSTEM_BASE + 0x120u + 8u * (p) + ((line) < 8u ? 0u : 4u))

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
