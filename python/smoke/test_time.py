# The tick: time.sleep_ms lasts as long as the board's own clock says, and
# the millisecond and microsecond counters agree.
import time

t0, u0 = time.ticks_ms(), time.ticks_us()
time.sleep_ms(250)
ms, us = time.ticks_diff(time.ticks_ms(), t0), time.ticks_diff(time.ticks_us(), u0)
print("sleep_ms(250): %d ms, %d us" % (ms, us))
assert 250 <= ms <= 300, "sleep_ms(250) took %d ms" % ms
assert abs(us / 1000 - ms) <= 2, "ticks_us and ticks_ms disagree"
