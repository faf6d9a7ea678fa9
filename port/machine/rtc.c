// machine.RTC over the board's RTC counter ([peripherals.rtc]): datetime() and
// init() as upstream documents them. The counter runs at MPFORGE_RTC_CLOCK_HZ and
// wraps at 32 bits; setting the time loads it with 0 and keeps the date in RAM,
// and a read notices a wrap only when reads come less than one wrap apart
// (2^32 clocks: about 20 hours at 57 kHz). A reset forgets the date.
#include "py/runtime.h"
#include "py/mperrno.h"
#include "extmod/modmachine.h"
#include "shared/timeutils/timeutils.h"
#include "periph.h"

#if MPFORGE_RTC

static const periph_instance_t rtc_instances[MPFORGE_RTC_COUNT] = {
    #define X(id, base, irq) { id, base, irq },
    MPFORGE_RTC_TABLE(X)
    #undef X
};

typedef struct {
    mp_obj_base_t base;
} machine_rtc_obj_t;

static const machine_rtc_obj_t machine_rtc_obj = { { &machine_rtc_type } };

static uint64_t base_s;    // seconds since 2000 at counter 0
static uint32_t wraps;     // counter wraps seen since the time was set
static uint32_t last_count;

static uint32_t rtc_count(void) {
    uint32_t c;
    if (!periph_rtc_count(&rtc_instances[0], &c)) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("RTC: its block did not answer (PMU bus time-out)"));
    }
    if (c < last_count) {
        ++wraps;
    }
    last_count = c;
    return c;
}

static mp_obj_t machine_rtc_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 1, false);
    if (n_args == 1) {
        periph_find(rtc_instances, MPFORGE_RTC_COUNT, mp_obj_get_int(args[0]), "RTC", MPFORGE_RTC_IDS);
    }
    return MP_OBJ_FROM_PTR(&machine_rtc_obj);
}

static void rtc_set(mp_obj_t tuple) {
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(tuple, &n, &items);
    if (n < 7 || n > 8) {
        mp_raise_ValueError(MP_ERROR_TEXT("datetime is (year, month, day, weekday, hours, minutes, seconds[, subseconds])"));
    }
    mp_int_t y = mp_obj_get_int(items[0]), mo = mp_obj_get_int(items[1]), d = mp_obj_get_int(items[2]);
    mp_int_t h = mp_obj_get_int(items[4]), mi = mp_obj_get_int(items[5]), s = mp_obj_get_int(items[6]);
    if (y < 2000 || y > 2099 || mo < 1 || mo > 12 || d < 1 || d > (mp_int_t)timeutils_days_in_month(y, mo) ||
        h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) {
        mp_raise_ValueError(MP_ERROR_TEXT("datetime out of range: year 2000..2099, month 1..12, a valid day, 0..23:0..59:0..59"));
    }
    if (!periph_rtc_set_count(&rtc_instances[0], 0)) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("RTC: its block did not answer (PMU bus time-out)"));
    }
    base_s = timeutils_seconds_since_2000(y, mo, d, h, mi, s);
    wraps = 0;
    last_count = 0;
}

static mp_obj_t machine_rtc_datetime(size_t n_args, const mp_obj_t *args) {
    if (n_args == 2) {
        rtc_set(args[1]);
        return mp_const_none;
    }
    uint32_t c = rtc_count();
    uint64_t ticks = ((uint64_t)wraps << 32) | c;
    uint64_t secs = base_s + ticks / MPFORGE_RTC_CLOCK_HZ;
    uint32_t us = (uint32_t)((ticks % MPFORGE_RTC_CLOCK_HZ) * 1000000u / MPFORGE_RTC_CLOCK_HZ);
    timeutils_struct_time_t tm;
    timeutils_seconds_since_2000_to_struct_time((mp_timestamp_t)secs, &tm);
    mp_obj_t t[8] = {
        mp_obj_new_int(tm.tm_year), mp_obj_new_int(tm.tm_mon), mp_obj_new_int(tm.tm_mday), mp_obj_new_int(tm.tm_wday),
        mp_obj_new_int(tm.tm_hour), mp_obj_new_int(tm.tm_min), mp_obj_new_int(tm.tm_sec), mp_obj_new_int(us),
    };
    return mp_obj_new_tuple(8, t);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(machine_rtc_datetime_obj, 1, 2, machine_rtc_datetime);

static mp_obj_t machine_rtc_init(mp_obj_t self_in, mp_obj_t datetime) {
    (void)self_in;
    rtc_set(datetime);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(machine_rtc_init_obj, machine_rtc_init);

static const mp_rom_map_elem_t machine_rtc_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_datetime), MP_ROM_PTR(&machine_rtc_datetime_obj) },
    { MP_ROM_QSTR(MP_QSTR_init), MP_ROM_PTR(&machine_rtc_init_obj) },
};
static MP_DEFINE_CONST_DICT(machine_rtc_locals_dict, machine_rtc_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    machine_rtc_type,
    MP_QSTR_RTC,
    MP_TYPE_FLAG_NONE,
    make_new, machine_rtc_make_new,
    locals_dict, &machine_rtc_locals_dict
    );

#endif
