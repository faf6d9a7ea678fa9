// machine.Pin back-end for the FR30xx GPIO ports A..E ([peripherals.pin] instances
// are the port blocks, a pin's bit its line). The register work, with the HAL
// functions it follows, is boards/fr30xx/fr30xx_gpio.c; this maps machine.Pin's
// modes and pulls onto it.
#include "py/runtime.h"
#include "periph.h"

#if MPFORGE_PIN_DRIVER_FR30XX_GPIO

#include "fr30xx_periph.h"

static unsigned line_of(const machine_pin_obj_t *pin) {
    return (unsigned)__builtin_ctz(pin->mask);
}

static int fr30xx_pin_read(const machine_pin_obj_t *pin) {
    return fr30xx_gpio_read(machine_pin_reg(pin), line_of(pin));
}

static void fr30xx_pin_write(const machine_pin_obj_t *pin, int value) {
    fr30xx_gpio_write(machine_pin_reg(pin), line_of(pin), value);
}

static void fr30xx_pin_mode(const machine_pin_obj_t *pin, int mode, int pull) {
    static const int modes[] = {
        [MACHINE_PIN_MODE_IN] = FR30XX_PIN_IN,
        [MACHINE_PIN_MODE_OUT] = FR30XX_PIN_OUT,
        [MACHINE_PIN_MODE_OPEN_DRAIN] = FR30XX_PIN_OPEN_DRAIN,
    };
    static const int pulls[] = {
        [MACHINE_PIN_PULL_NONE] = FR30XX_PULL_NONE,
        [MACHINE_PIN_PULL_UP] = FR30XX_PULL_UP,
        [MACHINE_PIN_PULL_DOWN] = FR30XX_PULL_DOWN,
    };
    fr30xx_gpio_mode(machine_pin_reg(pin), line_of(pin), modes[mode], pulls[pull]);
}

static const periph_instance_t gpio_blocks[] = {
    #define X(id, base, irq) { id, base, irq },
    MPFORGE_PIN_TABLE(X)
    #undef X
};

// The armed pins by block and line, and which want both edges: the block takes
// one edge a line, so those are re-armed for the other edge after each one (an
// edge in the few clocks between the interrupt and the re-arm is missed).
static const machine_pin_obj_t *armed[MP_ARRAY_SIZE(gpio_blocks)][16];
static uint16_t both_edges[MP_ARRAY_SIZE(gpio_blocks)];

static int edge_for_level(int level) {
    return level ? FR30XX_EDGE_FALLING : FR30XX_EDGE_RISING;
}

static void fr30xx_gpio_irq(void) {
    int irq = periph_active_irq();
    for (unsigned b = 0; b < MP_ARRAY_SIZE(gpio_blocks); ++b) {
        if (gpio_blocks[b].irq != irq) {
            continue;
        }
        uint32_t fired = fr30xx_gpio_edges_take(gpio_blocks[b].base);
        for (unsigned line = 0; line < 16; ++line) {
            if (!(fired & (1u << line)) || armed[b][line] == NULL) {
                continue;
            }
            if (both_edges[b] & (1u << line)) {
                fr30xx_gpio_edge(gpio_blocks[b].base, line, edge_for_level(fr30xx_gpio_read(gpio_blocks[b].base, line)));
            }
            machine_pin_irq_fired(armed[b][line]);
        }
    }
}

static void fr30xx_pin_irq(const machine_pin_obj_t *pin, unsigned trigger) {
    uintptr_t base = machine_pin_reg(pin);
    unsigned line = line_of(pin), b = 0;
    while (b < MP_ARRAY_SIZE(gpio_blocks) && gpio_blocks[b].base != base) {
        ++b;
    }
    if (b == MP_ARRAY_SIZE(gpio_blocks) || gpio_blocks[b].irq == MPFORGE_NO_IRQ) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("pin %s: its GPIO block has no irq in the board file"), pin->name);
    }
    if (trigger == 0) {
        fr30xx_gpio_edge(base, line, FR30XX_EDGE_OFF);
        armed[b][line] = NULL;
        return;
    }
    bool both = trigger == (MACHINE_PIN_IRQ_RISING | MACHINE_PIN_IRQ_FALLING);
    int edge = both ? edge_for_level(fr30xx_gpio_read(base, line))
        : trigger == MACHINE_PIN_IRQ_RISING ? FR30XX_EDGE_RISING : FR30XX_EDGE_FALLING;
    armed[b][line] = pin;
    both_edges[b] = (uint16_t)((both_edges[b] & ~(1u << line)) | (both ? 1u << line : 0));
    periph_irq_set(gpio_blocks[b].irq, fr30xx_gpio_irq, 0xC0);
    fr30xx_gpio_edge(base, line, edge);
}

const machine_pin_ops_t periph_pin_ops = {
    .read = fr30xx_pin_read,
    .write = fr30xx_pin_write,
    .mode = fr30xx_pin_mode,
    .irq = fr30xx_pin_irq,
};

#endif
