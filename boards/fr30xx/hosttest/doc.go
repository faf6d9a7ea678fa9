// Package hosttest checks the FR30xx board's C code on the development
// machine, without the chip:
//
//   - the DesignWare UART driver (boards/fr30xx/dw_uart.c) is compiled with the
//     host C compiler against a fake register block (testdata/dw_uart_test.c)
//     that records every register access, so the baud divisor math and the
//     exact register sequences of init, transmit and the RX interrupt are
//     checked;
//   - startup.c and linker.ld run on QEMU's Cortex-M33 machine
//     (testdata/startup_qemu.c), which checks the reset path and the vector table.
//
// It has no non-test code.
package hosttest
