// machine.ADC back-end for the FR30xx SAR ADC (boards/fr30xx/fr30xx_saradc.c).
// Channels are the HAL's input numbers (enum_ADC_Channel_Map_t): 5..9 are PD11..PD15.
#include "py/runtime.h"
#include "py/mperrno.h"
#include "periph.h"

#if MPFORGE_ADC_DRIVER_FR30XX_SARADC

#include "fr30xx_periph.h"

#define ADC_POLLS (100000u) // register reads; a conversion is some tens of ADC clocks

const char periph_adc_channels[] = "5-9 (PD11-PD15)";

static bool powered;

int periph_adc_pin_channel(const machine_pin_obj_t *pin) {
    int port = fr30xx_gpio_port(machine_pin_reg(pin));
    if (port < 0) {
        return -1;
    }
    return fr30xx_saradc_input_of((unsigned)port, (unsigned)__builtin_ctz(pin->mask));
}

bool periph_adc_channel(unsigned channel, const machine_pin_obj_t **pin) {
    if (channel < 5 || channel > 9) {
        return false;
    }
    static const char *const names[] = { "PD11", "PD12", "PD13", "PD14", "PD15" };
    *pin = machine_pin_get(mp_obj_new_str_from_cstr(names[channel - 5]));
    return true;
}

static void raise_adc(int rc) {
    if (rc == FR30XX_SARADC_EBUS) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("ADC: the PMU bus did not answer (analog power)"));
    }
    mp_raise_OSError(MP_ETIMEDOUT);
}

void periph_adc_open(const periph_instance_t *in, unsigned channel) {
    if (!powered) {
        int rc = fr30xx_saradc_init(in->base, ADC_POLLS);
        if (rc != 0) {
            raise_adc(rc);
        }
        powered = true;
    }
    const machine_pin_obj_t *pin;
    if (periph_adc_channel(channel, &pin) && pin) {
        fr30xx_gpio_analog(machine_pin_reg(pin), (unsigned)__builtin_ctz(pin->mask));
    }
}

uint16_t periph_adc_read(const periph_instance_t *in, unsigned channel, mp_int_t *uv) {
    uint16_t raw;
    int rc = fr30xx_saradc_read(in->base, channel, ADC_POLLS, &raw);
    if (rc != 0) {
        raise_adc(rc);
    }
    *uv = (mp_int_t)(((uint64_t)raw * FR30XX_SARADC_FULL_SCALE_UV + (FR30XX_SARADC_RESULT_MAX + 1u) / 2u) / (FR30XX_SARADC_RESULT_MAX + 1u));
    // 12 bits to 16, as MicroPython's read_u16 wants: the top bits repeated below.
    return (uint16_t)((raw << 4) | (raw >> 8));
}

#endif
