// The Arm CMSDK APB UART's registers (QEMU hw/char/cmsdk-apb-uart.c, the
// CMSDK TRM): the block of the MPS2 images, used by the twins' console
// (boards/mps2-an505/cmsdk_uart.c) and by machine.UART (cmsdk_apb_uart.c).
#ifndef MPFORGE_CMSDK_UART_REGS_H
#define MPFORGE_CMSDK_UART_REGS_H

#include <stdint.h>

typedef struct {
    volatile uint32_t data;      // 0x00
    volatile uint32_t state;     // 0x04
    volatile uint32_t ctrl;      // 0x08
    volatile uint32_t intstatus; // 0x0C, write 1 to clear
    volatile uint32_t bauddiv;   // 0x10
} cmsdk_uart_t;

#define STATE_TX_FULL (1u << 0)
#define STATE_RX_FULL (1u << 1)
#define STATE_TX_OVERRUN (1u << 2) // write 1 to clear
#define STATE_RX_OVERRUN (1u << 3) // write 1 to clear
#define CTRL_TX_EN (1u << 0)
#define CTRL_RX_EN (1u << 1)
#define CTRL_RX_INTEN (1u << 3)
#define INT_TX (1u << 0)
#define INT_RX (1u << 1)

#endif
