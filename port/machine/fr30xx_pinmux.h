// The pins each FR30xx UART, I2C and SPI instance is muxed to when machine opens it,
// by the block's index (UART1 = 1). From Freqchip's FR3068E pin table
// (github.com/yangchengwork/micropython_fr8000, ports/freqchip/boards/fr3068ec_af.csv);
// where a block appears on several pins, the choice avoids the console (PB4/PB5),
// SWD (PB10/PB11) and the other instances here. port: 0 = A .. 3 = D.
#ifndef MPFORGE_PORT_MACHINE_FR30XX_PINMUX_H
#define MPFORGE_PORT_MACHINE_FR30XX_PINMUX_H

#include <stdint.h>

typedef struct {
    uint8_t port, line, func;
} fr30xx_mux_t;

// UARTn RXD, TXD (function 1).
static const fr30xx_mux_t fr30xx_uart_pins[6][2] = {
    [1] = { { 0, 4, 1 }, { 0, 5, 1 } },   // PA4 UART1_RXD, PA5 UART1_TXD
    [2] = { { 1, 8, 1 }, { 1, 9, 1 } },   // PB8 UART2_RXD, PB9 UART2_TXD
    [4] = { { 3, 8, 1 }, { 3, 9, 1 } },   // PD8 UART4_RXD, PD9 UART4_TXD
    [5] = { { 3, 4, 1 }, { 3, 5, 1 } },   // PD4 UART5_RXD, PD5 UART5_TXD
};

// I2Cn SCK, SDA (function 3).
static const fr30xx_mux_t fr30xx_i2c_pins[3][2] = {
    { { 0, 6, 3 }, { 0, 7, 3 } },         // PA6 I2C0_SCK, PA7 I2C0_SDA
    { { 0, 10, 3 }, { 0, 11, 3 } },       // PA10 I2C1_SCK, PA11 I2C1_SDA
    { { 2, 2, 3 }, { 2, 3, 3 } },         // PC2 I2C2_SCK, PC3 I2C2_SDA
};

// SPIMn SCLK, CSN, MOSI, MISO (function 2: SPIMX2_n in the table).
static const fr30xx_mux_t fr30xx_spi_pins[2][4] = {
    { { 1, 0, 2 }, { 1, 1, 2 }, { 1, 2, 2 }, { 1, 3, 2 } },   // PB0..PB3
    { { 3, 0, 2 }, { 3, 1, 2 }, { 3, 2, 2 }, { 3, 3, 2 } },   // PD0..PD3
};

#endif
