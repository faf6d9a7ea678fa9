// Optional hooks a board may provide. The port has weak defaults for each,
// so a board defines only those its chip supports.
#ifndef MPFORGE_PORT_BOARD_HOOKS_H
#define MPFORGE_PORT_BOARD_HOOKS_H

#include <stddef.h>
#include <stdint.h>

// Copies the chip's unique ID (at most len bytes) into buf and returns its
// length, for machine.unique_id(). The default returns 0: no unique ID, and
// machine.unique_id() raises OSError(ENODEV).
size_t board_unique_id(uint8_t *buf, size_t len);

// Resets the chip, for machine.reset(). The default requests a system reset
// through the core (SYSRESETREQ); a board whose chip resets another way
// provides its own.
__attribute__((noreturn)) void board_reset(void);

#endif // MPFORGE_PORT_BOARD_HOOKS_H
