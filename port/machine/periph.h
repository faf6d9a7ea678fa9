// The peripheral layer of machine: the contract between the chip-neutral
// front-ends (pin.c, uart.inc, i2c.c, spi.c, timer.c, wdt.inc: Python objects,
// arguments, errors) and a chip's back-ends (one C file per IP block, chosen
// by the board file's [peripherals] driver names, e.g. cmsdk_apb_uart.c).
//
// A back-end implements the periph_<kind>_* functions of its kind below and
// guards itself with #if MPFORGE_<KIND>_DRIVER_<NAME>. It may raise
// ValueError for settings its hardware cannot do (say which values it can).
// genhdr/board_periph.h (from [peripherals]) gives the instance tables.
#ifndef MPFORGE_PORT_MACHINE_PERIPH_H
#define MPFORGE_PORT_MACHINE_PERIPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "py/obj.h"
#include "genhdr/board_periph.h"

// One block of a kind, as the board file lists it.
typedef struct {
    uint8_t id;      // Python's number: UART(1)
    uintptr_t base;
    int16_t irq;     // NVIC number, negative for a system exception, MPFORGE_NO_IRQ
} periph_instance_t;

// Returns the index of instance id in tab or raises ValueError naming the
// kind ("UART") and the valid ids.
unsigned periph_find(const periph_instance_t *tab, size_t n, mp_int_t id, const char *kind, const char *valid);

// Points interrupt irq (an NVIC number, or -14 for the NMI) at handler in
// the RAM copy of the vector table (made on first use) and, for an NVIC
// interrupt, enables it at priority prio.
void periph_irq_set(int irq, void (*handler)(void), uint8_t prio);
void periph_irq_off(int irq);

// The NVIC number of the interrupt being handled (for a handler shared by
// all instances of a kind).
int periph_active_irq(void);

// Stops every peripheral the front-ends started (timers, UART interrupts,
// ...). py_main calls it before each soft reset frees the heap.
void machine_periph_deinit(void);

// ---- machine.Pin -------------------------------------------------------

enum { MACHINE_PIN_DIR_IN = 1, MACHINE_PIN_DIR_OUT = 2, MACHINE_PIN_DIR_INOUT = 3 };
enum { MACHINE_PIN_MODE_IN = 0, MACHINE_PIN_MODE_OUT = 1, MACHINE_PIN_MODE_OPEN_DRAIN = 2 };
enum { MACHINE_PIN_PULL_NONE = 0, MACHINE_PIN_PULL_UP = 1, MACHINE_PIN_PULL_DOWN = 2 };

typedef struct _machine_pin_obj_t machine_pin_obj_t;

// What a line can do. Board pins use their GPIO back-end's ops; other
// drivers (the SBCon I2C lines) make their own, so extmod's bit-banging
// engines (SoftI2C, SoftSPI) run over either.
typedef struct {
    int (*read)(const machine_pin_obj_t *pin);
    void (*write)(const machine_pin_obj_t *pin, int value);
    void (*mode)(const machine_pin_obj_t *pin, int mode, int pull); // may raise ValueError
    // Edge interrupts (NULL where the block has none): arms the pin for trigger
    // (MACHINE_PIN_IRQ_* bits; 0 disarms), may raise ValueError; the back-end's
    // interrupt then calls machine_pin_irq_fired(pin).
    void (*irq)(const machine_pin_obj_t *pin, unsigned trigger);
} machine_pin_ops_t;

enum { MACHINE_PIN_IRQ_RISING = 1, MACHINE_PIN_IRQ_FALLING = 2 };
void machine_pin_irq_fired(const machine_pin_obj_t *pin); // from a pin interrupt

struct _machine_pin_obj_t {
    mp_obj_base_t base;
    const char *name;
    const machine_pin_ops_t *ops;
    uintptr_t reg;   // back-end's register (GPIO block base + port)
    uint32_t mask;   // 1 << bit
    uint8_t dir;     // MACHINE_PIN_DIR_*
};

// The register of a pin: its own reg, or for a board pin its GPIO block's
// base plus the pin's port.
uintptr_t machine_pin_reg(const machine_pin_obj_t *pin);

// The GPIO back-end's ops for the board's pins.
extern const machine_pin_ops_t periph_pin_ops;

// Accepts a Pin, a pin name or a pin number; raises ValueError otherwise.
const machine_pin_obj_t *machine_pin_get(mp_obj_t obj);

// ---- machine.UART --------------------------------------------------------

