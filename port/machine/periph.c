// Shared helpers of the peripheral layer: instance look-up, the RAM vector
// table that peripheral interrupts are installed into, and the soft-reset
// clean-up.
#include <string.h>

#include "py/runtime.h"
#include "cortex_m.h"
#include "periph.h"

unsigned periph_find(const periph_instance_t *tab, size_t n, mp_int_t id, const char *kind, const char *valid) {
    for (size_t i = 0; i < n; ++i) {
        if (tab[i].id == id) {
            return i;
        }
    }
    mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("%s(%d) does not exist on this board; it has %s(%s)"),
        kind, (int)id, kind, valid);
}

int periph_active_irq(void) {
    uint32_t ipsr;
    __asm__ volatile ("mrs %0, ipsr" : "=r" (ipsr));
    return (int)(ipsr & 0x1FF) - 16;
}

#if MPFORGE_UART || MPFORGE_TIMER || MPFORGE_WDT || MPFORGE_PIN

typedef void (*vector_t)(void);

// The board's vector table is const in FLASH; the first peripheral
// interrupt copies it here (as far as the highest interrupt the board file
// names) and moves VTOR, so back-ends need no entries in the board's startup.
static vector_t ram_vectors[MPFORGE_VECTORS] __attribute__((aligned(MPFORGE_VECTORS_ALIGN)));

static void vectors_to_ram(void) {
    const vector_t *cur = (const vector_t *)(uintptr_t)CM_SCB_VTOR;
    if (cur == ram_vectors) {
        return;
    }
    uint32_t state = cm_irq_disable();
    memcpy(ram_vectors, cur, sizeof(ram_vectors));
    cm_dsb();
    CM_SCB_VTOR = (uint32_t)(uintptr_t)ram_vectors;
    cm_dsb();
    cm_isb();
    cm_irq_restore(state);
}

void periph_irq_set(int irq, void (*handler)(void), uint8_t prio) {
    vectors_to_ram();
    ram_vectors[16 + irq] = handler;
    cm_dsb();
    if (irq >= 0) {
        cm_nvic_enable((uint32_t)irq, prio);
    }
}

void periph_irq_off(int irq) {
    if (irq >= 0) {
        cm_nvic_disable((uint32_t)irq);
    }
}

#endif

void machine_pin_deinit_all(void);
void machine_uart_deinit_all(void);
void machine_timer_deinit_all(void);

void machine_periph_deinit(void) {
    #if MPFORGE_PIN && MICROPY_PY_MACHINE_UART_IRQ
    machine_pin_deinit_all();
    #endif
    #if MPFORGE_MACHINE_TIMER
    machine_timer_deinit_all();
    #endif
    #if MPFORGE_UART
    machine_uart_deinit_all();
    #endif
}
