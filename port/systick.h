// The 1 ms system tick, from SysTick clocked by the core (BOARD_CPU_HZ).
#ifndef MPFORGE_PORT_SYSTICK_H
#define MPFORGE_PORT_SYSTICK_H

#include <stdint.h>

// Starts SysTick with a 1 ms period. Called once by py_main().
void systick_init(void);

// Microseconds since systick_init(); does not wrap in practice (584,000 years).
uint64_t systick_uptime_us(void);

// The interrupt handler the board's vector table points at.
void SysTick_Handler(void);

// Called from SysTick_Handler with the new millisecond count; a weak no-op
// unless machine.Timer's soft timers are built (port/machine/timer.c).
void machine_soft_timer_tick(uint32_t ms);

#endif // MPFORGE_PORT_SYSTICK_H
