/* FR30xx SAR ADC: one-shot conversions of one input at a time, polled. Registers and
 * their HAL sources: fr30xx_regs.h (driver_saradc.h struct_SARADC_t); the sequences
 * follow peripheral/Src/driver_saradc.c, cited above each one. See fr30xx_periph.h. */
#include "fr30xx_periph.h"

#include "fr30xx_io.h"
#include "fr30xx_regs.h"
#include "pmu.h"

/* The logical channel (SARADC_ChannelConfig/ChannelData index) every read uses. */
#define LOGICAL_CHANNEL 0u

/* saradc_InitConfig_t values: saradc_clock_div 24 (the field takes div / 2), the
 * longest sampling time (saradc_sampling_cycle 16 -> 0xF), interval divider 1. */
#define CLOCK_DIV_FIELD 12u
#define SAMPLE_TIME_FIELD 0xFu

static void modify(uint32_t base, uint32_t off, uint32_t clear, uint32_t set) {
    fr30xx_modify32(base + off, clear, set);
}

int fr30xx_saradc_input_of(unsigned port, unsigned line) {
    /* enum_ADC_Channel_Map_t: ADC_CH_MAP_PORTD_11 .. _15 = 5 .. 9; fr3068ec_af.csv names
     * these lines "GPIOD_n/ADC" in function 0. */
    if (port == 3u && line >= 11u && line <= 15u) {
        return (int)(line - 6u);
    }
    return -1;
}

int fr30xx_saradc_init(uint32_t base, uint32_t polls) {
    /* __SYSTEM_ADC_CLK_ENABLE(), then driver_pmu.c pmu_adc_power_ctrl(true): the
     * converter's supply in the PMU. */
    fr30xx_modify32(FR30XX_SYS_CLOCK_EN_ADDR(9), 0, FR30XX_CLOCK_EN9_ADC);
    if (!pmu_modify(FR30XX_PMU_ADC_CTL, FR30XX_PMU_ADC_CTL_POWER, FR30XX_PMU_ADC_CTL_POWER)) {
        return FR30XX_SARADC_EBUS;
    }
    /* saradc_init(): __SARADC_ANALOG_POWER_ENABLE() (Analog_PD = 0),
     * __SARADC_ANALOG_RESET() (Analog_reset = 0), __SARADC_ANALOG_RESET_STOP()
     * (Analog_reset = 1), then while (__SARADC_IS_ANALOG_RESET()) until it reads 1;
     * that wait is bounded here. */
    modify(base, FR30XX_SARADC_ANALOG_CFG0, FR30XX_SARADC_ANA_PD, 0);
    modify(base, FR30XX_SARADC_ANALOG_CFG0, FR30XX_SARADC_ANA_RESET_N, 0);
    modify(base, FR30XX_SARADC_ANALOG_CFG0, 0, FR30XX_SARADC_ANA_RESET_N);
    uint32_t n = 0;
    while (!(fr30xx_read32(base + FR30XX_SARADC_ANALOG_CFG0) & FR30XX_SARADC_ANA_RESET_N)) {
        if (++n >= polls) {
            return FR30XX_SARADC_ETIMEDOUT;
        }
    }
    /* __SARADC_RESET(), __SARADC_FIFO_RESET(): bitfield writes, so read-modify-write. */
    modify(base, FR30XX_SARADC_CONTROL, 0, FR30XX_SARADC_CTRL_RESET);
    modify(base, FR30XX_SARADC_CONTROL, 0, FR30XX_SARADC_CTRL_FIFO_RESET);
    /* Reference SARADC_REF_INTERNAL_1P2V (>= INTERNAL_1P2V): INT_BUF_EN = 1,
     * INT_REF_CTRL = reference - SARADC_REF_INTERNAL_1P2V = 0, REF_control = reference & 3. */
    modify(base, FR30XX_SARADC_ANALOG_CFG0, 0, FR30XX_SARADC_ANA_INT_BUF_EN);
    modify(base, FR30XX_SARADC_ANALOG_CFG1, FR30XX_SARADC_ANA1_INT_REF_MASK,
        (FR30XX_SARADC_REF_INTERNAL_1P2V - FR30XX_SARADC_REF_INTERNAL_1P2V) << FR30XX_SARADC_ANA1_INT_REF_SHIFT);
    modify(base, FR30XX_SARADC_ANALOG_CFG0, FR30XX_SARADC_ANA_REF_MASK,
        (FR30XX_SARADC_REF_INTERNAL_1P2V & 3u) << FR30XX_SARADC_ANA_REF_SHIFT);
    /* __SARADC_INPUT_CHANNEL_ENABLE(); __SARADC_SAMPLING_CLOCK_DIV_CONFIG(div / 2);
     * __SARADC_INTERVAL_CLOCK_DIV_CONFIG(1); the 1/4 input divider
     * (__SARADC_MEASURE_VOLTAGE_DIVIDER_CONFIG(SARADC_VOLTAGE_DIVIDER_0P25)); loop mode
     * (__SARADC_WORK_MODE_SELECT(SARADC_LOOP_MODE)); __SARADC_ANALOG_SAMPLING_TIME_CONFIG;
     * sample and convert time-outs 0xF, hold time 6. */
    modify(base, FR30XX_SARADC_ANALOG_CFG0, 0, FR30XX_SARADC_ANA_INPUT_EN);
    fr30xx_write32(base + FR30XX_SARADC_TIMING,
        (fr30xx_read32(base + FR30XX_SARADC_TIMING) & 0xF0000000u) | CLOCK_DIV_FIELD | (0xFu << 8) | (0xFu << 12) | (6u << 16));
    modify(base, FR30XX_SARADC_CONFIG, FR30XX_SARADC_CFG_INTERVAL_DIV_MASK, 1u << FR30XX_SARADC_CFG_INTERVAL_DIV_SHIFT);
    modify(base, FR30XX_SARADC_ANALOG_CFG0, FR30XX_SARADC_ANA_ATT_MASK, FR30XX_SARADC_ATT_QUARTER << FR30XX_SARADC_ANA_ATT_SHIFT);
    modify(base, FR30XX_SARADC_CONFIG, FR30XX_SARADC_CFG_QUEUE_MODE, 0);
    modify(base, FR30XX_SARADC_ANALOG_CFG0, FR30XX_SARADC_ANA_SAMPLE_MASK, SAMPLE_TIME_FIELD << FR30XX_SARADC_ANA_SAMPLE_SHIFT);
    return 0;
}

