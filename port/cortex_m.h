// Architectural Cortex-M registers and instructions the port and the boards
// use. Everything here is common to ARMv7-M and ARMv8-M Mainline (the System
// Control Space layout is fixed by the architecture), so no vendor device
// header is needed.
#ifndef MPFORGE_PORT_CORTEX_M_H
#define MPFORGE_PORT_CORTEX_M_H

#include <stdint.h>

#define CM_REG(addr) (*(volatile uint32_t *)(addr))

// SysTick
#define CM_SYST_CSR CM_REG(0xE000E010u)
#define CM_SYST_RVR CM_REG(0xE000E014u)
#define CM_SYST_CVR CM_REG(0xE000E018u)
#define CM_SYST_CSR_ENABLE (1u << 0)
#define CM_SYST_CSR_TICKINT (1u << 1)
#define CM_SYST_CSR_CLKSOURCE_CPU (1u << 2)

// System Control Block
#define CM_SCB_ICSR CM_REG(0xE000ED04u)
#define CM_SCB_VTOR CM_REG(0xE000ED08u)
#define CM_SCB_AIRCR CM_REG(0xE000ED0Cu)
#define CM_SCB_SHCSR CM_REG(0xE000ED24u)
#define CM_SCB_CFSR CM_REG(0xE000ED28u)
#define CM_SCB_HFSR CM_REG(0xE000ED2Cu)
#define CM_SCB_MMFAR CM_REG(0xE000ED34u)
#define CM_SCB_BFAR CM_REG(0xE000ED38u)
#define CM_SCB_CPACR CM_REG(0xE000ED88u)
#define CM_SCB_ICSR_PENDSTSET (1u << 26)
#define CM_SCB_ICSR_PENDSTCLR (1u << 25)
#define CM_SCB_ICSR_PENDSVCLR (1u << 27)
#define CM_SCB_AIRCR_VECTKEY (0x05FAu << 16)
#define CM_SCB_AIRCR_SYSRESETREQ (1u << 2)
#define CM_SCB_CPACR_CP10_CP11_FULL (0xFu << 20)
#define CM_SCB_SHCSR_FAULTS_ENA (7u << 16) // MemManage, BusFault, UsageFault

// NVIC: one enable bit per interrupt, one priority byte per interrupt
#define CM_NVIC_ISER(n) CM_REG(0xE000E100u + 4u * (n))
#define CM_NVIC_ICER(n) CM_REG(0xE000E180u + 4u * (n))
#define CM_NVIC_ISPR(n) CM_REG(0xE000E200u + 4u * (n))
#define CM_NVIC_ICPR(n) CM_REG(0xE000E280u + 4u * (n))
#define CM_NVIC_IPR8(irq) (*(volatile uint8_t *)(0xE000E400u + (irq)))

static inline void cm_dsb(void) {
    __asm__ __volatile__ ("dsb" ::: "memory");
}

static inline void cm_isb(void) {
    __asm__ __volatile__ ("isb" ::: "memory");
}

static inline void cm_wfi(void) {
    __asm__ __volatile__ ("wfi" ::: "memory");
}

// Masks interrupts (PRIMASK) and returns the previous mask for cm_irq_restore.
static inline uint32_t cm_irq_disable(void) {
    uint32_t primask;
    __asm__ __volatile__ ("mrs %0, primask\n\tcpsid i" : "=r" (primask) :: "memory");
    return primask;
}

static inline void cm_irq_restore(uint32_t primask) {
    __asm__ __volatile__ ("msr primask, %0" :: "r" (primask) : "memory");
}

static inline void cm_irq_enable(void) {
    __asm__ __volatile__ ("cpsie i" ::: "memory");
}

// For Reset_Handler: whatever ran before (a boot ROM, a bootloader, a
// debugger) may have left interrupts enabled, pending or masked. Masks them
// all with PRIMASK, clears FAULTMASK and BASEPRI, disables and un-pends the
// first num_irqs NVIC lines, and stops SysTick with PendSV and SysTick
// un-pended: as after a cold reset, except for PRIMASK, which py_main clears
// (cm_irq_enable) once the console is set up.
static inline void cm_interrupts_reset(uint32_t num_irqs) {
    // PRIMASK first, so clearing FAULTMASK lets nothing in.
    __asm__ __volatile__ ("cpsid i\n\tcpsie f\n\tmsr basepri, %0" :: "r" (0u) : "memory");
    for (uint32_t n = 0; n < (num_irqs + 31u) / 32u; n++) {
        CM_NVIC_ICER(n) = 0xFFFFFFFFu;
        CM_NVIC_ICPR(n) = 0xFFFFFFFFu;
    }
    CM_SYST_CSR = 0;
    CM_SCB_ICSR = CM_SCB_ICSR_PENDSTCLR | CM_SCB_ICSR_PENDSVCLR;
    cm_dsb();
    cm_isb();
}

// Enables an external interrupt at the given priority. Only the top bits of
// the priority byte are implemented, so 0x80 means "middle" on every chip.
static inline void cm_nvic_enable(uint32_t irq, uint8_t priority) {
    CM_NVIC_IPR8(irq) = priority;
    CM_NVIC_ICPR(irq >> 5) = 1u << (irq & 31u);
    CM_NVIC_ISER(irq >> 5) = 1u << (irq & 31u);
}

static inline void cm_nvic_disable(uint32_t irq) {
    CM_NVIC_ICER(irq >> 5) = 1u << (irq & 31u);
    cm_dsb();
    cm_isb();
}

// Requests a system reset and waits for it.
__attribute__((noreturn)) static inline void cm_system_reset(void) {
    cm_dsb();
    // Keep the priority grouping field (bits 10:8) as it is.
    CM_SCB_AIRCR = CM_SCB_AIRCR_VECTKEY | (CM_SCB_AIRCR & 0x700u) | CM_SCB_AIRCR_SYSRESETREQ;
    cm_dsb();
    for (;;) {
        cm_wfi();
    }
}

#endif // MPFORGE_PORT_CORTEX_M_H
