// Configuration used by the genhdr oracle tests: a Cortex-M33 port at the
// EXTRA_FEATURES ROM level. It only has to preprocess cleanly, never link.
#include <stdint.h>
#include <alloca.h>

#define MICROPY_CONFIG_ROM_LEVEL (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)

#define MICROPY_ENABLE_GC                (1)
#define MICROPY_HELPER_REPL              (1)
#define MICROPY_FLOAT_IMPL               (MICROPY_FLOAT_IMPL_FLOAT)
#define MICROPY_LONGINT_IMPL             (MICROPY_LONGINT_IMPL_MPZ)
#define MICROPY_EMIT_THUMB               (1)
#define MICROPY_EMIT_INLINE_THUMB        (1)
#define MICROPY_PY_SYS_PS1_PS2           (1)
#define MICROPY_PY_OS_DUPTERM            (1)
#define MICROPY_PY_RANDOM_SEED_INIT_FUNC (0x12345678)
#define MICROPY_HW_BOARD_NAME            "genhdr-test"
#define MICROPY_HW_MCU_NAME              "cortex-m33"

typedef intptr_t mp_int_t;   // pointer sized
typedef uintptr_t mp_uint_t; // pointer sized
typedef long mp_off_t;

#define MP_STATE_PORT MP_STATE_VM
