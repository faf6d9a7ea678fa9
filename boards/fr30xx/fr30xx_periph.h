/*
 * Register-level drivers of the FR30xx blocks that machine.Pin, I2C, SPI, Timer,
 * WDT, PWM, RTC and ADC run on (the UARTs use dw_uart.c). No MicroPython here: the back-ends in
 * port/machine/ (fr30xx_*.c, dw_apb_*.c) adapt these to periph.h, and the host tests
 * (hosttest/testdata/periph_test.c) run them against a register model. All access
 * goes through fr30xx_io.h. Register facts and their HAL sources: fr30xx_regs.h and
 * the comment above each sequence in the .c files.
 */
#ifndef FR30XX_PERIPH_H
#define FR30XX_PERIPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- GPIO (fr30xx_gpio.c) ---- */

enum { FR30XX_PIN_IN, FR30XX_PIN_OUT, FR30XX_PIN_OPEN_DRAIN };
enum { FR30XX_PULL_NONE, FR30XX_PULL_UP, FR30XX_PULL_DOWN };

/* The port (0 = A .. 4 = E) of a GPIO block base, or -1. */
int fr30xx_gpio_port(uint32_t base);
/* Gates the port's clock on, makes the line a GPIO (function 0) of the given mode
 * and pull. An open-drain line drives low for 0 and floats for 1. */
void fr30xx_gpio_mode(uint32_t base, unsigned line, int mode, int pull);
/* Hands the line to a peripheral: function func (1..15, fr3068ec_af.csv), input
 * buffer on, pull as given. */
void fr30xx_gpio_func(unsigned port, unsigned line, unsigned func, int pull);
int fr30xx_gpio_read(uint32_t base, unsigned line);
void fr30xx_gpio_write(uint32_t base, unsigned line, int value);
/* Makes the line an analog input (gpio_init() GPIO_MODE_INPUT_HRS): function 0, driver
 * and input buffer off, no pull, no edge interrupt. */
void fr30xx_gpio_analog(uint32_t base, unsigned line);
/* The line's mode as fr30xx_gpio_mode last set it (FR30XX_PIN_IN before). */
int fr30xx_gpio_get_mode(uint32_t base, unsigned line);

/* Edge interrupts: type FR30XX_EDGE_RISING or _FALLING arms the line (an input with
 * its buffer on; the pull is kept), FR30XX_EDGE_OFF disarms it. */
enum { FR30XX_EDGE_OFF = 0, FR30XX_EDGE_RISING = 2, FR30XX_EDGE_FALLING = 3 };
void fr30xx_gpio_edge(uint32_t base, unsigned line, int type);
/* The interrupt's work: the armed lines that fired, their status cleared. */
uint32_t fr30xx_gpio_edges_take(uint32_t base);

/* ---- DesignWare I2C master (dw_i2c.c) ---- */

#define DW_I2C_ENODEV (-1)    /* the address was not acknowledged */
#define DW_I2C_EIO (-2)       /* a data byte was not acknowledged, or arbitration lost */
#define DW_I2C_ETIMEDOUT (-3) /* the controller did not finish within the poll budget */

typedef struct {
    uint16_t hcnt, lcnt;
} dw_i2c_timing_t;

/* SCL high and low counts for freq Hz from a clk_hz controller clock, at least the
 * HAL's minimums (6 and 8). False when freq is 0 or too slow for 16-bit counts. */
bool dw_i2c_timing(uint32_t clk_hz, uint32_t freq, dw_i2c_timing_t *t);
/* Master, 7-bit addresses, fast-mode counts, restarts on, controller disabled. */
void dw_i2c_init(uint32_t base, dw_i2c_timing_t t);
/* One message to/from 7-bit addr: writes len bytes of buf (read = false) or reads len
 * bytes into buf; ends with a STOP when stop. len 0 probes the address (a one-byte
 * read). The bus stays held between messages without a STOP, so the next message to
 * the same address starts with a repeated START. Returns len or DW_I2C_E*. polls
 * bounds each wait for the controller. */
int dw_i2c_xfer(uint32_t base, uint16_t addr, bool read, uint8_t *buf, size_t len, bool stop, uint32_t polls);

/* ---- DesignWare SSI as SPI master (dw_ssi.c) ---- */

