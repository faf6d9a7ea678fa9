package hosttest

import (
	"testing"
)

// periphSources are the register-level drivers behind machine.* on fr30xx,
// with pmu.c (the WDT's PMU unlock) and dw_uart.c (the UART's frame settings).
var periphSources = []string{"fr30xx_gpio.c", "dw_i2c.c", "dw_ssi.c", "dw_timer.c", "dw_wdt.c", "fr30xx_pwm.c", "fr30xx_rtc.c", "fr30xx_saradc.c", "pmu.c", "dw_uart.c"}

// TestPeriphOnHost builds the machine.* drivers with the host compiler against
// the register model in testdata/periph_test.c (GPIO with pads and pin mux, DW
// I2C on a bus of model devices, DW SSI with an answering device, DW timers,
// DW WDT and the PMU bus, PWM, the PMU's RTC counter, the SAR ADC, as the vendor HAL
// describes them) and checks the
// init sequences, the divisor and SCL maths, IRQ handling, and the error
// paths: an address NACK, a data NACK, a frozen device, a stuck SPI block, an
// RTC sample that never completes, an ADC that gives no result and a dead PMU bus.
func TestPeriphOnHost(t *testing.T) {
	runOnHost(t, "periph_test", []string{"-DFR30XX_HOST_TEST"}, periphSources...)
}

// TestPeriphCompilesForTarget compiles the same drivers with the board's
// compiler flags and -Wextra, where their register access is real.
func TestPeriphCompilesForTarget(t *testing.T) {
	compileForTarget(t, periphSources...)
}
