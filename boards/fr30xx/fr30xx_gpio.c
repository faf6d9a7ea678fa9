/* FR30xx GPIO ports A..E at register level. See fr30xx_periph.h; register facts in
 * fr30xx_regs.h (driver_gpio.h struct_GPIO_t, system_fr30xx.h pad registers). */
#include "fr30xx_periph.h"

#include "fr30xx_io.h"
#include "fr30xx_regs.h"

/* fr30xx.h GPIOA_BASE .. GPIOE_BASE. */
static const uint32_t port_base[FR30XX_PORT_COUNT] = {
    0x50000000u, 0x50008000u, 0x50100000u, 0x50108000u, 0x50200000u,
};

/* What each line was set to; the block itself cannot tell open-drain from input. */
static uint16_t out_lines[FR30XX_PORT_COUNT], od_lines[FR30XX_PORT_COUNT];

int fr30xx_gpio_port(uint32_t base) {
    for (unsigned p = 0; p < FR30XX_PORT_COUNT; p++) {
        if (port_base[p] == base) {
            return (int)p;
        }
    }
    return -1;
}

/* gpio_set_portpull(): PullEN on for a pull, PullSelect 1 = up, 0 = down. */
static void set_pull(unsigned port, uint32_t bit, int pull) {
    if (pull == FR30XX_PULL_NONE) {
        fr30xx_modify32(FR30XX_SYS_PULL_EN_ADDR(port), bit, 0);
        return;
    }
    fr30xx_modify32(FR30XX_SYS_PULL_SEL_ADDR(port), bit, pull == FR30XX_PULL_UP ? bit : 0);
    fr30xx_modify32(FR30XX_SYS_PULL_EN_ADDR(port), 0, bit);
}

static void set_func(unsigned port, unsigned line, unsigned func) {
    uint32_t shift = 4u * (line & 7u);
    fr30xx_modify32(FR30XX_SYS_FUNC_MUX_ADDR(port, line), 0xFu << shift, (func & 0xFu) << shift);
}

/* gpio_init(): GPIO_MODE_INPUT sets InputOpenCircuit and OutputEN (driver off) and
 * clears EXTI_EN / EXTI_INT_EN; GPIO_MODE_OUTPUT_PP clears InputOpenCircuit and
 * OutputEN; both then select function 0 (GPIO_MODE_IO_MASK) and set the pull.
 * Open drain is not a mode of the block: the line keeps OUT_DATA at 0 and its input
 * buffer on, and fr30xx_gpio_write() turns the driver on for 0, off for 1. */
void fr30xx_gpio_mode(uint32_t base, unsigned line, int mode, int pull) {
    int port = fr30xx_gpio_port(base);
    if (port < 0 || line > 15) {
        return;
    }
    uint32_t bit = 1u << line;
    fr30xx_modify32(FR30XX_SYS_CLOCK_EN_ADDR(4), 0, FR30XX_CLOCK_EN4_GPIO((unsigned)port));
    fr30xx_modify32(base + FR30XX_GPIO_EXTI_INT_EN, bit, 0);
    fr30xx_modify32(base + FR30XX_GPIO_EXTI_EN, bit, 0);
    switch (mode) {
        case FR30XX_PIN_OUT:
            fr30xx_modify32(FR30XX_SYS_INPUT_EN_ADDR(port), bit, 0);
            fr30xx_modify32(base + FR30XX_GPIO_OUTPUT_EN, bit, 0);
            out_lines[port] |= bit;
            od_lines[port] &= ~bit;
            break;
        case FR30XX_PIN_OPEN_DRAIN:
            fr30xx_modify32(FR30XX_SYS_INPUT_EN_ADDR(port), 0, bit);
            fr30xx_write32(base + FR30XX_GPIO_BIT_CLEAR, bit);
            fr30xx_modify32(base + FR30XX_GPIO_OUTPUT_EN, 0, bit); /* released: reads high with a pull-up */
            out_lines[port] &= ~bit;
            od_lines[port] |= bit;
            break;
        default:
            fr30xx_modify32(FR30XX_SYS_INPUT_EN_ADDR(port), 0, bit);
            fr30xx_modify32(base + FR30XX_GPIO_OUTPUT_EN, 0, bit);
            out_lines[port] &= ~bit;
            od_lines[port] &= ~bit;
            break;
    }
    set_func((unsigned)port, line, 0);
    set_pull((unsigned)port, bit, pull);
}

/* gpio_init() GPIO_MODE_AF_PP: InputOpenCircuit on, EXTI off, the function in the
 * line's 4-bit FuncMux field; then the pull. */
void fr30xx_gpio_func(unsigned port, unsigned line, unsigned func, int pull) {
    if (port >= FR30XX_PORT_COUNT || line > 15) {
        return;
    }
    uint32_t bit = 1u << line;
    fr30xx_modify32(FR30XX_SYS_CLOCK_EN_ADDR(4), 0, FR30XX_CLOCK_EN4_GPIO(port));
    fr30xx_modify32(FR30XX_SYS_INPUT_EN_ADDR(port), 0, bit);
    fr30xx_modify32(port_base[port] + FR30XX_GPIO_EXTI_EN, bit, 0);
    fr30xx_modify32(port_base[port] + FR30XX_GPIO_EXTI_INT_EN, bit, 0);
    set_func(port, line, func);
    set_pull(port, bit, pull);
    out_lines[port] &= ~bit;
    od_lines[port] &= ~bit;
}

