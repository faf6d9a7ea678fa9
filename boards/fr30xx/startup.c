/*
 * FR30xx startup without the vendor SDK: the vector table at the start of the
 * application flash (0x08002000) and Reset_Handler.
 */
#include <stdint.h>

#include "cortex_m.h"
#include "py_main.h"
#include "uart.h"

#include "fr30xx_regs.h"

/* From linker.ld. */
extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _sstack[], _estack[];
extern uint32_t _siram_code[], _sram_code[], _eram_code[];

void Reset_Handler(void);
void Default_Handler(void);

#define WEAK_DEFAULT __attribute__((weak, alias("Default_Handler")))

void NMI_Handler(void) WEAK_DEFAULT;
void HardFault_Handler(void) WEAK_DEFAULT;
void MemManage_Handler(void) WEAK_DEFAULT;
void BusFault_Handler(void) WEAK_DEFAULT;
void UsageFault_Handler(void) WEAK_DEFAULT;
void SecureFault_Handler(void) WEAK_DEFAULT;
void SVC_Handler(void) WEAK_DEFAULT;
void DebugMon_Handler(void) WEAK_DEFAULT;
void PendSV_Handler(void) WEAK_DEFAULT;
void SysTick_Handler(void) WEAK_DEFAULT;

/* IRQ numbers and names: the IRQn_Type enum of the HAL's fr30xx.h; numbers it
 * leaves out are named IRQ<n>. Each handler is weak, so any file may define it. */
#define FR30XX_IRQS(X) \
    X(0, TIMER0) X(1, TIMER1) X(2, TIMER2) X(3, TIMER3) X(4, DMA0) X(5, DMA1) \
    X(6, SDIOH0) X(7, IRQ7) X(8, IPC_MCU) X(9, USBOTG) X(10, IRQ10) X(11, IRQ11) \
    X(12, IRQ12) X(13, IRQ13) X(14, IRQ14) X(15, IRQ15) X(16, GPIOA) X(17, GPIOB) \
    X(18, GPIOC) X(19, GPIOD) X(20, UART0) X(21, UART1) X(22, UART2) X(23, UART3) \
    X(24, UART4) X(25, UART5) X(26, I2C0) X(27, IRQ27) X(28, I2C1) X(29, IRQ29) \
    X(30, I2C2) X(31, IRQ31) X(32, SPIM0) X(33, SPIM1) X(34, IRQ34) X(35, SPIS0) \
    X(36, SPIS1) X(37, SPIMX8_0) X(38, SPIMX8_1) X(39, I2S0) X(40, I2S1) X(41, IRQ41) \
    X(42, PDM0) X(43, PDM1) X(44, IRQ44) X(45, SARADC) X(46, PSD_DAC) X(47, SPDIF) \
    X(48, IRQ48) X(49, IRQ49) X(50, IRQ50) X(51, DISPLAY) X(52, WDT) X(53, CALI) \
    X(54, TRNG) X(55, TICK) X(56, IRQ56) X(57, IRQ57) X(58, IRQ58) X(59, IRQ59) \
    X(60, DSP_TIMER0) X(61, DSP_TIMER1) X(62, DSP_WDT) X(63, IPC_DSP) X(64, YUV2RGB) \
    X(65, PMU) X(66, PMU_LVD) X(67, PMU_ACOK) X(68, PMU_WDT) X(69, GPIOE) \
    X(70, CAN0_LINE0) X(71, CAN0_LINE1) X(72, CAN1_LINE0) X(73, CAN1_LINE1) \
    X(74, CAN2_LINE0) X(75, CAN2_LINE1) X(76, CAN3_LINE0) X(77, CAN3_LINE1) \
    X(78, IRQ78) X(79, PWM0) X(80, PWM1) X(81, TIMER4) X(82, TIMER5)

#define DECLARE_IRQ(n, name) void name##_IRQHandler(void) WEAK_DEFAULT;
FR30XX_IRQS(DECLARE_IRQ)

typedef void (*handler_t)(void);

typedef struct {
    uint32_t *initial_sp;
    handler_t exceptions[15];   /* exception numbers 1..15 */
    handler_t irqs[FR30XX_IRQ_COUNT];
    uint32_t image_marker[3];
} vector_table_t;

#define IRQ_ENTRY(n, name) [n] = name##_IRQHandler,

__attribute__((section(".isr_vector"), used))
const vector_table_t vector_table = {
    .initial_sp = _estack,
    .exceptions = {
        Reset_Handler, NMI_Handler, HardFault_Handler, MemManage_Handler, BusFault_Handler,
        UsageFault_Handler, SecureFault_Handler, 0, 0, 0, SVC_Handler, DebugMon_Handler, 0,
        PendSV_Handler, SysTick_Handler,
    },
    .irqs = { FR30XX_IRQS(IRQ_ENTRY) },
    /* The vendor's gcc/startup_fr30xx.S ends its table with these words
     * ("OTA check flag"); kept so the image has the layout vendor tools expect. */
    .image_marker = { 0xAA55AA55u, 0x00000001u, 0x00000000u },
};

/* VTOR needs the table aligned to its size rounded up to a power of two. */
_Static_assert(sizeof(vector_table_t) <= 512, "vector table outgrew the 512-byte alignment of FLASH origin");

static void reset_c(void) __attribute__((noreturn, used));

/* The boot ROM may jump here without loading SP from the table, as the vendor's
 * startup assumes (it sets SP first), and in whatever state it was in. So,
 * before any C runs: interrupts masked, the main stack and its limit, and
 * CONTROL = 0 (privileged, on MSP: a boot stage running its thread mode on PSP
 * would otherwise leave this code on its stack). */
__attribute__((naked)) void Reset_Handler(void) {
    __asm volatile (
        "cpsid i\n"
        "ldr r0, =_estack\n"
        "msr msp, r0\n"
        "ldr r0, =_sstack\n"
        "msr msplim, r0\n"
        "movs r0, #0\n"
        "msr control, r0\n"
        "isb\n"
        "b reset_c\n"
        );
}

static void reset_c(void) {
    /* Every NVIC line the ROM may have enabled or left pending, SysTick,
     * BASEPRI and FAULTMASK; PRIMASK stays set until py_main enables
     * interrupts, after the console is set up. */
    cm_interrupts_reset(FR30XX_IRQ_COUNT);
#if defined(__ARM_FP)
    /* Hard-float code may touch the FPU anywhere, so enable it before any. */
    CM_SCB_CPACR |= CM_SCB_CPACR_CP10_CP11_FULL;
    cm_dsb();
    cm_isb();
#endif
    for (uint32_t *src = _sidata, *dst = _sdata; dst < _edata;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = _sbss; dst < _ebss;) {
        *dst++ = 0;
    }
    /* Functions that run from PRAM (linker.ld .ram_code). */
    for (uint32_t *src = _siram_code, *dst = _sram_code; dst < _eram_code;) {
        *dst++ = *src++;
    }
    CM_SCB_VTOR = (uint32_t)(uintptr_t)&vector_table;
    cm_dsb();
    cm_isb();
    board_init();
    py_main();
}

void Default_Handler(void) {
    for (;;) {
    }
}
