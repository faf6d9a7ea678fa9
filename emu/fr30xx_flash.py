"""Model of the FR30xx flash path: QSPI controller, flash cache, clock gates, NOR flash.

What it models, and where each behaviour comes from ("HAL" = Freqchip's public
hal_freqchip, fr30xx_c/components; "FLM" = its tools/keil/FR30xx.FLM, read in
disassembly). Nothing here is taken from mpforge's own loader.

- QSPI controller at 0xE00C0000 (HAL Inc/driver_qspi.h struct qspi_regs_t):
  config (0x00, bit 31 = idle, __QSPI_IS_BUSY), read/write instruction registers
  (0x04/0x08: opcodes the direct window uses; write_conf bit 8 disable_WEL: when 0
  the controller sends a write enable before a window write), the STIG command
  interface (cmd_ctrl 0x90: opcode, read/write/address enables and byte counts,
  execute bit 0, progress bit 1; cmd_address 0x94; read data 0xA0/0xA4; write data
  0xA8/0xAC; qspi_stig_cmd in driver_qspi.c), and the direct-access window at
  0x08000000 (FLASH_DAC_BASE). Window writes: flash_write (driver_flash.c) copies
  <= 256 bytes into the window and then polls status; the FLM's ProgramPage does the
  same with word stores. The controller keeps chip select low over a run of
  consecutive writes and sends them as one write enable + page program (0x02),
  ended by the next controller access (a register, a window read) or a write that
  does not follow on. Registers of a clock-gated controller read 0 and ignore writes.
- Flash cache at 0xE00B0000 (HAL system_fr30xx.c system_cache_enable/_disable):
  control (+0) bit 0 enable, bit 1 invalidate (self-clearing), bit 2 prepare;
  status (+4) bits 1:0 state (0 off, 2 on), bit 4 ready (set while bit 2 is).
  When on, window reads are served from 32-byte lines filled on a miss; programs
  and erases do not update them (why the HAL invalidates after writing).
- SYSTEM clock enables at 0xE0050000 + 0x20..0x44 (system_fr30xx.h): QSPI0 needs
  ClockEnable0 bit 14 (QSPI0_P_CLKEN) and ClockEnable6 bits 7, 8 (QSPI0_CLKEN,
  QSPI0_H_CLKEN); the cache needs ClockEnable1 bit 0 (PFC_CLKEN).
- NOR flash: commands the HAL sends (driver_flash.h, driver_flash.c): 0x06 write
  enable, 0x04 write disable, 0x50 volatile write enable, 0x05/0x35 read status 1/2,
  0x01 write status (1 or 2 bytes), 0x31 write status 2, 0x20 4K erase, 0x52/0xD8
  32K/64K erase, 0x60/0xC7 chip erase, 0x02 page program, 0x03 read, 0x9F JEDEC ID,
  0xAB release from / 0xB9 deep power-down. Status 1: WIP 0, WEL 1, BP0..BP4 2..6,
  SRP0 7; status 2: CMP bit 6 (flash_preinit's cmp = 0x06). Erase, program and
  status writes need WEL (a volatile status write needs 0x50 instead) and clear it
  when done; a part ignores them without it, ignores everything but status reads
  while busy, and ignores erase/program of protected sectors (BP/CMP decoded the way
  GD25Q/P25Q datasheets tabulate it, scaled to the part size). Program ANDs bits and
  wraps inside the 256-byte page. Busy lasts a configurable number of status polls.
  Parts the HAL writes status 2 of with one 0x01 command (flash_preinit's second
  group) do not take 0x31.

jedec_id is given as the HAL's flash_read_id returns it: the first byte the part
sends (the manufacturer) in bits 7:0, e.g. 0x00166085 for a PUYA P25Q32 (85 60 16).

Faults (constructor arguments): busy_forever (WIP never clears), jedec_id (a wrong
ID), stuck (flash offsets whose byte will not program), protect_stuck (status
writes leave BP/CMP as they are).

API for other emulators (the probe helper): claims() lists the address ranges this
model answers; read(addr, size) / write(addr, size, value) are bus accesses of 1, 2
or 4 bytes; trace is the list of flash commands (dicts), content() the flash bytes.
"""

