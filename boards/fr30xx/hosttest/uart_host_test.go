package hosttest

import (
	"testing"
)

// TestDWUARTOnHost builds dw_uart.c with the host compiler against the harness
// in testdata/, which checks the divisor math for many clock/baud pairs and the
// exact register access sequences of init, transmit and the RX interrupt.
func TestDWUARTOnHost(t *testing.T) {
	runOnHost(t, "dw_uart_test", []string{"-DDW_UART_HOST_TEST"}, "dw_uart.c")
}

// TestDWUARTCompilesForTarget compiles the driver with the board's compiler
// flags, so a warning that only the cross compiler sees fails here first.
func TestDWUARTCompilesForTarget(t *testing.T) {
	compileForTarget(t, "dw_uart.c")
}
