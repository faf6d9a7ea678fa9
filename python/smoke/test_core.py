# The interpreter itself: integers past 32 bits, floats, exceptions, the heap.
import gc

assert 2**100 // 2**70 == 2**30, "big integers are broken"
assert abs(1.5 * 4.0 - 6.0) < 1e-6, "floats are broken"
try:
    [][1]
except IndexError:
    pass
else:
    raise AssertionError("an exception was not raised")
gc.collect()
free = gc.mem_free()
print("heap free:", free)
assert free > 16 * 1024, "less than 16 KiB of heap free"
big = bytearray(8 * 1024)
for i in range(len(big)):
    big[i] = i & 0xFF
assert all(big[i] == i & 0xFF for i in range(0, len(big), 97)), "RAM did not hold a pattern"
