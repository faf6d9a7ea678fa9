// Entry point of the MicroPython port, called by a board's Reset_Handler.
#ifndef MPFORGE_PORT_PY_MAIN_H
#define MPFORGE_PORT_PY_MAIN_H

// Starts the tick, the console and the REPL. Never returns: Ctrl-D or
// machine.soft_reset() restart the interpreter in a loop.
__attribute__((noreturn)) void py_main(void);

#endif // MPFORGE_PORT_PY_MAIN_H
