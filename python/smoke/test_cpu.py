# The core the firmware runs on: an Arm Cortex-M that the build targets.
import machine

cpuid = machine.mem32[0xE000ED00] & 0xFFFFFFFF
implementer, part = cpuid >> 24, (cpuid >> 4) & 0xFFF
print("CPUID 0x%08x: implementer 0x%02x, part 0x%03x" % (cpuid, implementer, part))
assert implementer == 0x41, "not an Arm core"
assert part in (0xD21, 0xC23, 0xC24, 0xC27), "unexpected part number"
print("machine.freq():", machine.freq())
assert machine.freq() > 1_000_000
