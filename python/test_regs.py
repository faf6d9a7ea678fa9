# Host tests of regs (CPython): python3 -m unittest test_regs, run by
# mpforge's `go test ./frozen/`. A dictionary stands in for machine.mem32 and
# returns words as signed numbers, the way mem32 does on a 32-bit port.
import unittest

import regs


class Mem(dict):
    def __getitem__(self, addr):
        word = dict.__getitem__(self, addr)
        return word - (1 << 32) if word >= 1 << 31 else word

    def __setitem__(self, addr, word):
        if addr & 3:
            raise ValueError("address not aligned")
        dict.__setitem__(self, addr, word & 0xFFFFFFFF)


CPUID_FIELDS = {"implementer": (31, 24), "variant": (23, 20), "architecture": (19, 16), "partno": (15, 4), "revision": (3, 0)}


class RegsTest(unittest.TestCase):
    def setUp(self):
        regs.mem = Mem({0x100: 0, 0xE000ED00: 0x410FD213})

    def tearDown(self):
        regs.mem = None

    def test_read_is_unsigned(self):
        regs.write(0x100, 0x80000000)
        self.assertEqual(regs.read(0x100), 0x80000000)

    def test_read_modify_write(self):
        regs.write(0x100, 0x12345678)
        self.assertEqual(regs.modify(0x100, clear=0xFF, set=0x80000001), 0x92345601)
        self.assertEqual(regs.set_field(0x100, 15, 8, 0xAB), 0x9234AB01)
        self.assertEqual(regs.get_field(0x100, 15, 8), 0xAB)
        self.assertEqual(regs.clear_bits(0x100, 0x80000000), 0x1234AB01)
        self.assertEqual(regs.set_bits(0x100, 0x2), 0x1234AB03)
        self.assertEqual(regs.get_field(0x100, 1), 1)

    def test_field_helpers(self):
        self.assertEqual(regs.mask(7, 4), 0xF0)
        self.assertEqual(regs.mask(31), 0x80000000)
        self.assertEqual(regs.field(0x410FD213, 15, 4), 0xD21)
        self.assertEqual(regs.with_field(0xFFFFFFFF, 7, 4, 0), 0xFFFFFF0F)
        self.assertEqual(regs.bits(0xA5, 8), "1010_0101")
        self.assertEqual(regs.bits(0x1, 6), "00_0001")

    def test_bad_input(self):
        with self.assertRaisesRegex(ValueError, "does not fit field"):
            regs.with_field(0, 3, 0, 16)
        with self.assertRaisesRegex(ValueError, "msb >= lsb"):
            regs.mask(3, 4)
        with self.assertRaisesRegex(ValueError, "msb >= lsb"):
            regs.mask(32, 0)
        with self.assertRaisesRegex(ValueError, "not a 32-bit word"):
            regs.write(0x100, 1 << 32)
        with self.assertRaisesRegex(ValueError, "not 4-byte aligned"):
            regs.Register("X", 0x102)
        with self.assertRaisesRegex(ValueError, "msb >= lsb"):
            regs.Register("X", 0x100, {"f": (0, 1)})

    def test_no_mem(self):
        regs.mem = None
        with self.assertRaisesRegex(RuntimeError, "machine.mem32"):
            regs.read(0x100)

    def test_register(self):
        cpuid = regs.Register("CPUID", 0xE000ED00, CPUID_FIELDS)
        self.assertEqual(cpuid.get("partno"), 0xD21)
        self.assertEqual(
            str(cpuid),
            "CPUID @ 0xE000ED00 = 0x410FD213\n"
            "  implementer  [31:24] = 0x41 (65)\n"
            "  variant      [23:20] = 0x0 (0)\n"
            "  architecture [19:16] = 0xF (15)\n"
            "  partno        [15:4] = 0xD21 (3361)\n"
            "  revision       [3:0] = 0x3 (3)",
        )
        with self.assertRaisesRegex(KeyError, "has no field 'part'; it has architecture, implementer"):
            cpuid.get("part")
        ram = regs.Register("RAM", 0x100, {"lo": (7, 0), "top": 31})
        self.assertEqual(ram.set(lo=0x5A, top=1), 0x8000005A)
        self.assertEqual((ram.get("lo"), ram.get("top")), (0x5A, 1))
        with self.assertRaises(ValueError):
            ram.set(lo=0x100)
        self.assertEqual(ram.read(), 0x8000005A, "a failed set writes nothing")


if __name__ == "__main__":
    unittest.main()
