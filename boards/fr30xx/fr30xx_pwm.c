/* FR30xx PWM0/1: 16 channels a block, each with its own prescaler and period.
 * Registers: HAL peripheral/Inc/driver_pwm.h struct_PWM_t (ChannelEN 0x08,
 * Edge[16] 0x10 (Posedge, Negedge), OutputSelect 0x90, Update 0xE4 (PWM_Update
 * 0..15), CNT_EN 0xFC, Frequency[16] 0x100 (Prescale, Period)); sequences from
 * peripheral/Src/driver_pwm.c. Clock: CORE_HSCLK / (PWM_CLK_DIV + 1) with
 * PWM_CLK_SEL 0 (system_get_peripheral_clock(PER_CLK_PWM)). See fr30xx_periph.h. */
#include "fr30xx_periph.h"

#include "fr30xx_io.h"
#include "fr30xx_regs.h"

#define PWM_CHANNEL_EN 0x08u
#define PWM_POSEDGE(c) (0x10u + 8u * (c))
#define PWM_NEGEDGE(c) (0x14u + 8u * (c))
#define PWM_OUTPUT_SELECT 0x90u
#define PWM_UPDATE 0xE4u
#define PWM_CNT_EN 0xFCu
#define PWM_PRESCALE(c) (0x100u + 8u * (c))
#define PWM_PERIOD(c) (0x104u + 8u * (c))

#define MAX_COUNTS 65536u

int fr30xx_pwm_index(uint32_t base) {
    return base == 0x50050000u ? 0 : base == 0x50150000u ? 1 : -1;
}

bool fr30xx_pwm_timing(uint32_t clk_hz, uint32_t freq, uint32_t duty_u16, fr30xx_pwm_timing_t *t) {
    if (freq == 0 || freq > clk_hz / 2) {
        return false;
    }
    uint64_t total = ((uint64_t)clk_hz + freq / 2) / freq; /* clocks a period */
    uint64_t prescale = (total + MAX_COUNTS - 1) / MAX_COUNTS;
    if (prescale == 0) {
        prescale = 1;
    }
    if (prescale > MAX_COUNTS) {
        return false;
    }
    uint32_t counts = (uint32_t)((total + prescale / 2) / prescale);
    if (counts < 2) {
        counts = 2;
    }
    if (counts > MAX_COUNTS) {
        counts = MAX_COUNTS;
    }
    uint32_t duty = (uint32_t)(((uint64_t)duty_u16 * counts + 32768u) >> 16);
    /* pwm_complementary_config() takes 0 < DutyCycle < Period: a non-zero duty is at
     * least one count and at most Period - 1. */
    if (duty_u16 != 0 && duty == 0) {
        duty = 1;
    }
    if (duty >= counts) {
        duty = counts - 1;
    }
    t->prescale = (uint32_t)prescale;
    t->period = counts;
    t->duty = duty;
    return true;
}

/* pwm_complementary_config() without dead time for the main channel: Posedge =
 * Period - 1, Negedge = Period - 1 - DutyCycle, through pwm_config(): OutputSelect
 * bit cleared, PWM_Update bit cleared, Edge, Prescale - 1, Period - 1; then
 * pwm_output_enable(): PWM_Update, CNT_EN, ChannelEN bits set (PWM_Update latches
 * the new values, as pwm_output_updata() does for a running channel). Gates the
 * block's clock on and leaves PWM_CLK_SEL/PWM_CLK_DIV at CORE_HSCLK undivided. */
void fr30xx_pwm_start(uint32_t base, unsigned channel, fr30xx_pwm_timing_t t) {
    int n = fr30xx_pwm_index(base);
    if (n < 0 || channel > 15) {
        return;
    }
    if (t.duty == 0) {
        fr30xx_pwm_stop(base, channel);
        return;
    }
    uint32_t bit = 1u << channel;
    fr30xx_modify32(FR30XX_SYS_CLOCK_EN_ADDR(4), 0, FR30XX_CLOCK_EN4_PWM((unsigned)n));
    fr30xx_modify32(FR30XX_SYS_CLOCK_SEL0_ADDR, FR30XX_CLOCK_SEL0_PWM_SPLL, 0);
    fr30xx_modify32(FR30XX_SYS_BLOCK_CLK_DIV2_ADDR, FR30XX_BLOCK_CLK_DIV2_PWM_MASK, 0);
    fr30xx_modify32(base + PWM_OUTPUT_SELECT, bit, 0);
    fr30xx_modify32(base + PWM_UPDATE, bit, 0);
    fr30xx_write32(base + PWM_POSEDGE(channel), t.period - 1u);
    fr30xx_write32(base + PWM_NEGEDGE(channel), t.period - 1u - t.duty);
    fr30xx_write32(base + PWM_PRESCALE(channel), t.prescale - 1u);
    fr30xx_write32(base + PWM_PERIOD(channel), t.period - 1u);
    fr30xx_modify32(base + PWM_UPDATE, 0, bit);
    fr30xx_modify32(base + PWM_CNT_EN, 0, bit);
    fr30xx_modify32(base + PWM_CHANNEL_EN, 0, bit);
}

/* pwm_output_disable(): PWM_Update, ChannelEN, CNT_EN bits cleared. */
void fr30xx_pwm_stop(uint32_t base, unsigned channel) {
    uint32_t bit = 1u << channel;
    fr30xx_modify32(base + PWM_UPDATE, bit, 0);
    fr30xx_modify32(base + PWM_CHANNEL_EN, bit, 0);
    fr30xx_modify32(base + PWM_CNT_EN, bit, 0);
}