/* gpio_init() GPIO_MODE_INPUT_HRS: InputOpenCircuit cleared (input buffer off),
 * OutputEN set (driver off), EXTI off, and no pull ("High Resistance Mode does not
 * pull up or down"); function 0, which fr3068ec_af.csv names "GPIOD_n/ADC". */
void fr30xx_gpio_analog(uint32_t base, unsigned line) {
    int port = fr30xx_gpio_port(base);
    if (port < 0 || line > 15) {
        return;
    }
    uint32_t bit = 1u << line;
    fr30xx_modify32(FR30XX_SYS_CLOCK_EN_ADDR(4), 0, FR30XX_CLOCK_EN4_GPIO((unsigned)port));
    fr30xx_modify32(FR30XX_SYS_INPUT_EN_ADDR(port), bit, 0);
    fr30xx_modify32(base + FR30XX_GPIO_OUTPUT_EN, 0, bit);
    fr30xx_modify32(base + FR30XX_GPIO_EXTI_EN, bit, 0);
    fr30xx_modify32(base + FR30XX_GPIO_EXTI_INT_EN, bit, 0);
    set_func((unsigned)port, line, 0);
    set_pull((unsigned)port, bit, FR30XX_PULL_NONE);
    out_lines[port] &= ~bit;
    od_lines[port] &= ~bit;
}

/* gpio_read_pin() reads GPIO_IN_DATA; a push-pull output has its input buffer off
 * (as gpio_init() leaves it), so it reads back its own OUT_DATA latch instead. */
int fr30xx_gpio_read(uint32_t base, unsigned line) {
    int port = fr30xx_gpio_port(base);
    uint32_t bit = 1u << line;
    if (port >= 0 && (out_lines[port] & bit)) {
        return (fr30xx_read32(base + FR30XX_GPIO_OUT_DATA) & bit) != 0;
    }
    return (fr30xx_read32(base + FR30XX_GPIO_IN_DATA) & bit) != 0;
}

/* gpio_write_pin(): GPIO_BIT_SET / GPIO_BIT_CLEAR, no read-modify-write. */
void fr30xx_gpio_write(uint32_t base, unsigned line, int value) {
    int port = fr30xx_gpio_port(base);
    uint32_t bit = 1u << line;
    if (port >= 0 && (od_lines[port] & bit)) {
        /* 0: driver on (OutputEN bit 0) with OUT_DATA 0; 1: driver off, the line floats. */
        fr30xx_modify32(base + FR30XX_GPIO_OUTPUT_EN, value ? 0 : bit, value ? bit : 0);
        return;
    }
    fr30xx_write32(base + (value ? FR30XX_GPIO_BIT_SET : FR30XX_GPIO_BIT_CLEAR), bit);
}

int fr30xx_gpio_get_mode(uint32_t base, unsigned line) {
    int port = fr30xx_gpio_port(base);
    uint32_t bit = 1u << line;
    if (port < 0) {
        return FR30XX_PIN_IN;
    }
    return (out_lines[port] & bit) ? FR30XX_PIN_OUT : (od_lines[port] & bit) ? FR30XX_PIN_OPEN_DRAIN : FR30XX_PIN_IN;
}

/* gpio_init() for GPIO_MODE_EXTI_IT_RISING/_FALLING: InputOpenCircuit on, the line's
 * 2-bit EXTI_TYPE field = mode & 3 (2 rising, 3 falling), OutputEN set (driver off),
 * EXTI_EN on, EXTI_INT_EN off; then exti_interrupt_enable() sets EXTI_INT_EN. The
 * status is cleared first (exti_clear_LineStatus()) so an old edge does not fire. */
void fr30xx_gpio_edge(uint32_t base, unsigned line, int type) {
    int port = fr30xx_gpio_port(base);
    if (port < 0 || line > 15) {
        return;
    }
    uint32_t bit = 1u << line;
    if (type == FR30XX_EDGE_OFF) {
        fr30xx_modify32(base + FR30XX_GPIO_EXTI_INT_EN, bit, 0);
        fr30xx_modify32(base + FR30XX_GPIO_EXTI_EN, bit, 0);
        return;
    }
    fr30xx_modify32(FR30XX_SYS_CLOCK_EN_ADDR(4), 0, FR30XX_CLOCK_EN4_GPIO((unsigned)port));
    fr30xx_modify32(FR30XX_SYS_INPUT_EN_ADDR(port), 0, bit);
    fr30xx_modify32(base + FR30XX_GPIO_EXTI_TYPE, 3u << (2u * line), (uint32_t)(type & 3) << (2u * line));
    fr30xx_modify32(base + FR30XX_GPIO_OUTPUT_EN, 0, bit);
    set_func((unsigned)port, line, 0);
    out_lines[port] &= ~bit;
    od_lines[port] &= ~bit;
    fr30xx_modify32(base + FR30XX_GPIO_EXTI_EN, 0, bit);
    fr30xx_write32(base + FR30XX_GPIO_EXTI_INT_STATUS, bit);
    fr30xx_modify32(base + FR30XX_GPIO_EXTI_INT_EN, 0, bit);
}

/* exti_get_LineStatus() on the enabled lines, then exti_clear_LineStatus() (write 1s). */
uint32_t fr30xx_gpio_edges_take(uint32_t base) {
    uint32_t fired = fr30xx_read32(base + FR30XX_GPIO_EXTI_INT_STATUS) & fr30xx_read32(base + FR30XX_GPIO_EXTI_INT_EN);
    if (fired) {
        fr30xx_write32(base + FR30XX_GPIO_EXTI_INT_STATUS, fired);
    }
    return fired;
}
