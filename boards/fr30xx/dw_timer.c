/* DesignWare APB timers, FR30xx TIMER0..5. Registers: HAL peripheral/Inc/driver_timer.h
 * struct_Timer_t (LoadCount 0x00, CurrentValue 0x04, Control 0x08, IntClear 0x0C,
 * IntStatus 0x10) and REG_Control_t (ENABLE 0, MODE 1, INT_MASK 2). Sequences:
 * peripheral/Src/driver_timer.c. Clock gates: fr30xx_regs.h. See fr30xx_periph.h. */
#include "fr30xx_periph.h"

#include "fr30xx_io.h"
#include "fr30xx_regs.h"

#define TMR_LOAD 0x00u
#define TMR_CONTROL 0x08u
#define TMR_INT_CLEAR 0x0Cu
#define TMR_INT_STATUS 0x10u
#define CTRL_ENABLE (1u << 0)
#define CTRL_MODE_USER (1u << 1) /* reload from LoadCount: timer_init() sets MODE = 1 */
#define CTRL_INT_MASK (1u << 2)  /* 1 = interrupt masked: timer_int_disable() */

/* fr30xx.h TIM0_BASE .. TIM5_BASE: two timers per block, 0x14 apart. */
static const uint32_t timer_base[6] = {
    0xE0060000u, 0xE0060014u, 0xE0068000u, 0xE0068014u, 0xE006C000u, 0xE006C014u,
};

int dw_timer_index(uint32_t base) {
    for (int i = 0; i < 6; i++) {
        if (timer_base[i] == base) {
            return i;
        }
    }
    return -1;
}

/* timer_init() (LoadCount, MODE = 1), timer_int_enable() (INT_MASK = 0), timer_start()
 * (ENABLE = 1), written here as one Control value with the timer stopped first. The
 * counter runs LoadCount..0, so a period of ticks clocks loads ticks - 1 (the HAL
 * does not say whether zero counts; at worst the period is one clock long). Also
 * gates the timer's clock on (ClockEnable3) and leaves its divider at 1. */
void dw_timer_start(uint32_t base, uint32_t ticks) {
    int i = dw_timer_index(base);
    if (i >= 0) {
        fr30xx_modify32(FR30XX_SYS_CLOCK_EN_ADDR(3), 0, FR30XX_CLOCK_EN3_TIMER((unsigned)i));
        if (i < 2) {
            fr30xx_modify32(FR30XX_SYS_BLOCK_CLK_DIV2_ADDR, FR30XX_BLOCK_CLK_DIV2_TIMER01_MASK, 0);
        } else if (i < 4) {
            fr30xx_modify32(FR30XX_SYS_BLOCK_CLK_DIV2_ADDR, FR30XX_BLOCK_CLK_DIV2_TIMER23_MASK, 0);
        } else {
            fr30xx_modify32(FR30XX_SYS_AUDIO_CLK_DIV_ADDR, FR30XX_AUDIO_CLK_DIV_TIMER45_MASK, 0);
        }
    }
    fr30xx_write32(base + TMR_CONTROL, CTRL_INT_MASK);
    (void)fr30xx_read32(base + TMR_INT_CLEAR);
    fr30xx_write32(base + TMR_LOAD, ticks - 1u);
    fr30xx_write32(base + TMR_CONTROL, CTRL_MODE_USER | CTRL_ENABLE);
}

/* timer_stop() (ENABLE = 0) and timer_int_disable(), then timer_int_clear() (a read
 * of IntClear). */
void dw_timer_stop(uint32_t base) {
    fr30xx_write32(base + TMR_CONTROL, CTRL_INT_MASK);
    (void)fr30xx_read32(base + TMR_INT_CLEAR);
}

/* timer_int_status() then timer_int_clear(). */
bool dw_timer_irq(uint32_t base) {
    if (!(fr30xx_read32(base + TMR_INT_STATUS) & 1u)) {
        return false;
    }
    (void)fr30xx_read32(base + TMR_INT_CLEAR);
    return true;
}
