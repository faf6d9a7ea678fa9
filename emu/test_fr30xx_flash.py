#!/usr/bin/python3
"""Checks of the flash model against the behaviour it claims (see fr30xx_flash.py),
so that the loader tests stand on a model that does what a part does.
Run: /usr/bin/python3 emu/test_fr30xx_flash.py (the Go test TestFlashModel does)."""
import os
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fr30xx_flash as m

QSPI = m.QSPI_BASE
WIN = m.WINDOW_BASE


def stig(chip, opcode, addr=None, data=b"", nread=0):
    """A STIG command the way driver_qspi.c qspi_stig_cmd issues it."""
    cmd = opcode << 24
    if nread:
        cmd |= 1 << 23 | (nread - 1) << 20
    if addr is not None:
        chip.write(QSPI + 0x94, 4, addr)
        cmd |= 1 << 19 | 2 << 16
    if data:
        raw = data.ljust(8, b"\0")
        chip.write(QSPI + 0xA8, 4, int.from_bytes(raw[:4], "little"))
        chip.write(QSPI + 0xAC, 4, int.from_bytes(raw[4:], "little"))
        cmd |= 1 << 15 | (len(data) - 1) << 12
    chip.write(QSPI + 0x90, 4, cmd)
    chip.write(QSPI + 0x90, 4, cmd | 1)
    return chip.read(QSPI + 0xA0, 4) & ((1 << (8 * nread)) - 1) if nread else None


def wait(chip):
    for _ in range(100):
        if not stig(chip, 0x05, nread=1) & 1:
            return
    raise AssertionError("flash stays busy")


class NorFlashTest(unittest.TestCase):
    def test_program_needs_write_enable_and_ands_bits(self):
        f = m.NorFlash(busy_polls=0)
        f.command(0x02, 0x10, b"\x0f")
        self.assertEqual(f.data[0x10], 0xFF, "program without WREN must be ignored")
        f.command(0x06)
        f.command(0x02, 0x10, b"\x3c")
        f.command(0x06)
        f.command(0x02, 0x10, b"\xf0")
        self.assertEqual(f.data[0x10], 0x30, "program only clears bits")
        self.assertFalse(f.wel, "WEL clears when the program is done")

    def test_program_wraps_inside_the_page(self):
        f = m.NorFlash(busy_polls=0)
        f.command(0x06)
        f.command(0x02, 0xFE, b"\x01\x02\x03")
        self.assertEqual(bytes(f.data[0xFE:0x100]), b"\x01\x02")
        self.assertEqual(f.data[0x00], 0x03)
        self.assertEqual(f.data[0x100], 0xFF)
        self.assertTrue(f.trace[-1]["crosses_page"])

    def test_busy_ignores_all_but_status_reads(self):
        f = m.NorFlash(busy_polls=2)
        f.command(0x06)
        f.command(0x20, 0x1000)
        self.assertEqual(f.command(0x05, nread=1)[0] & 1, 1)
        f.command(0x06)
        self.assertEqual(f.trace[-1]["ignored"], "busy")
        self.assertEqual(f.command(0x05, nread=1)[0] & 3, 3)
        self.assertEqual(f.command(0x05, nread=1)[0] & 3, 0, "busy for two polls, then WIP and WEL clear")

    def test_busy_forever(self):
        f = m.NorFlash(busy_polls=1, busy_forever=True)
        f.command(0x06)
        f.command(0x20, 0)
        for _ in range(50):
            self.assertEqual(f.command(0x05, nread=1)[0] & 1, 1)

    def test_protection(self):
        # flash_preinit's BP = 0x1F (status 1 = 0x7C) protects the whole part
        f = m.NorFlash(busy_polls=0, sr1=0x7C, size=0x400000)
        f.command(0x06)
        f.command(0x20, 0x3FF000)
        self.assertEqual(f.trace[-1]["ignored"], "protected")
        # BP = 1, TB = 0: the upper 1/64; CMP = 1 turns that into the rest
        f = m.NorFlash(busy_polls=0, sr1=0x04, size=0x400000)
        self.assertTrue(f.protected(0x3F0000, 1))
        self.assertFalse(f.protected(0x3EFFFF, 1))
        f = m.NorFlash(busy_polls=0, sr1=0x04, sr2=0x40, size=0x400000)
        self.assertFalse(f.protected(0x3F0000, 1))
        self.assertTrue(f.protected(0, 0x10000))
        # CMP = 1 with BP = 0: everything
        self.assertTrue(m.NorFlash(sr2=0x40).protected(0, 1))

    def test_volatile_status_write(self):
        f = m.NorFlash(busy_polls=3, sr1=0x7C)
        f.command(0x50)
        f.command(0x01, data=b"\x00")
        self.assertEqual(f.sr1, 0x00)
        self.assertEqual(f.nv_sr1, 0x7C, "a volatile write leaves the non-volatile bits")
        self.assertEqual(f.busy, 0, "a volatile write is not busy")
        f.command(0x50)
        f.command(0x05, nread=1)
        f.command(0x01, data=b"\x7c")
        self.assertEqual(f.trace[-1]["ignored"], "no write enable", "0x50 must come right before 0x01")

    def test_status_2_command_by_part_group(self):
        together = m.NorFlash(jedec_id=0x001465C8, sr2=0x40)  # GD25WQ80E: one 0x01
        together.command(0x50)
        together.command(0x31, data=b"\x00")
        self.assertEqual(together.sr2, 0x40)
        together.command(0x50)
        together.command(0x01, data=b"\x00\x00")
        self.assertEqual(together.sr2, 0x00)
        separate = m.NorFlash(jedec_id=0x00166085, sr2=0x40)  # P25Q32: 0x31
        separate.command(0x50)
        separate.command(0x31, data=b"\x00")
        self.assertEqual(separate.sr2, 0x00)

    def test_protect_stuck(self):
        f = m.NorFlash(sr1=0x7C, protect_stuck=True)
        f.command(0x50)
        f.command(0x01, data=b"\x00")
        self.assertEqual(f.sr1 & 0x7C, 0x7C)

    def test_stuck_byte(self):
        f = m.NorFlash(busy_polls=0, stuck=[0x21])
        f.command(0x06)
        f.command(0x02, 0x20, b"\x00\x00")
        self.assertEqual(bytes(f.data[0x20:0x22]), b"\x00\xff")