WINDOW_BASE = 0x08000000
WINDOW_SIZE = 0x01000000
CACHE_BASE = 0xE00B0000
QSPI_BASE = 0xE00C0000
SYSTEM_BASE = 0xE0050000
REGION = 0x1000
PAGE = 0x100
SECTOR = 0x1000
CACHE_LINE = 32

# flash_preinit's groups (driver_flash.c FLASH_ID_*)
SR2_SEPARATE_IDS = {0x00166085, 0x00156085, 0x00165020, 0x00145020, 0x001560C4, 0x001460C4}
SR2_TOGETHER_IDS = {0x001465C8, 0x00146085, 0x00136085, 0x001560C8}

WRITE_CMDS = {0x01, 0x31, 0x20, 0x52, 0xD8, 0x60, 0xC7, 0x02}
STATUS_READS = {0x05, 0x35}


class NorFlash:
    """A serial NOR flash: storage, status registers, the command set above."""

    def __init__(self, size=WINDOW_SIZE, jedec_id=0x00166085, sr1=0x00, sr2=0x00,
                 busy_polls=2, erase_busy_polls=None, busy_forever=False,
                 stuck=(), protect_stuck=False, content=None, sr2_cmd=None):
        self.size = size
        self.data = bytearray(b"\xff" * size)
        if content:
            for off, blob in content:
                self.data[off:off + len(blob)] = blob
        self.jedec_id = jedec_id
        self.nv_sr1, self.nv_sr2 = sr1 & 0xFC, sr2
        self.sr1, self.sr2 = self.nv_sr1, self.nv_sr2
        self.wel = False
        self.vwel = False
        self.busy = 0
        self.busy_polls = busy_polls
        self.erase_busy_polls = busy_polls if erase_busy_polls is None else erase_busy_polls
        self.busy_forever = busy_forever
        self.stuck = set(stuck)
        self.protect_stuck = protect_stuck
        self.powered_down = False
        if sr2_cmd is None:
            sr2_cmd = jedec_id not in SR2_TOGETHER_IDS
        self.sr2_cmd = sr2_cmd
        self.trace = []

    # -- protection ---------------------------------------------------------
    def protected(self, off, length):
        """True if any byte of [off, off+length) lies in the protected area."""
        lo, hi = self._protected_range()
        if lo >= hi:
            return False
        return off < hi and off + length > lo

    def _protected_range(self):
        bp = (self.sr1 >> 2) & 0x7
        tb = (self.sr1 >> 5) & 1
        sec = (self.sr1 >> 6) & 1
        cmp_ = (self.sr2 >> 6) & 1
        size = self.size
        if bp == 0:
            lo, hi = 0, 0
        elif bp == 7:
            lo, hi = 0, size
        else:
            if sec:
                part = min(SECTOR << (bp - 1), 8 * SECTOR)
            else:
                part = size >> (7 - bp)
            lo, hi = (0, part) if tb else (size - part, size)
        if cmp_:
            # the complement of a range at one end is a range at the other end
            if lo >= hi:
                return 0, size
            if hi - lo == size:
                return 0, 0
            return (hi, size) if lo == 0 else (0, lo)
        return lo, hi

    # -- status ---------------------------------------------------------------
    def status1(self):
        return (self.sr1 & 0xFC) | (0x01 if self.busy else 0) | (0x02 if self.wel else 0)

    def _start_busy(self, polls):
        self.busy = -1 if self.busy_forever else polls

    def _poll(self):
        if self.busy > 0:
            self.busy -= 1

    def command(self, opcode, addr=None, data=b"", nread=0, source="stig"):
        """One SPI transaction; returns the bytes read (nread of them)."""
        entry = {"op": opcode, "addr": addr, "len": len(data) if data else nread,
                 "busy": self.busy != 0, "wel": self.wel, "vwel": self.vwel,
                 "source": source}
        if opcode not in STATUS_READS or not self.trace or self.trace[-1]["op"] != opcode:
            self.trace.append(entry)
        else:
            self.trace[-1]["repeat"] = self.trace[-1].get("repeat", 1) + 1
        out = self._execute(opcode, addr, data, nread, entry)
        if out is None:
            out = b""
        return bytes(out[:nread]).ljust(nread, b"\xff")

    def _execute(self, op, addr, data, nread, entry):
        if self.powered_down and op != 0xAB:
            entry["ignored"] = "deep power-down"
            return None
        if self.busy and op not in STATUS_READS:
            entry["ignored"] = "busy"
            return None
        if self.vwel and op not in (0x01, 0x31, 0x50):
            self.vwel = False  # 0x50 must come right before the status write
        if op == 0x05:
            value = self.status1()
            if self.busy:
                self._poll()
                if self.busy == 0:
                    self.wel = False
            return bytes([value]) * max(nread, 1)
        if op == 0x35:
            return bytes([self.sr2]) * max(nread, 1)
        if op == 0x06:
            self.wel = True
            return None
        if op == 0x04:
            self.wel = False
            return None
        if op == 0x50:
            self.vwel = True
            return None
        if op == 0x9F:
            i = self.jedec_id
            return bytes([i & 0xFF, (i >> 8) & 0xFF, (i >> 16) & 0xFF])
        if op == 0xAB:
            self.powered_down = False
            return bytes([(((self.jedec_id >> 16) & 0xFF) - 1) & 0xFF])  # device ID
        if op == 0xB9:
            self.powered_down = True
            return None
        if op in (0x03, 0x0B):
            off = addr % self.size
            return bytes(self.data[(off + i) % self.size] for i in range(nread)) \
                if off + nread > self.size else bytes(self.data[off:off + nread])
        if op in (0x01, 0x31):
            return self._write_status(op, data, entry)
        if op in (0x20, 0x52, 0xD8, 0x60, 0xC7, 0x02):
            if not self.wel:
                entry["ignored"] = "no write enable"
                return None
            if op == 0x02:
                self._program(addr % self.size, data, entry)
            else:
                self._erase(op, addr, entry)
            return None
        entry["ignored"] = "unknown opcode"
        return None

    def _write_status(self, op, data, entry):
        if op == 0x31 and not self.sr2_cmd:
            entry["ignored"] = "unknown opcode"
            self.vwel = False
            return None
        volatile = self.vwel
        if not volatile and not self.wel:
            entry["ignored"] = "no write enable"
            return None
        entry["volatile"] = volatile
        if op == 0x01:
            new1 = data[0] if len(data) >= 1 else self.sr1
            new2 = data[1] if len(data) >= 2 else self.sr2
        else:
            new1, new2 = self.sr1, (data[0] if data else self.sr2)
        if self.protect_stuck:
            new1 = (new1 & ~0x7C) | (self.sr1 & 0x7C)
            new2 = (new2 & ~0x40) | (self.sr2 & 0x40)
        self.sr1, self.sr2 = new1 & 0xFC, new2 & 0xFF
        if volatile:
            self.vwel = False
        else:
            self.nv_sr1, self.nv_sr2 = self.sr1, self.sr2
            self._start_busy(self.busy_polls)
            if not self.busy:
                self.wel = False
        return None

    def _erase(self, op, addr, entry):
        if op in (0x60, 0xC7):
            off, length = 0, self.size
        else:
            length = {0x20: SECTOR, 0x52: 0x8000, 0xD8: 0x10000}[op]
            off = (addr % self.size) & ~(length - 1)
        if self.protected(off, length):
            entry["ignored"] = "protected"
            return
        self.data[off:off + length] = b"\xff" * length
        self._start_busy(self.erase_busy_polls)
        if not self.busy:
            self.wel = False

    def _program(self, off, data, entry):
        page = off & ~(PAGE - 1)
        if (off & (PAGE - 1)) + len(data) > PAGE:
            entry["crosses_page"] = True
        if self.protected(page, PAGE):
            entry["ignored"] = "protected"
            return
        for i, b in enumerate(data):
            a = page + ((off + i) & (PAGE - 1))
            if a in self.stuck:
                continue
            self.data[a] &= b
        self._start_busy(self.busy_polls)
        if not self.busy:
            self.wel = False


