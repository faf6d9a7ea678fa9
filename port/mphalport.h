// The port's side of py/mphal.h: atomic sections, sleeping and Ctrl-C.
#ifndef MPFORGE_PORT_MPHALPORT_H
#define MPFORGE_PORT_MPHALPORT_H

#include "cortex_m.h"
#include "shared/runtime/interrupt_char.h"

// Atomic sections mask interrupts; nesting works because the previous
// PRIMASK is restored, not cleared.
#define MICROPY_BEGIN_ATOMIC_SECTION() cm_irq_disable()
#define MICROPY_END_ATOMIC_SECTION(state) cm_irq_restore(state)

#if MPFORGE_EMBED
// Inside a product's firmware (port/embed): waiting yields to the product's
// scheduler for at most the timeout (-1: until mpforge_hook_wake).
#include "mpforge_embed.h"
#define MICROPY_INTERNAL_WFE(TIMEOUT_MS) mpforge_hook_wait((uint32_t)(TIMEOUT_MS))
#else
// Waiting for an event sleeps until the next interrupt: the console RX
// interrupt or, at the latest, the 1 ms SysTick, so any timeout holds.
#define MICROPY_INTERNAL_WFE(TIMEOUT_MS) cm_wfi()
#endif

// Pins for SoftI2C, SoftSPI and Signal (machine/, from [peripherals]).
#include "machine/mphal_pin.h"

#endif // MPFORGE_PORT_MPHALPORT_H
