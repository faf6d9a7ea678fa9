# regs: 32-bit register access for hardware validation scripts, on top of
# machine.mem32. Frozen into the firmware by mpforge ([frozen] modules).
#
#   import regs
#   regs.read(0xE000ED00)                    # -> 0x410FD210 (always unsigned)
#   regs.modify(addr, clear=0x3 << 4, set=0x1 << 4)
#   regs.set_field(addr, 7, 4, 0x5)          # bits 7..4 := 5, others kept
#   CPUID = regs.Register("CPUID", 0xE000ED00, {
#       "implementer": (31, 24), "variant": (23, 20),
#       "architecture": (19, 16), "partno": (15, 4), "revision": (3, 0)})
#   CPUID.get("partno")                      # -> 0xD21 on a Cortex-M33
#   CPUID.show()                             # value and every field
#
# Addresses must be 4-byte aligned (machine.mem32 checks). Fields are given
# as (msb, lsb) bit positions, inclusive, or a single bit number.

try:
    from machine import mem32 as mem
except ImportError:
    # Off the board (host tests): assign a mapping of address -> word.
    mem = None

WORD = 0xFFFFFFFF


def _mem():
    if mem is None:
        raise RuntimeError("regs: no machine.mem32 here; set regs.mem to a mapping of address -> word")
    return mem


def _span(f):
    # A field as (msb, lsb), checked.
    if isinstance(f, int):
        f = (f, f)
    msb, lsb = f
    if not 0 <= lsb <= msb <= 31:
        raise ValueError("field [{}:{}]: want 31 >= msb >= lsb >= 0".format(msb, lsb))
    return msb, lsb


def mask(msb, lsb=None):
    """The mask of bits msb..lsb (one bit when lsb is left out)."""
    msb, lsb = _span((msb, msb if lsb is None else lsb))
    return ((1 << (msb - lsb + 1)) - 1) << lsb


def field(value, msb, lsb=None):
    """Bits msb..lsb of value, shifted down."""
    if lsb is None:
        lsb = msb
    return (value & mask(msb, lsb)) >> lsb


def with_field(value, msb, lsb, v):
    """value with bits msb..lsb replaced by v, which must fit."""
    msb, lsb = _span((msb, lsb))
    width = msb - lsb + 1
    if not 0 <= v < (1 << width):
        raise ValueError("0x{:X} does not fit field [{}:{}] ({} bits)".format(v, msb, lsb, width))
    return (value & ~mask(msb, lsb) & WORD) | (v << lsb)


def read(addr):
    """The 32-bit word at addr, as an unsigned number."""
    return _mem()[addr] & WORD


def write(addr, value):
    """Store a 32-bit word at addr."""
    if not 0 <= value <= WORD:
        raise ValueError("0x{:X} is not a 32-bit word".format(value))
    _mem()[addr] = value


def modify(addr, clear=0, set=0):
    """Read-modify-write: clear the bits of clear, then set those of set.
    Returns the value written."""
    value = (read(addr) & ~clear & WORD) | (set & WORD)
    write(addr, value)
    return value


def set_bits(addr, bits):
    return modify(addr, set=bits)


def clear_bits(addr, bits):
    return modify(addr, clear=bits)


def get_field(addr, msb, lsb=None):
    return field(read(addr), msb, lsb)


def set_field(addr, msb, lsb, v):
    """Read-modify-write of one field. Returns the value written."""
    value = with_field(read(addr), msb, lsb, v)
    write(addr, value)
    return value


def wait_for(addr, bits, value=None, timeout_ms=1000):
    """Poll addr until (word & bits) == value (default: all of bits set).
    Returns the word; raises OSError on timeout."""
    import time

    if value is None:
        value = bits
    start = time.ticks_ms()
    while True:
        word = read(addr)
        if word & bits == value:
            return word
        if time.ticks_diff(time.ticks_ms(), start) >= timeout_ms:
            raise OSError("regs.wait_for: 0x{:08X} & 0x{:X} is 0x{:X}, want 0x{:X}, after {} ms".format(
                addr, bits, word & bits, value, timeout_ms))


def bits(value, width=32):
    """value in binary, grouped by 4 bits from the right: '0100_0001'."""
    s = bin(value & ((1 << width) - 1))[2:]
    s = "0" * (width - len(s)) + s
    groups = []
    while s:
        groups.insert(0, s[-4:])
        s = s[:-4]
    return "_".join(groups)


def describe(value, fields):
    """The lines that show value split into fields, highest bits first.
    fields maps a name to (msb, lsb) or a bit number."""
    spans = sorted(((_span(f), name) for name, f in fields.items()), reverse=True)
    width = max([len(name) for _, name in spans] + [1])
    lines = []
    for (msb, lsb), name in spans:
        v = field(value, msb, lsb)
        pos = "[{}]".format(msb) if msb == lsb else "[{}:{}]".format(msb, lsb)
        lines.append("{} {:>7} = 0x{:X} ({})".format(name + " " * (width - len(name)), pos, v, v))
    return lines


class Register:
    """A named register with named fields."""

    def __init__(self, name, addr, fields=None):
        if addr & 3:
            raise ValueError("register {} at 0x{:X}: address not 4-byte aligned".format(name, addr))
        self.name = name
        self.addr = addr
        self.fields = {}
        for k, f in (fields or {}).items():
            self.fields[k] = _span(f)

    def _field(self, name):
        try:
            return self.fields[name]
        except KeyError:
            raise KeyError("register {} has no field {!r}; it has {}".format(
                self.name, name, ", ".join(sorted(self.fields)))) from None

    def read(self):
        return read(self.addr)

    def write(self, value):
        write(self.addr, value)

    def modify(self, clear=0, set=0):
        return modify(self.addr, clear, set)

    def get(self, name):
        """One field's value."""
        msb, lsb = self._field(name)
        return field(self.read(), msb, lsb)

    def set(self, **values):
        """Set fields by name in one read-modify-write; returns the value written."""
        value = self.read()
        for name, v in values.items():
            msb, lsb = self._field(name)
            value = with_field(value, msb, lsb, v)
        self.write(value)
        return value

    def __str__(self):
        value = self.read()
        lines = ["{} @ 0x{:08X} = 0x{:08X}".format(self.name, self.addr, value)]
        lines.extend("  " + line for line in describe(value, self.fields))
        return "\n".join(lines)

    def show(self):
        print(self)