class ControllerTest(unittest.TestCase):
    def test_stig_reads_id_and_status(self):
        chip = m.FR30xxFlash(jedec_id=0x00156085, sr1=0x1C)
        self.assertEqual(stig(chip, 0x9F, nread=3), 0x156085)
        self.assertEqual(stig(chip, 0x05, nread=1), 0x1C)

    def test_window_writes_become_one_page_program(self):
        chip = m.FR30xxFlash(busy_polls=1)
        for i in range(0, 16, 4):
            chip.write(WIN + 0x200 + i, 4, 0x11223344)
        wait(chip)  # the controller access ends the run
        ops = [(e["op"], e["source"]) for e in chip.trace]
        self.assertEqual(ops[:2], [(0x06, "auto"), (0x02, "window")])
        self.assertEqual(chip.trace[1]["len"], 16)
        self.assertEqual(bytes(chip.content()[0x200:0x204]), b"\x44\x33\x22\x11")

    def test_no_automatic_write_enable_when_disabled(self):
        chip = m.FR30xxFlash(busy_polls=0)
        chip.write(QSPI + 0x08, 4, 0x102)  # disable_WEL
        chip.write(WIN, 1, 0x00)
        chip.read(QSPI, 4)
        self.assertEqual(chip.trace[-1]["ignored"], "no write enable")
        self.assertEqual(chip.content()[0], 0xFF)

    def test_cache_serves_stale_lines_until_invalidated(self):
        chip = m.FR30xxFlash(busy_polls=0)
        self.assertEqual(chip.read(WIN, 4), 0xFFFFFFFF)  # fills a line
        stig(chip, 0x06)
        chip.write(WIN, 4, 0)
        chip.read(QSPI, 4)
        self.assertEqual(chip.read(WIN, 4), 0xFFFFFFFF, "cached")
        chip.write(m.CACHE_BASE, 4, 0x3C)
        chip.write(m.CACHE_BASE, 4, 0x38)
        self.assertEqual(chip.read(WIN, 4), 0, "cache off reads the flash")
        chip.write(m.CACHE_BASE, 4, 0x3C)
        chip.write(m.CACHE_BASE, 4, 0x3D)
        self.assertEqual(chip.read(WIN, 4), 0xFFFFFFFF, "enabled without invalidating: the old line")
        chip.write(m.CACHE_BASE, 4, 0x3E)
        chip.write(m.CACHE_BASE, 4, 0x3D)
        self.assertEqual(chip.read(m.CACHE_BASE + 4, 4) & 3, 2)
        self.assertEqual(chip.read(WIN, 4), 0)

    def test_gated_clocks(self):
        chip = m.FR30xxFlash(clocks_on=False)
        self.assertEqual(chip.read(QSPI, 4), 0, "an unclocked controller reads 0 (busy)")
        chip.write(m.SYSTEM_BASE + 0x20, 4, 1 << 14)
        chip.write(m.SYSTEM_BASE + 0x38, 4, 3 << 7)
        self.assertNotEqual(chip.read(QSPI, 4) & 0x80000000, 0)

    def test_claims(self):
        names = {n for _, _, n in m.FR30xxFlash().claims()}
        self.assertEqual(names, {"qspi0-window", "flash-cache", "qspi0", "system"})


if __name__ == "__main__":
    unittest.main()
