// MicroPython settings for the peripheral classes (included by
// mpconfigport.h). The upstream switches (MICROPY_PY_MACHINE_UART, ...)
// come from the board file: mpforge sets them for each kind in
// [peripherals]; the port-side classes (Pin, Timer) are added here.
#include "genhdr/board_periph.h"

#define MICROPY_PY_MACHINE_UART_INCLUDEFILE "machine/uart.inc"
#define MICROPY_PY_MACHINE_WDT_INCLUDEFILE "machine/wdt.inc"
#define MICROPY_PY_MACHINE_WDT_TIMEOUT_MS (1)
#define MICROPY_PY_MACHINE_PWM_INCLUDEFILE "machine/pwm.inc"
#define MICROPY_PY_MACHINE_ADC_INCLUDEFILE "machine/adc.inc"
#define MICROPY_PY_MACHINE_ADC_CLASS_CONSTANTS // ADC has no class constants here

#if MPFORGE_PIN
#define MPFORGE_GLOBALS_PIN { MP_ROM_QSTR(MP_QSTR_Pin), MP_ROM_PTR(&machine_pin_type) },
#else
#define MPFORGE_GLOBALS_PIN
#endif
// machine.Timer (MPFORGE_MACHINE_TIMER, from mpforge): soft timers
// (Timer(-1), on the 1 ms tick) on every board at EXTRA_FEATURES or more,
// hardware timers where [peripherals.timer] has them.
#if MPFORGE_MACHINE_TIMER
#define MPFORGE_GLOBALS_TIMER { MP_ROM_QSTR(MP_QSTR_Timer), MP_ROM_PTR(&machine_timer_type) },
#else
#define MPFORGE_GLOBALS_TIMER
#endif
// machine.RTC (rtc.c), where [peripherals.rtc] has one.
#if MPFORGE_RTC
#define MPFORGE_GLOBALS_RTC { MP_ROM_QSTR(MP_QSTR_RTC), MP_ROM_PTR(&machine_rtc_type) },
#else
#define MPFORGE_GLOBALS_RTC
#endif
#define MPFORGE_MACHINE_PERIPH_GLOBALS MPFORGE_GLOBALS_PIN MPFORGE_GLOBALS_TIMER MPFORGE_GLOBALS_RTC