// Programs instance unit for baud and frame (bits 5..9, parity 0 none /
// 1 odd / 2 even, stop 1 or 2) and enables its RX interrupt, whose handler
// calls machine_uart_rx_push. Raises ValueError for what it cannot do.
void periph_uart_init(unsigned unit, const periph_instance_t *in, uint32_t baud, int bits, int parity, int stop);
void periph_uart_deinit(unsigned unit, const periph_instance_t *in);
bool periph_uart_tx_ready(const periph_instance_t *in);
void periph_uart_tx(const periph_instance_t *in, uint8_t byte);
bool periph_uart_tx_done(const periph_instance_t *in);
void machine_uart_rx_push(unsigned unit, uint8_t byte); // from the RX interrupt

// ---- machine.I2C ---------------------------------------------------------

// Sets instance unit up for freq Hz with a clock-stretch timeout.
void periph_i2c_init(unsigned unit, const periph_instance_t *in, uint32_t freq, uint32_t timeout_us);
// As extmod's mp_machine_i2c_p_t.transfer: bytes/0, or -MP_ENODEV for an
// address NACK, -MP_EIO for a data NACK, -MP_ETIMEDOUT.
struct _mp_machine_i2c_buf_t;
int periph_i2c_transfer(unsigned unit, uint16_t addr, size_t n, struct _mp_machine_i2c_buf_t *bufs, unsigned int flags);

// ---- machine.SPI ---------------------------------------------------------

void periph_spi_init(const periph_instance_t *in, uint32_t baudrate, int polarity, int phase, int bits, int firstbit);
void periph_spi_deinit(const periph_instance_t *in);
// SPI(..., loopback=True): TX joined to RX inside the block, where it can;
// a back-end without it raises ValueError when on is true.
void periph_spi_loopback(const periph_instance_t *in, bool on);
// Full duplex: sends len words of src (or 0xFF.. when NULL), stores what
// comes back in dest (when not NULL). Words of more than 8 bits take 2 bytes.
void periph_spi_transfer(const periph_instance_t *in, int bits, size_t len, const uint8_t *src, uint8_t *dest);
uint32_t periph_spi_baudrate(const periph_instance_t *in); // the rate actually set

// ---- machine.Timer -------------------------------------------------------

// Hardware timers (Timer(n); Timer(-1) is a soft timer on the SysTick and
// needs no back-end). Starts instance unit to interrupt every ticks clocks
// of MPFORGE_TIMER_CLOCK_HZ; its interrupt handler calls
// machine_timer_fired(unit), which may stop it.
void periph_timer_start(unsigned unit, const periph_instance_t *in, uint32_t ticks);
void periph_timer_stop(unsigned unit, const periph_instance_t *in);
void machine_timer_fired(unsigned unit);

// ---- machine.WDT ---------------------------------------------------------

// Resets the chip unless fed within ticks clocks of MPFORGE_WDT_CLOCK_HZ.
// Once started it cannot be stopped (as MicroPython documents).
void periph_wdt_start(const periph_instance_t *in, uint32_t ticks);
void periph_wdt_feed(const periph_instance_t *in);

// ---- machine.PWM ---------------------------------------------------------

// The PWM instance (index into [peripherals.pwm]) and channel that pin can
// drive, or false.
bool periph_pwm_pin(const machine_pin_obj_t *pin, unsigned *unit, unsigned *channel);
// Runs channel at freq Hz (counting MPFORGE_PWM_CLOCK_HZ clocks) with duty_u16
// / 65536 of each period high, and muxes pin to it. Raises ValueError for a
// frequency the block cannot make. Returns the period in clocks.
uint32_t periph_pwm_start(unsigned unit, const periph_instance_t *in, unsigned channel, const machine_pin_obj_t *pin, uint32_t freq, uint32_t duty_u16);
void periph_pwm_stop(const periph_instance_t *in, unsigned channel);

// ---- machine.RTC ---------------------------------------------------------

// The RTC's free-running 32-bit counter, in clocks of MPFORGE_RTC_CLOCK_HZ
// (started on first use); false when the block did not answer.
bool periph_rtc_count(const periph_instance_t *in, uint32_t *count);
bool periph_rtc_set_count(const periph_instance_t *in, uint32_t count);

// ---- machine.ADC ---------------------------------------------------------

// The ADC input a pin carries, or -1.
int periph_adc_pin_channel(const machine_pin_obj_t *pin);
// Whether channel is an input of this board's ADC, and its pin (NULL if none).
bool periph_adc_channel(unsigned channel, const machine_pin_obj_t **pin);
// The valid channels as text, for messages: "5-9 (PD11-PD15)".
extern const char periph_adc_channels[];
// Powers the block up (once) and makes channel's pin analog; raises OSError.
void periph_adc_open(const periph_instance_t *in, unsigned channel);
// One conversion of channel: the result scaled to 0..65535, and in microvolts
// in *uv. Raises OSError(ETIMEDOUT) when the block gives no result.
uint16_t periph_adc_read(const periph_instance_t *in, unsigned channel, mp_int_t *uv);

#endif // MPFORGE_PORT_MACHINE_PERIPH_H