/* The even clock divider (2..65534) that gives the fastest rate not above baud. */
bool dw_ssi_divider(uint32_t clk_hz, uint32_t baud, uint32_t *div);
/* Motorola SPI, full duplex, bits 4..16 a frame, chip select 0 driven by the block. */
void dw_ssi_init(uint32_t base, uint32_t div, int polarity, int phase, int bits);
void dw_ssi_disable(uint32_t base);
/* Sends len frames of src (0xFF.. when NULL; 2 bytes, little-endian, a frame of more
 * than 8 bits), stores what comes back in dst (when not NULL). False when the block
 * stopped moving data within polls. */
bool dw_ssi_transfer(uint32_t base, int bits, size_t len, const uint8_t *src, uint8_t *dst, uint32_t polls);

/* ---- DesignWare timers 0..5 (dw_timer.c) ---- */

/* Index 0..5 of a timer base (fr30xx.h TIM0..5_BASE), or -1. */
int dw_timer_index(uint32_t base);
/* Interrupts every ticks clocks (2..2^32) until stopped. */
void dw_timer_start(uint32_t base, uint32_t ticks);
void dw_timer_stop(uint32_t base);
/* The interrupt's work: true (and the interrupt cleared) when this timer fired. */
bool dw_timer_irq(uint32_t base);

/* ---- DesignWare watchdog (dw_wdt.c) ---- */

/* Resets the chip unless fed within count watchdog clocks. False when the PMU bus
 * timed out (the watchdog is then not started). */
bool dw_wdt_start(uint32_t base, uint32_t count);
void dw_wdt_feed(uint32_t base);

/* ---- PWM0/1 (fr30xx_pwm.c) ---- */

typedef struct {
    uint32_t prescale, period, duty; /* counter clocks per count, counts per period, counts high */
} fr30xx_pwm_timing_t;

/* The smallest prescaler (1..65536) that gives freq Hz with at most 65536 counts a
 * period, and the duty in counts for duty_u16 / 65536. False for a frequency the
 * block cannot make from clk_hz (above clk_hz / 2, or too slow). */
bool fr30xx_pwm_timing(uint32_t clk_hz, uint32_t freq, uint32_t duty_u16, fr30xx_pwm_timing_t *t);
/* Index 0/1 of a PWM block base (fr30xx.h PWM0_BASE, PWM1_BASE), or -1. */
int fr30xx_pwm_index(uint32_t base);
/* Runs channel 0..15 with t (duty 0: the channel is stopped). */
void fr30xx_pwm_start(uint32_t base, unsigned channel, fr30xx_pwm_timing_t t);
void fr30xx_pwm_stop(uint32_t base, unsigned channel);

/* ---- RTC in the PMU (fr30xx_rtc.c), through pmu.h ---- */

/* Gates the RTC counter's clock on. False when the PMU bus timed out. */
bool fr30xx_rtc_start(void);
/* Samples and reads the 32-bit counter. False on a bus time-out or when the sample
 * did not complete within polls reads. */
bool fr30xx_rtc_read(uint32_t *count, uint32_t polls);
/* Loads the counter with count. */
bool fr30xx_rtc_load(uint32_t count);

/* ---- SAR ADC (fr30xx_saradc.c) ---- */

#define FR30XX_SARADC_ETIMEDOUT (-1) /* the block did not answer within the poll budget */
#define FR30XX_SARADC_EBUS (-2)      /* the PMU bus timed out (analog power) */
#define FR30XX_SARADC_EINVAL (-3)    /* no such input */
#define FR30XX_SARADC_RESULT_MAX 0xFFFu /* 12-bit results (the HAL's limits are 0..0xFFF) */
/* Full scale in microvolts: the internal 1.2 V reference with the 1/4 input divider. */
#define FR30XX_SARADC_FULL_SCALE_UV 4800000u

/* The ADC input (enum_ADC_Channel_Map_t, 5..9) of GPIO line port/line (PD11..PD15),
 * or -1 for a line without one. */
int fr30xx_saradc_input_of(unsigned port, unsigned line);
/* Gates the clock on, powers the converter (PMU and analog), selects the internal
 * 1.2 V reference with the 1/4 divider, loop mode. 0, or FR30XX_SARADC_E* (polls
 * bounds the wait for the analog reset). */
int fr30xx_saradc_init(uint32_t base, uint32_t polls);
/* One software-triggered conversion of input (0..15) into *value (0..RESULT_MAX).
 * 0, or FR30XX_SARADC_E* (*value 0) when no result came within polls. */
int fr30xx_saradc_read(uint32_t base, unsigned input, uint32_t polls, uint16_t *value);

#endif /* FR30XX_PERIPH_H */
