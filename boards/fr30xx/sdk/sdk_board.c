/*
 * FR30xx bring-up through the vendor SDK (FR30XX_SDK mode). The vendor's
 * gcc/startup_fr30xx.S runs first (SystemInit, .data/.bss, main_entry_point:
 * flash and trim setup) and calls main(); the vendor's tools/gcc/ldscript.ld
 * lays out the image. Here: PMU, clocks, the UART3 pins and uart_init(), then
 * the port's py_main() on a stack of the size the board file gives.
 *
 * Built instead of startup.c, board.c and linker.ld; dw_uart.c still supplies
 * the RX interrupt's FIFO drain, tested on the host.
 */
#include "fr30xx.h"

#include "board_hooks.h"
#include "genhdr/board_config.h"
#include "py_main.h"
#include "uart.h"

#include "dw_uart.h"

_Static_assert(BOARD_CONSOLE_UART_BASE == UART3_BASE,
    "sdk_board.c sets up UART3 on PB4/PB5: set [console] base = 0x50118000");
_Static_assert(BOARD_CONSOLE_UART_IRQ == UART3_IRQn, "UART3 is IRQ 23: set [console] irq = 23");
_Static_assert(BOARD_CPU_HZ == HSE_VALUE,
    "sdk_board.c runs the core from the 24 MHz crystal undivided: set clock_hz = 24000000 or add SPLL setup");
_Static_assert(BOARD_CONSOLE_UART_CLOCK_HZ == HSE_VALUE,
    "the UARTs run from CORE_HSCLK undivided: set [console] clock_hz = 24000000");
_Static_assert(BOARD_STACK_SIZE % 8 == 0, "[link] stack_size must be a multiple of 8");

/* UARTx is set here so that console_uart_tx() polls the right UART even
 * before console_uart_init() (the port's fault handlers may print early). */
static UART_HandleTypeDef console = { .UARTx = UART3 };

/* The vendor startup gives main() a 4K stack; py_main() sizes its stack check
 * by BOARD_STACK_SIZE, so it runs on this one instead. */
static uint64_t py_stack[BOARD_STACK_SIZE / sizeof(uint64_t)];

void board_init(void) {
    pmu_init();

    /* CORE_HSCLK from the crystal, core and APB buses undivided: 24 MHz. */
    System_ClkConfig_t clk = {
        .CORE_HSCLK_CFG = { .CORE_HSCLK_Source = CORE_HSCLK_SEL_HES },
        .MCU_Clock_Source = MCU_CLK_SEL_CORE_HSCLK,
        .SOC_DIV = 1,
        .MCU_DIV = 1,
        .APB0_DIV = 1,
        .APB1_DIV = 1,
        .APB2_DIV = 1,
    };
    System_CORE_HSCLK_config(&clk.CORE_HSCLK_CFG);
    System_MCU_clock_Config(&clk);

    GPIO_InitTypeDef pins = {
        .Pin = GPIO_PIN_4 | GPIO_PIN_5,
        .Mode = GPIO_MODE_AF_PP,
        .Pull = GPIO_PULLUP,
        .Alternate = GPIO_FUNCTION_1,
    };
    gpio_init(GPIOB, &pins);
}

void console_uart_init(void) {
    __SYSTEM_UART_CLK_SELECT_COREH();
    __SYSTEM_UART_CLK_DIV(1);
    __SYSTEM_UART3_CLK_ENABLE();
    console.Init.BaudRate = BOARD_CONSOLE_BAUD;
    console.Init.DataLength = UART_DATA_LENGTH_8BIT;
    console.Init.StopBits = UART_STOPBITS_1;
    console.Init.Parity = UART_PARITY_NONE;
    console.Init.FIFO_Mode = UART_FIFO_ENABLE;
    console.Init.AUTO_FLOW = UART_AUTO_FLOW_DISABLE;
    uart_init(&console);
    __UART_INT_RX_ENABLE(UART3);
    NVIC_SetPriority(UART3_IRQn, 2);
    NVIC_EnableIRQ(UART3_IRQn);
}

void console_uart_tx(const uint8_t *buf, size_t len) {
    uart_transmit(&console, buf, len);
}

/* machine.unique_id(): the vendor's 5-byte device ID (eFuse, or derived from
 * the flash's own ID on parts without one; trim_fr30xx.c). */
size_t board_unique_id(uint8_t *buf, size_t len) {
    uint8_t n = len > UINT8_MAX ? UINT8_MAX : (uint8_t)len;
    system_get_unique_ID(buf, &n);
    return n;
}

/* machine.reset(): the vendor's reset, the PMU watchdog resetting the whole
 * chip (system_fr30xx.c, through driver_pmu_iwdt.c); it never returns. No
 * vendor header declares it. */
__attribute__((noreturn)) void system_reset(void);

void board_reset(void) {
    system_reset();
}

/* Vector name from the vendor's gcc/startup_fr30xx.S. */
void uart3_irq(void) {
    dw_uart_irq((dw_uart_regs_t *)UART3_BASE, console_rx_push);
}

/* The vendor startup calls newlib's __libc_init_array, which calls _init;
 * mpforge links with -nostartfiles, so crti.o's _init is not there. Nothing
 * here needs it. */
void _init(void) {
}

int main(void) {
    board_init();
    /* Switch MSP (and its limit) to py_stack and enter py_main(), which never
     * returns, so nothing of main's old frame is needed. */
    __asm volatile (
        "msr msp, %0\n"
        "msr msplim, %1\n"
        "b py_main\n"
        :
        : "r" (&py_stack[sizeof(py_stack) / sizeof(py_stack[0])]), "r" (&py_stack[0])
        : "memory");
    __builtin_unreachable();
}
