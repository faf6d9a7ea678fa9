// machine.PWM back-end for the FR30xx PWM0/1 (boards/fr30xx/fr30xx_pwm.c). A pin
// drives channel n of its port's block with function 4 (fr3068ec_af.csv: PA n and
// PB n carry PWM0_n, PC n and PD n PWM1_n).
#include "py/runtime.h"
#include "periph.h"

#if MPFORGE_PWM_DRIVER_FR30XX_PWM

#include "fr30xx_periph.h"

#define PWM_PIN_FUNC (4)

static const periph_instance_t fr30xx_pwms[] = {
    #define X(id, base, irq) { id, base, irq },
    MPFORGE_PWM_TABLE(X)
    #undef X
};

bool periph_pwm_pin(const machine_pin_obj_t *pin, unsigned *unit, unsigned *channel) {
    int port = fr30xx_gpio_port(machine_pin_reg(pin));
    if (port < 0 || port > 3) {
        return false; // port E has no PWM function
    }
    uint32_t want = port < 2 ? 0x50050000u : 0x50150000u; // fr30xx.h PWM0_BASE, PWM1_BASE
    for (unsigned u = 0; u < MP_ARRAY_SIZE(fr30xx_pwms); ++u) {
        if (fr30xx_pwms[u].base == want) {
            *unit = u;
            *channel = (unsigned)__builtin_ctz(pin->mask);
            return true;
        }
    }
    return false;
}

uint32_t periph_pwm_start(unsigned unit, const periph_instance_t *in, unsigned channel, const machine_pin_obj_t *pin, uint32_t freq, uint32_t duty_u16) {
    (void)unit;
    fr30xx_pwm_timing_t t;
    if (!fr30xx_pwm_timing(MPFORGE_PWM_CLOCK_HZ, freq, duty_u16, &t)) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("freq %u is out of range: this PWM takes %u..%u Hz"),
            (unsigned)freq, (unsigned)(MPFORGE_PWM_CLOCK_HZ / (65536ull * 65536ull) + 1), (unsigned)(MPFORGE_PWM_CLOCK_HZ / 2));
    }
    int port = fr30xx_gpio_port(machine_pin_reg(pin));
    fr30xx_gpio_func((unsigned)port, channel, PWM_PIN_FUNC, FR30XX_PULL_NONE);
    fr30xx_pwm_start(in->base, channel, t);
    return t.prescale * t.period;
}

void periph_pwm_stop(const periph_instance_t *in, unsigned channel) {
    fr30xx_pwm_stop(in->base, channel);
}

#endif