int fr30xx_saradc_read(uint32_t base, unsigned input, uint32_t polls, uint16_t *value) {
    *value = 0;
    if (input > 15u) {
        return FR30XX_SARADC_EINVAL;
    }
    /* saradc_channel_single_config(0, input): Difference_EN = 0, Channel_Map_P = input. */
    modify(base, FR30XX_SARADC_CHANNEL_CFG(LOGICAL_CHANNEL), FR30XX_SARADC_CH_DIFF_EN | FR30XX_SARADC_CH_MAP_P_MASK,
        input << FR30XX_SARADC_CH_MAP_P_SHIFT);
    /* saradc_loop_config(): software trigger, loop_max_channel 1 (field 0), interval 0,
     * FIFO off. */
    modify(base, FR30XX_SARADC_CONFIG,
        FR30XX_SARADC_CFG_MAX_CHANNEL_MASK | FR30XX_SARADC_CFG_INTERVAL_LEN_MASK | FR30XX_SARADC_CFG_FIFO_EN,
        FR30XX_SARADC_CFG_SOFT_TRIGGER);
    /* saradc_loop_software_trigger_convert(): SARADC_EN = 1, ten NOPs, Soft_Trigger = 1. */
    modify(base, FR30XX_SARADC_CONTROL, 0, FR30XX_SARADC_CTRL_EN);
    for (int i = 0; i < 10; i++) {
        (void)fr30xx_read32(base + FR30XX_SARADC_CONTROL); /* a bus access for each NOP */
    }
    modify(base, FR30XX_SARADC_CONTROL, 0, FR30XX_SARADC_CTRL_SOFT_TRIGGER);
    /* saradc_get_channel_valid_status(0) until set, bounded; then
     * saradc_get_channel_data(0). */
    int rc = FR30XX_SARADC_ETIMEDOUT;
    for (uint32_t n = 0; n < polls; n++) {
        if (fr30xx_read32(base + FR30XX_SARADC_CHANNEL_STATUS) & (1u << LOGICAL_CHANNEL)) {
            *value = (uint16_t)(fr30xx_read32(base + FR30XX_SARADC_CHANNEL_DATA(LOGICAL_CHANNEL)) & FR30XX_SARADC_RESULT_MAX);
            rc = 0;
            break;
        }
    }
    /* saradc_loop_convert_stop(): SARADC_EN = 0, then __SARADC_RESET(), so the next
     * read starts from an idle block with no stale result. */
    modify(base, FR30XX_SARADC_CONTROL, FR30XX_SARADC_CTRL_EN, 0);
    modify(base, FR30XX_SARADC_CONTROL, 0, FR30XX_SARADC_CTRL_RESET);
    return rc;
}
