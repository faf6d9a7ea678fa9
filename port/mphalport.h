// The port's side of py/mphal.h: atomic sections, sleeping and Ctrl-C.
#ifndef MPFORGE_PORT_MPHALPORT_H
#define MPFORGE_PORT_MPHALPORT_H

#include "cortex_m.h"
#include "shared/runtime/interrupt_char.h"

// Atomic sections mask interrupts; nesting works because the previous
// PRIMASK is restored, not cleared.
#define MICROPY_BEGIN_ATOMIC_SECTION() cm_irq_disable()
#define MICROPY_END_ATOMIC_SECTION(state) cm_irq_restore(state)

// Waiting for an event sleeps until the next interrupt: the console RX
// interrupt or, at the latest, the 1 ms SysTick, so any timeout holds.
#define MICROPY_INTERNAL_WFE(TIMEOUT_MS) cm_wfi()

#endif // MPFORGE_PORT_MPHALPORT_H
