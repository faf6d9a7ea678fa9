// Package hosttest checks the FR30xx board's C code on the development
// machine, without the chip:
//
//   - the DesignWare UART driver (boards/fr30xx/dw_uart.c) is compiled with the
//     host C compiler against a fake register block (testdata/dw_uart_test.c)
//     that records every register access, so the baud divisor math and the
//     exact register sequences of init, transmit and the RX interrupt are
//     checked;
//   - the PMU serial bus, the PMU-watchdog reset and the eFuse trim and PMU
//     set-up (boards/fr30xx/pmu.c, pmu_setup.c) run the same way against a
//     model of the bus controller, the PMU's registers and the eFuse
//     (testdata/pmu_test.c), written from the vendor HAL's description;
//   - the register drivers behind machine.Pin, I2C, SPI, Timer and WDT
//     (fr30xx_gpio.c, dw_i2c.c, dw_ssi.c, dw_timer.c, dw_wdt.c) and the UART's
//     frame settings run against a model of those blocks, the SYSTEM pads and
//     the PMU bus (testdata/periph_test.c);
//   - startup.c and linker.ld run on QEMU's Cortex-M33 machine
//     (testdata/startup_qemu.c), which checks the reset path, the vector table
//     and the clean-up of what a boot stage may leave behind.
//
// It has no non-test code.
package hosttest