class FR30xxFlash:
    """The bus side: QSPI0 registers, its window, the flash cache, SYSTEM clock gates."""

    def __init__(self, flash=None, clocks_on=True, cache_on=True, **flash_args):
        self.flash = flash if flash is not None else NorFlash(**flash_args)
        self.trace = self.flash.trace
        gate = 0xFFFFFFFF if clocks_on else 0
        self.system = {0x20 + 4 * i: gate for i in range(10)}
        self._update_clocks()
        # After the boot ROM the controller is enabled with direct access on and the
        # part is read with 0x03 (FLM flash_init_controller, single wire).
        self.regs = {0x00: 0x80000000 | 0x81 | (1 << 23), 0x04: 0x03, 0x08: 0x02}
        self.cache_ctrl = 0x3D if cache_on else 0x38
        self.cache_lines = {}
        self.pending = None  # open window write: [flash offset, bytearray]
        self.gated_accesses = 0
        self.read_run = None  # coalesced window read trace entry

    # -- address map ----------------------------------------------------------
    def claims(self):
        """(base, size, name) of every range this model answers."""
        return [(base, size, name) for base, size, name, _, _ in self.regions()]

    def regions(self):
        """(base, size, name, read(offset, size), write(offset, size, value)) per
        claimed range, for emulators that map each range with its own callbacks."""
        return [(WINDOW_BASE, WINDOW_SIZE, "qspi0-window", self._window_read, self._window_write),
                (CACHE_BASE, REGION, "flash-cache", lambda off, size: self._cache_read(off),
                 lambda off, size, value: self._cache_write(off, value)),
                (QSPI_BASE, REGION, "qspi0", lambda off, size: self._qspi_read(off),
                 lambda off, size, value: self._qspi_write(off, value)),
                (SYSTEM_BASE, REGION, "system", lambda off, size: self.system.get(off & ~3, 0),
                 self._system_write)]

    def read(self, addr, size):
        if WINDOW_BASE <= addr < WINDOW_BASE + WINDOW_SIZE:
            return self._window_read(addr - WINDOW_BASE, size)
        if QSPI_BASE <= addr < QSPI_BASE + REGION:
            return self._qspi_read(addr - QSPI_BASE)
        if CACHE_BASE <= addr < CACHE_BASE + REGION:
            return self._cache_read(addr - CACHE_BASE)
        if SYSTEM_BASE <= addr < SYSTEM_BASE + REGION:
            return self.system.get((addr - SYSTEM_BASE) & ~3, 0)
        raise ValueError("fr30xx_flash: read of unclaimed address 0x%08x" % addr)

    def write(self, addr, size, value):
        if WINDOW_BASE <= addr < WINDOW_BASE + WINDOW_SIZE:
            return self._window_write(addr - WINDOW_BASE, size, value)
        if QSPI_BASE <= addr < QSPI_BASE + REGION:
            return self._qspi_write(addr - QSPI_BASE, value)
        if CACHE_BASE <= addr < CACHE_BASE + REGION:
            return self._cache_write(addr - CACHE_BASE, value)
        if SYSTEM_BASE <= addr < SYSTEM_BASE + REGION:
            return self._system_write(addr - SYSTEM_BASE, size, value)
        raise ValueError("fr30xx_flash: write of unclaimed address 0x%08x" % addr)

    def content(self):
        self._end_write()
        return self.flash.data

    # -- clocks -----------------------------------------------------------------
    def _system_write(self, off, size, value):
        self.system[off & ~3] = value & 0xFFFFFFFF
        self._update_clocks()

    def _update_clocks(self):
        s = self.system
        self._qspi_clk = bool((s[0x20] >> 14) & 1 and (s[0x38] >> 7) & 3 == 3)
        self._cache_clk = bool(s[0x24] & 1)

    def qspi_clocked(self):
        return self._qspi_clk

    def cache_clocked(self):
        return self._cache_clk

    # -- QSPI registers -----------------------------------------------------------
    def _qspi_read(self, off):
        if self.pending is not None:
            self._end_write()
        if not self._qspi_clk:
            self.gated_accesses += 1
            return 0
        value = self.regs.get(off & ~3, 0)
        if off == 0x00:
            value |= 0x80000000  # idle: commands complete at once
        return value

    def _qspi_write(self, off, value):
        if self.pending is not None:
            self._end_write()
        if not self._qspi_clk:
            self.gated_accesses += 1
            return
        off &= ~3
        value &= 0xFFFFFFFF
        if off == 0x90:
            self.regs[0x90] = value & ~0x3
            if value & 1:
                self._stig(value)
            return
        self.regs[off] = value

    def _stig(self, cmd):
        opcode = cmd >> 24
        nread = ((cmd >> 20) & 7) + 1 if cmd & (1 << 23) else 0
        addr = None
        if cmd & (1 << 19):
            nbytes = ((cmd >> 16) & 3) + 1
            addr = self.regs.get(0x94, 0) & ((1 << (8 * nbytes)) - 1)
        data = b""
        if cmd & (1 << 15):
            n = ((cmd >> 12) & 7) + 1
            raw = self.regs.get(0xA8, 0).to_bytes(4, "little") + self.regs.get(0xAC, 0).to_bytes(4, "little")
            data = raw[:n]
        self.read_run = None
        out = self.flash.command(opcode, addr, data, nread, "stig")
        out = out.ljust(8, b"\x00")
        self.regs[0xA0] = int.from_bytes(out[:4], "little")
        self.regs[0xA4] = int.from_bytes(out[4:8], "little")

    # -- direct-access window --------------------------------------------------
    def _window_enabled(self):
        c = self.regs.get(0x00, 0)
        return self.qspi_clocked() and c & 1 and c & 0x80

    def _window_read(self, off, size):
        self._end_write()
        if not self._window_enabled():
            self.gated_accesses += 1
            return 0
        if self._cache_on():
            line = off & ~(CACHE_LINE - 1)
            blob = self.cache_lines.get(line)
            if blob is None:
                blob = self._fetch(line, CACHE_LINE)
                self.cache_lines[line] = blob
            i = off - line
            return int.from_bytes(blob[i:i + size], "little")
        return int.from_bytes(self._fetch(off, size), "little")

    def _fetch(self, off, n):
        opcode = self.regs.get(0x04, 0x03) & 0xFF
        run = self.read_run
        if run is not None and run["addr"] + run["len"] == off and self.trace and self.trace[-1] is run \
                and run["busy"] == (self.flash.busy != 0):
            # a sequential read continues the previous one: one trace entry
            run["len"] += n
            return bytes(self.flash._execute(opcode, off, b"", n, run) or b"").ljust(n, b"\xff")
        out = self.flash.command(opcode, off, b"", n, "window")
        self.read_run = self.trace[-1]
        return out

    def _window_write(self, off, size, value):
        if not self._window_enabled():
            self.gated_accesses += 1
            return
        blob = (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
        p = self.pending
        if p is not None and p[0] + len(p[1]) == off:
            p[1].extend(blob)
            return
        self._end_write()
        self.pending = [off, bytearray(blob)]

    def _end_write(self):
        p = self.pending
        if p is None:
            return
        self.pending = None
        self.read_run = None
        if not self.regs.get(0x08, 0) & (1 << 8):
            self.flash.command(0x06, None, b"", 0, "auto")
        self.flash.command(self.regs.get(0x08, 0x02) & 0xFF, p[0], bytes(p[1]), 0, "window")

    # -- flash cache --------------------------------------------------------------
    def _cache_on(self):
        return self.cache_clocked() and self.cache_ctrl & 1

    def _cache_read(self, off):
        if not self.cache_clocked():
            self.gated_accesses += 1
            return 0
        if off == 0:
            return self.cache_ctrl
        if off == 4:
            return (0x02 if self.cache_ctrl & 1 else 0) | (0x10 if self.cache_ctrl & 4 else 0)
        return 0

    def _cache_write(self, off, value):
        if not self.cache_clocked():
            self.gated_accesses += 1
            return
        if off == 0:
            if value & 2:
                self.cache_lines.clear()
            self.cache_ctrl = value & ~2
