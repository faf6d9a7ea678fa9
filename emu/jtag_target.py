#!/usr/bin/python3
"""An emulated JTAG probe and FR30xx target that real OpenOCD connects to.

OpenOCD's `adapter driver remote_bitbang` talks to this server over TCP
(127.0.0.1). Behind the bit-banged JTAG wires sits a model of what a
Cortex-M33 presents to a debugger: an IEEE 1149.1 TAP with the Arm JTAG-DP
(ADIv5), one AHB5 MEM-AP, a ROM table listing SCS, DWT and FPB, and the
debug registers of the System Control Space (halt, resume, step, core
register transfer, reset with vector catch). The core itself is unicorn's
Cortex-M33; its memory is the FR30xx map (SRAM, PRAM) plus the flash
controller model (emu/fr30xx_flash.py).

Only the probe and the silicon are modelled: OpenOCD, its cortex_m driver and
the code that runs on the core are the real ones.

Usage: jtag_target.py [--port N] [--report FILE] [--dump ADDR:LEN:FILE] ...
It prints "port N" on stdout once it listens, then serves OpenOCD sessions
one after another (flash and RAM persist between them) until killed, or
until the first session ends with --once. The report (JSON: flash model
trace, dumps' SHA-256, fault log) is written after every session.

Not modelled: exceptions and the NVIC (a fault the core takes halts it as
vector catch would, with IPSR = HardFault), MSPLIM/PSPLIM checks, DWT
watchpoints, WAIT responses, the Security Extension (DAUTHSTATUS says none,
so OpenOCD shows no secure registers), packed MEM-AP transfers (CSW reads
back single increment, which ADIv5 allows). The core runs between two reads
of the link, in slices, so DHCSR polls are answered while code runs.

Facts: remote_bitbang protocol from OpenOCD's manual and remote_bitbang.c
(chars '0'-'7' = TCK, TMS, TDI; 'R' reads TDO; 'r'-'u' = TRST, SRST;
'B'/'b' LED; 'Q' quit; JTAG only in 0.12).
JTAG-DP and MEM-AP from Arm IHI 0031 (ADIv5); debug registers from the
Armv8-M Architecture Reference Manual (DDI 0553); ID values from the
Cortex-M33 TRM (r0p4).
"""

import argparse
import hashlib
import json
import os
import re
import select
import signal
import socket
import struct
import sys
import time

from unicorn import Uc, UcError, UC_ARCH_ARM, UC_MODE_THUMB, UC_MODE_MCLASS, UC_HOOK_INTR, UC_HOOK_CODE
from unicorn import arm_const as A

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fr30xx_flash  # noqa: E402  (emu/fr30xx_flash.py: QSPI controller, cache, NOR flash)

# ---------------------------------------------------------------- identities

JTAG_IDCODE = 0x6BA00477   # Arm JTAG-DP (ADIv5), as on CoreSight SoC-400 based M33 parts
DPIDR = 0x6BA02477         # DPv2 (bits 15:12), designer Arm (0x23B)
AP_IDR = 0x14770015        # AHB5-AP: designer Arm, class MEM-AP, type 5 (Armv8-M)
AP_CFG = 0x00000000        # 32-bit addresses, little endian
ROM_TABLE = 0xE00FF000
CPUID = 0x410FD214         # Cortex-M33 r0p4

# Component ID (CIDR0-3) and peripheral ID (PIDR0-7) of the PPB components:
# class 0x1 = ROM table, 0x9 = CoreSight component; part 0xD21 = Cortex-M33.
def _ids(part, cls, devarch=None, devtype=0):
    pidr = [part & 0xFF, 0xB0 | (part >> 8), 0x0B, 0x00, 0x04, 0, 0, 0]
    cidr = [0x0D, (cls << 4), 0x05, 0xB1]
    regs = {}
    for i, v in enumerate([pidr[4], pidr[5], pidr[6], pidr[7], pidr[0], pidr[1], pidr[2], pidr[3]]):
        regs[0xFD0 + 4 * i] = v
    for i, v in enumerate(cidr):
        regs[0xFF0 + 4 * i] = v
    if devarch is not None:
        regs[0xFBC] = devarch
        regs[0xFCC] = devtype
    return regs

ROM_IDS = _ids(0x4C9, 0x1)
ROM_IDS[0xFCC] = 0x1                          # MEMTYPE: system memory present
SCS_IDS = _ids(0xD21, 0x9, 0x47702A04)        # ARCHID 0xA04: Armv8-M SCS
DWT_IDS = _ids(0xD21, 0x9, 0x47701A02)        # ARCHID 0xA02: DWT v2
FPB_IDS = _ids(0xD21, 0x9, 0x47701A03)        # ARCHID 0xA03: FPB v2

# ---------------------------------------------------------------- JTAG TAP

(TLR, RTI, SEL_DR, CAP_DR, SHIFT_DR, EXIT1_DR, PAUSE_DR, EXIT2_DR, UPD_DR,
 SEL_IR, CAP_IR, SHIFT_IR, EXIT1_IR, PAUSE_IR, EXIT2_IR, UPD_IR) = range(16)

# NEXT[state * 2 + tms]: IEEE 1149.1 figure 6-1.
NEXT = [
    RTI, TLR,            # TLR
    RTI, SEL_DR,         # RTI
    CAP_DR, SEL_IR,      # SEL_DR
    SHIFT_DR, EXIT1_DR,  # CAP_DR
    SHIFT_DR, EXIT1_DR,  # SHIFT_DR
    PAUSE_DR, UPD_DR,    # EXIT1_DR
    PAUSE_DR, EXIT2_DR,  # PAUSE_DR
    SHIFT_DR, UPD_DR,    # EXIT2_DR
    RTI, SEL_DR,         # UPD_DR
    CAP_IR, TLR,         # SEL_IR
    SHIFT_IR, EXIT1_IR,  # CAP_IR
    SHIFT_IR, EXIT1_IR,  # SHIFT_IR
    PAUSE_IR, UPD_IR,    # EXIT1_IR
    PAUSE_IR, EXIT2_IR,  # PAUSE_IR
    SHIFT_IR, UPD_IR,    # EXIT2_IR
    RTI, SEL_DR,         # UPD_IR
]

# Every other instruction (BYPASS = 0xF among them) selects the 1-bit bypass register.
IR_ABORT, IR_DPACC, IR_APACC, IR_IDCODE = 0x8, 0xA, 0xB, 0xE
ACK_OK = 0b010           # JTAG-DP OK/FAULT; transfers complete at once, so never WAIT (0b001)

# CTRL/STAT bits
CSYSPWRUPACK, CSYSPWRUPREQ = 1 << 31, 1 << 30
CDBGPWRUPACK, CDBGPWRUPREQ = 1 << 29, 1 << 28
CDBGRSTACK, CDBGRSTREQ = 1 << 27, 1 << 26
STICKYERR, STICKYCMP, STICKYORUN = 1 << 5, 1 << 4, 1 << 1


class BusFault(Exception):
    pass


class Dap:
    """JTAG TAP + JTAG-DP + one MEM-AP in front of the system bus."""

    def __init__(self, bus):
        self.bus = bus
        self.ir = IR_IDCODE
        self.ctrl = 0
        self.select = 0
        self.posted = 0          # read result presented at the next DPACC/APACC capture
        self.rdbuff = 0
        self.csw = 0x03000042    # 32-bit, no increment, DeviceEn, HPROT
        self.tar = 0
        self.scans = 0

    # One JTAG data register scan of DPACC/APACC has completed (Update-DR).
    def update(self, sr):
        ir = self.ir
        if ir == IR_DPACC or ir == IR_APACC:
            self.scans += 1
            rnw = sr & 1
            a = (sr >> 1) & 3
            data = (sr >> 3) & 0xFFFFFFFF
            if ir == IR_DPACC:
                self.dp_access(rnw, a << 2, data)
            else:
                self.ap_access(rnw, a << 2, data)
        elif ir == IR_ABORT:
            if sr & (1 << 3):     # DAPABORT (data bit 0)
                pass              # transfers complete at once: nothing to abort

    def capture(self):
        ir = self.ir
        if ir == IR_DPACC or ir == IR_APACC:
            return (self.posted << 3) | ACK_OK, 35
        if ir == IR_IDCODE:
            return JTAG_IDCODE, 32
        if ir == IR_ABORT:
            return 0, 35
        return 0, 1  # BYPASS and every unused instruction

    def dp_access(self, rnw, addr, data):
        if addr == 0x4:
            if rnw:
                self.posted = self.ctrl_value()
            else:
                # JTAG-DP: sticky bits are cleared by writing 1
                keep = self.ctrl & (STICKYERR | STICKYCMP | STICKYORUN) & ~data
                self.ctrl = (data & 0x5F00FF0D) | keep
        elif addr == 0x8:
            if rnw:
                self.posted = self.select
            else:
                self.select = data
        elif addr == 0xC:
            if rnw:
                self.posted = self.rdbuff
        elif addr == 0x0:
            if rnw:
                self.posted = DPIDR

    def ctrl_value(self):
        v = self.ctrl
        if v & CSYSPWRUPREQ:
            v |= CSYSPWRUPACK
        if v & CDBGPWRUPREQ:
            v |= CDBGPWRUPACK
        if v & CDBGRSTREQ:
            v |= CDBGRSTACK
        return v

    def ap_access(self, rnw, addr, data):
        apsel = self.select >> 24
        reg = (self.select & 0xF0) | addr
        if apsel != 0:
            value = 0                     # no such AP: IDR reads as zero
        elif not (self.ctrl & CDBGPWRUPREQ and self.ctrl & CSYSPWRUPREQ):
            self.ctrl |= STICKYERR       # debug domain not powered
            value = 0
        elif rnw:
            value = self.ap_read(reg)
        else:
            self.ap_write(reg, data)
            value = self.posted
        if rnw:
            self.posted = value
            self.rdbuff = value

    def ap_read(self, reg):
        if reg == 0x00:
            return self.csw | 0x40        # DeviceEn
        if reg == 0x04:
            return self.tar
        if reg == 0x0C:
            return self.drw(None)
        if 0x10 <= reg <= 0x1C:
            return self.word((self.tar & ~0xF) + (reg - 0x10), None)
        if reg == 0xF4:
            return AP_CFG
        if reg == 0xF8:
            return ROM_TABLE | 0x3        # entry present, ADIv5 format
        if reg == 0xFC:
            return AP_IDR
        return 0

    def ap_write(self, reg, data):
        if reg == 0x00:
            if (data >> 4) & 3 == 2:      # packed increment is not implemented:
                data = (data & ~0x30) | 0x10   # reads back as single (ADIv5 allows this)
            if data & 7 > 2:
                data = (data & ~7) | 2
            self.csw = data & ~0xC0
        elif reg == 0x04:
            self.tar = data
        elif reg == 0x0C:
            self.drw(data)
        elif 0x10 <= reg <= 0x1C:
            self.word((self.tar & ~0xF) + (reg - 0x10), data)

    def word(self, addr, data):
        try:
            if data is None:
                return self.bus.read(addr, 4)
            self.bus.write(addr, 4, data)
        except BusFault:
            self.ctrl |= STICKYERR
        return 0

    def drw(self, data):
        size = 1 << (self.csw & 7)
        addr = self.tar
        lane = (addr & 3) * 8
        value = 0
        try:
            if data is None:
                value = self.bus.read(addr & ~(size - 1), size) << lane
            else:
                self.bus.write(addr & ~(size - 1), size, (data >> lane) & ((1 << (8 * size)) - 1))
        except BusFault:
            self.ctrl |= STICKYERR
        if (self.csw >> 4) & 3:
            # auto-increment wraps inside a 1K block (MEM-AP, Cortex-M33)
            self.tar = (addr & ~0x3FF) | ((addr + size) & 0x3FF)
        return value & 0xFFFFFFFF


# A run of shift clocks with TMS low: falling edge ('0'/'1'), TDO read or
# not ('R'), rising edge ('4'/'5' = TDI). It stays in Shift-DR/IR, so the
# whole run can be shifted at once; most of OpenOCD's traffic is such runs.
SHIFT_RUN = re.compile(rb"(?:[01]R?[45])+")
RISING_BITS = bytes.maketrans(b"45", b"01")


def make_feeder(dap, on_reset):
    """Returns feed(data) -> bytes answering a chunk of remote_bitbang input.

    Kept as one closure with local state: OpenOCD sends one character per
    clock edge, so this loop is the emulator's hot path."""
    st = [TLR, 0, 1, 0, 0]   # state, shift register, its length, TCK, reset lines
    match = SHIFT_RUN.match

    def feed(data):
        state, sr, n, tck, lines = st
        out = bytearray()
        nxt = NEXT
        i, end = 0, len(data)
        while i < end:
            if state == SHIFT_DR or state == SHIFT_IR:
                m = match(data, i)
                if m is not None:
                    run = m.group()
                    edges = run.translate(None, b"01R")
                    k = len(edges)
                    # The register is a FIFO: out come its n bits, then what went in.
                    fifo = sr | (int(edges.translate(RISING_BITS)[::-1], 2) << n)
                    reads = run.count(b"R")
                    if reads == k:        # TDO read at every clock: the usual case
                        out += format(fifo & ((1 << k) - 1), "0%db" % k)[::-1].encode()
                    elif reads:
                        j = 0
                        for c in run:
                            if c == 82:
                                out.append(48 | ((fifo >> j) & 1))
                            elif c >= 52:
                                j += 1
                    sr = (fifo >> k) & ((1 << n) - 1)
                    tck = 1
                    i = m.end()
                    continue
            c = data[i]
            i += 1
            v = c - 48
            if 0 <= v <= 7:
                if v & 4:
                    if not tck:
                        tck = 1
                        if state == SHIFT_DR or state == SHIFT_IR:
                            sr = (sr >> 1) | ((v & 1) << (n - 1))
                        elif state == CAP_DR:
                            sr, n = dap.capture()
                        elif state == CAP_IR:
                            sr, n = 0b0001, 4    # IR capture value of the JTAG-DP
                        state = nxt[state * 2 + ((v >> 1) & 1)]
                        if state == UPD_DR:
                            dap.update(sr)
                        elif state == UPD_IR:
                            dap.ir = sr & 0xF
                        elif state == TLR:
                            dap.ir = IR_IDCODE
                else:
                    tck = 0
            elif c == 82:  # 'R'
                out.append(49 if (state == SHIFT_DR or state == SHIFT_IR) and sr & 1 else 48)
            elif 114 <= c <= 117:  # 'r'..'u': bit 1 TRST, bit 0 SRST (1 = asserted)
                v = c - 114
                if v & 2:
                    state = TLR
                    dap.ir = IR_IDCODE
                if (v & 1) != (lines & 1):
                    on_reset(bool(v & 1))
                lines = v
            elif c == 81:  # 'Q'
                st[:] = [state, sr, n, tck, lines]
                return bytes(out), True
            # 'B'/'b' (LED) and anything else: ignored
        st[:] = [state, sr, n, tck, lines]
        return bytes(out), False

    return feed

# ---------------------------------------------------------------- core

DBGKEY = 0xA05F
C_DEBUGEN, C_HALT, C_STEP, C_MASKINTS = 1, 2, 4, 8
S_REGRDY, S_HALT, S_RETIRE_ST, S_RESET_ST = 1 << 16, 1 << 17, 1 << 24, 1 << 25
DFSR_HALTED, DFSR_BKPT, DFSR_VCATCH = 1, 2, 8
VC_CORERESET = 1
EXCP_BKPT = 7            # unicorn's interrupt number for BKPT

REG_GPR = [A.UC_ARM_REG_R0 + i for i in range(13)]  # r0..r12 are consecutive in unicorn
REG_S0 = A.UC_ARM_REG_S0
# DCRSR.REGSEL (Armv8-M Architecture Reference Manual) to unicorn's registers: the plain ones.
DCRSR_REGS = {
    **{i: REG_GPR[i] for i in range(13)},
    13: A.UC_ARM_REG_SP, 14: A.UC_ARM_REG_LR, 15: A.UC_ARM_REG_PC, 16: A.UC_ARM_REG_XPSR,
    17: A.UC_ARM_REG_MSP, 18: A.UC_ARM_REG_PSP, 0x21: A.UC_ARM_REG_FPSCR,
    **{0x40 + i: REG_S0 + i for i in range(32)},
}


class Core:
    """unicorn's Cortex-M33 with the debug state of the Armv8-M debug model."""

    SLICE = 20000           # instructions run between two looks at the JTAG socket

    def __init__(self, budget, log):
        self.uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
        self.uc.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M33)
        self.uc.hook_add(UC_HOOK_INTR, self._intr)
        self.budget = budget
        self.log = log
        self.halted = True
        self.dhcsr = 0            # C_* control bits
        self.sticky = S_RESET_ST
        self.dfsr = 0
        self.demcr = 0
        self.dcrdr = 0
        self.left = 0             # instructions left before the run is treated as hung
        self.stop_reason = None
        self.extra = {}           # special registers unicorn lacks (MSPLIM, PSPLIM, ...)
        self.vector_base = 0x00000000
        self.reset_hooks = []
        self.debug = False
        self.bp_hooks = {}        # FPB comparator address -> unicorn hook
        self.dirty = None         # RAM range the debugger wrote since the last run
        self.stepping = False

    def set_breakpoints(self, addrs):
        """The FPB's enabled instruction comparators: stop before executing these."""
        for a in list(self.bp_hooks):
            if a not in addrs:
                self.uc.hook_del(self.bp_hooks.pop(a))
                self.uc.ctl_remove_cache(a, a + 4)
        for a in addrs:
            if a not in self.bp_hooks:
                self.bp_hooks[a] = self.uc.hook_add(UC_HOOK_CODE, self._fpb, None, a, a)
                # code hooks are compiled into translated blocks: retranslate
                self.uc.ctl_remove_cache(a, a + 4)

    def written(self, addr, size):
        """The debugger wrote memory: code translated from it must be redone."""
        if self.dirty is None:
            self.dirty = [addr, addr + size]
        else:
            self.dirty[0] = min(self.dirty[0], addr)
            self.dirty[1] = max(self.dirty[1], addr + size)

    def _fpb(self, uc, addr, size, _):
        self.stop_reason = "bkpt"
        uc.emu_stop()

    def _intr(self, uc, intno, _):
        if intno == EXCP_BKPT:
            self.stop_reason = "bkpt"
        else:
            self.stop_reason = "exception %d" % intno
        uc.emu_stop()

    # --- run control

    def running(self):
        return not self.halted and self.left > 0

    def halt(self, dfsr_bit):
        # Entering Debug state sets C_HALT: OpenOCD rewrites DHCSR from what
        # it last read (e.g. to drop C_MASKINTS) and must not restart the core.
        self.halted = True
        self.dhcsr |= C_HALT
        self.dfsr |= dfsr_bit

    def resume(self, step):
        if self.dirty is not None:
            self.uc.ctl_remove_cache(self.dirty[0], self.dirty[1])
            self.dirty = None
        self.halted = False
        self.left = 1 if step else self.budget
        self.stepping = step
        if step:
            self.run_slice()

    def run_slice(self):
        n = min(self.left, self.SLICE)
        pc = self.uc.reg_read(A.UC_ARM_REG_PC)
        if pc == ROM_IDLE:
            self.left = 0         # the boot ROM stand-in's idle loop: nothing to run
            return
        self.stop_reason = None
        before = n
        try:
            self.uc.emu_start(pc | 1, 0xFFFFFFFF, count=n)
        except UcError as e:
            self.stop_reason = "fault: %s at pc 0x%08x" % (e, self.uc.reg_read(A.UC_ARM_REG_PC))
        self.sticky |= S_RETIRE_ST
        self.left -= before
        if self.stop_reason == "bkpt":
            self.halt(DFSR_BKPT)
        elif self.stop_reason is not None:
            # A real core would take a HardFault; OpenOCD's reset halt arms
            # VC_HARDERR, so report it the way vector catch would.
            self.log("core: %s; halted as by vector catch" % self.stop_reason)
            self.uc.reg_write(A.UC_ARM_REG_XPSR, (self.uc.reg_read(A.UC_ARM_REG_XPSR) & ~0x1FF) | 3)
            self.halt(DFSR_VCATCH)
        elif self.stepping:
            self.halt(DFSR_HALTED)
        elif self.left <= 0:
            self.log("core: instruction budget (%d) used up, the core keeps 'running'" % self.budget)

    def reset(self, bus):
        """Core and system reset (SYSRESETREQ or SRST released)."""
        for hook in self.reset_hooks:
            hook()
        uc = self.uc
        uc.reg_write(A.UC_ARM_REG_CONTROL, 0)
        for r in (A.UC_ARM_REG_PRIMASK, A.UC_ARM_REG_BASEPRI, A.UC_ARM_REG_FAULTMASK):
            uc.reg_write(r, 0)
        for r in REG_GPR:
            uc.reg_write(r, 0)
        sp = bus.read(self.vector_base, 4)
        pc = bus.read(self.vector_base + 4, 4)
        uc.reg_write(A.UC_ARM_REG_MSP, sp & ~3)
        uc.reg_write(A.UC_ARM_REG_PSP, 0)
        uc.reg_write(A.UC_ARM_REG_SP, sp & ~3)
        uc.reg_write(A.UC_ARM_REG_LR, 0xFFFFFFFF)
        uc.reg_write(A.UC_ARM_REG_PC, pc & ~1)
        uc.reg_write(A.UC_ARM_REG_XPSR, 0x01000000)
        self.extra = {}
        self.sticky |= S_RESET_ST
        self.dfsr = 0
        if self.demcr & VC_CORERESET and self.dhcsr & C_DEBUGEN:
            self.halt(DFSR_VCATCH)
        elif self.dhcsr & C_DEBUGEN and self.dhcsr & C_HALT:
            self.halt(DFSR_HALTED)
        else:
            self.resume(False)

    # --- DHCSR / DCRSR

    def read_dhcsr(self):
        v = self.dhcsr & 0xF
        if self.halted:
            v |= S_HALT | S_REGRDY
        v |= self.sticky
        self.sticky = 0
        return v

    def write_dhcsr(self, value):
        if value >> 16 != DBGKEY:
            return
        if self.debug:
            self.log("DHCSR <- 0x%08x (halted=%s pc=0x%08x)" % (value, self.halted, self.uc.reg_read(A.UC_ARM_REG_PC)))
        self.dhcsr = value & 0xF
        if not value & C_DEBUGEN:
            self.dhcsr = 0
            if self.halted:
                self.resume(False)
            return
        if value & C_HALT:
            if not self.halted:
                self.halt(DFSR_HALTED)
        elif self.halted:
            self.resume(bool(value & C_STEP))

    def transfer(self, dcrsr):
        if not self.halted:
            return
        sel = dcrsr & 0x7F
        write = bool(dcrsr & 0x10000)
        uc = self.uc
        ucreg = DCRSR_REGS.get(sel)
        if ucreg is not None:
            if write:
                v = self.dcrdr
                if ucreg == A.UC_ARM_REG_PC:
                    v &= ~1
                uc.reg_write(ucreg, v)
            else:
                self.dcrdr = uc.reg_read(ucreg) & 0xFFFFFFFF
            return
        if sel == 0x14:   # CONTROL[31:24] FAULTMASK[23:16] BASEPRI[15:8] PRIMASK[7:0]
            regs = (A.UC_ARM_REG_PRIMASK, A.UC_ARM_REG_BASEPRI, A.UC_ARM_REG_FAULTMASK, A.UC_ARM_REG_CONTROL)
            if write:
                for i, r in enumerate(regs):
                    uc.reg_write(r, (self.dcrdr >> (8 * i)) & 0xFF)
            else:
                v = 0
                for i, r in enumerate(regs):
                    v |= (uc.reg_read(r) & 0xFF) << (8 * i)
                self.dcrdr = v
            return
        # MSP_NS .. PSPLIM_NS (0x18-0x1F), CONTROL_S/NS (0x22/0x23): kept, not enforced
        if write:
            self.extra[sel] = self.dcrdr
        else:
            self.dcrdr = self.extra.get(sel, 0)

# ---------------------------------------------------------------- PPB

FP_NUM_CODE = 8


class Ppb:
    """Private peripheral bus: SCS, DWT, FPB and the ROM table, as the
    debugger (and the core) see them."""

    def __init__(self, core, bus):
        self.core = core
        self.bus = bus
        self.regs = {}
        self.fp_ctrl = 0x10000000 | (FP_NUM_CODE << 4)   # FPB v2 (REV=1), no literal comparators
        self.dwt_ctrl = 0x40000000    # NUMCOMP = 4

    def update_fpb(self):
        # FPB v2 (FP_CTRL.REV = 1): FP_COMPn = BPADDR[31:1] | BE (bit 0)
        addrs = set()
        if self.fp_ctrl & 1:
            for i in range(FP_NUM_CODE):
                v = self.regs.get(0xE0002008 + 4 * i, 0)
                if v & 1:
                    addrs.add(v & ~1)
        self.core.set_breakpoints(addrs)

    def read(self, addr, size):
        word = self.read32(addr & ~3)
        return (word >> ((addr & 3) * 8)) & ((1 << (8 * size)) - 1)

    def write(self, addr, size, value):
        if size != 4:
            shift = (addr & 3) * 8
            mask = ((1 << (8 * size)) - 1) << shift
            old = self.read32(addr & ~3) if (addr & ~3) != 0xE000EDF0 else 0
            value = (old & ~mask) | ((value << shift) & mask)
        self.write32(addr & ~3, value & 0xFFFFFFFF)

    def read32(self, a):
        core = self.core
        if 0xE000E000 <= a < 0xE000F000:
            o = a - 0xE000E000
            if o == 0xDF0:
                return core.read_dhcsr()
            if o == 0xDF8:
                return core.dcrdr
            if o == 0xDFC:
                return core.demcr
            if o == 0xD00:
                return CPUID
            if o == 0xD0C:
                return 0xFA050000 | self.regs.get(a, 0)
            if o == 0xD30:
                return core.dfsr
            if o == 0x004:
                return 0x2            # ICTR: up to 96 interrupt lines (IRQs 0..82)
            if o == 0xF40:
                return 0x10110021     # MVFR0: single-precision FPv5
            if o == 0xF44:
                return 0x11000011     # MVFR1
            if o == 0xF48:
                return 0x00000040     # MVFR2
            if o == 0xFB8:
                return 0x0000000F     # DAUTHSTATUS: no Security Extension
            if o in SCS_IDS:
                return SCS_IDS[o]
            return self.regs.get(a, 0)
        if 0xE0001000 <= a < 0xE0002000:
            o = a - 0xE0001000
            if o == 0:
                return self.dwt_ctrl | (self.regs.get(a, 0) & 0xFFFF)
            if o == 0x1C:
                return self.core.uc.reg_read(A.UC_ARM_REG_PC)   # PCSR
            if o in DWT_IDS:
                return DWT_IDS[o]
            return self.regs.get(a, 0)
        if 0xE0002000 <= a < 0xE0003000:
            o = a - 0xE0002000
            if o == 0:
                return self.fp_ctrl
            if o in FPB_IDS:
                return FPB_IDS[o]
            return self.regs.get(a, 0)
        if ROM_TABLE <= a < ROM_TABLE + 0x1000:
            o = a - ROM_TABLE
            entries = [0xE000E000, 0xE0001000, 0xE0002000]
            if o < 4 * len(entries):
                return ((entries[o // 4] - ROM_TABLE) & 0xFFFFF000) | 0x3
            return ROM_IDS.get(o, 0)
        raise BusFault(a)

    def write32(self, a, v):
        core = self.core
        if a == 0xE000EDF0:
            core.write_dhcsr(v)
        elif a == 0xE000EDF4:
            core.transfer(v)
        elif a == 0xE000EDF8:
            core.dcrdr = v
        elif a == 0xE000EDFC:
            core.demcr = v & 0x010F07F1
        elif a == 0xE000ED30:
            core.dfsr &= ~v
        elif a == 0xE000ED0C:
            if v >> 16 == 0x05FA:
                if v & 0x4:           # SYSRESETREQ
                    self.bus.log("reset: SYSRESETREQ")
                    core.reset(self.bus)
                self.regs[a] = v & 0x0000E700   # PRIGROUP and friends
        elif 0xE0002000 == a:
            if v & 2:                 # KEY
                self.fp_ctrl = (self.fp_ctrl & ~1) | (v & 1)
                self.update_fpb()
        elif 0xE0002008 <= a < 0xE0002008 + 4 * FP_NUM_CODE:
            self.regs[a] = v
            self.update_fpb()
        elif 0xE0000000 <= a < 0xE0040000:
            if (a & 0xFFF) < 0xFB0:       # the ID block (0xFB0-0xFFF) is read-only
                self.regs[a] = v
        elif ROM_TABLE <= a < ROM_TABLE + 0x1000:
            pass
        else:
            raise BusFault(a)

# ---------------------------------------------------------------- system bus

# FR30xx memory map (DESIGN.md, vendor ldscript.ld): RAM backed by unicorn.
RAM_REGIONS = [
    ("PRAM", 0x1FFE0000, 128 << 10),
    ("SRAM", 0x20000000, 256 << 10),
]
# Boot ROM stand-in at 0: a vector table (SP = top of SRAM, reset = a `b .`
# loop) so that a reset without a debugger halt has somewhere to run.
ROM_BASE, ROM_SIZE = 0x00000000, 0x1000
ROM_IDLE = ROM_BASE + 0x40


class Bus:
    def __init__(self, flash, log):
        self.flash = flash
        self.log = log
        self.core = None
        self.ppb = None
        self.ram = []   # (base, end)
        self.dev = []   # (base, end, model)

    def attach(self, core):
        uc = core.uc
        self.core = core
        self.ppb = Ppb(core, self)
        rom = struct.pack("<II", 0x20040000, ROM_IDLE | 1) + b"\x00" * 0x38 + b"\xfe\xe7" * 4
        uc.mem_map(ROM_BASE, ROM_SIZE)
        uc.mem_write(ROM_BASE, rom)
        self.ram.append((ROM_BASE, ROM_BASE + ROM_SIZE))
        for _, base, size in RAM_REGIONS:
            uc.mem_map(base, size)
            self.ram.append((base, base + size))
        for base, size, _ in self.flash.claims():
            self._mmio(uc, base, size, self.flash)
            self.dev.append((base, base + size, self.flash))
        # The core's own view of the PPB (the loader may read SCB registers).
        self._mmio(uc, 0xE0000000, 0x40000, self.ppb)
        self._mmio(uc, ROM_TABLE, 0x1000, self.ppb)

    @staticmethod
    def _mmio(uc, base, size, model):
        def rd(uc_, off, sz, _):
            try:
                return model.read(base + off, sz)
            except BusFault:
                return 0

        def wr(uc_, off, sz, value, _):
            try:
                model.write(base + off, sz, value)
            except BusFault:
                pass
        uc.mmio_map(base, size, rd, None, wr, None)

    def _find(self, addr):
        for b, e in self.ram:
            if b <= addr < e:
                return None
        if 0xE0000000 <= addr < 0xE0040000 or ROM_TABLE <= addr < ROM_TABLE + 0x1000:
            return self.ppb
        for b, e, m in self.dev:
            if b <= addr < e:
                return m
        raise BusFault(addr)

    def read(self, addr, size):
        m = self._find(addr)
        if m is None:
            return int.from_bytes(self.core.uc.mem_read(addr, size), "little")
        return m.read(addr, size)

    def write(self, addr, size, value):
        m = self._find(addr)
        if m is None:
            self.core.uc.mem_write(addr, value.to_bytes(size, "little"))
            self.core.written(addr, size)
        else:
            m.write(addr, size, value)

# ---------------------------------------------------------------- server

FLASH_BASE = 0x08000000


def model_value(text):
    """A --model-arg value: an integer (0x.. too), a comma list of them, or a boolean."""
    if text.lower() in ("true", "yes", "on"):
        return True
    if text.lower() in ("false", "no", "off"):
        return False
    parts = [p for p in text.split(",") if p]
    try:
        nums = [int(p, 0) for p in parts]
    except ValueError:
        return text
    return tuple(nums) if "," in text else nums[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free one)")
    ap.add_argument("--model-arg", action="append", default=[], metavar="KEY=VALUE",
                    help="passed to the flash model: an integer, a list (a,b or a, for one), or true/false; e.g. jedec_id=0x1620c2, busy_forever=1, stuck=0x345,")
    ap.add_argument("--flash-image", action="append", default=[], metavar="ADDR:FILE",
                    help="preload flash content")
    ap.add_argument("--dump", action="append", default=[], metavar="ADDR:LEN:FILE",
                    help="after each session, write this memory range to FILE")
    ap.add_argument("--report", help="after each session, write a JSON report here")
    ap.add_argument("--budget", type=int, default=50_000_000,
                    help="instructions per resume before the core counts as hung")
    ap.add_argument("--once", action="store_true", help="exit after the first session")
    ap.add_argument("--verbose", action="store_true")
    opts = ap.parse_args()

    events = []

    def log(msg):
        events.append(msg)
        if opts.verbose:
            print(msg, file=sys.stderr, flush=True)

    margs = {}
    for kv in opts.model_arg:
        k, _, v = kv.partition("=")
        margs[k] = model_value(v)
    preload = []
    for spec in opts.flash_image:
        a, _, f = spec.partition(":")
        with open(f, "rb") as fh:
            preload.append((int(a, 0) - FLASH_BASE, fh.read()))
    if preload:
        margs["content"] = preload
    try:
        flash = fr30xx_flash.FR30xxFlash(**margs)
    except TypeError as e:
        sys.exit("jtag_target: the flash model does not take these --model-arg: %s" % e)

    bus = Bus(flash, log)
    core = Core(opts.budget, log)
    core.debug = opts.verbose
    bus.attach(core)
    if hasattr(flash, "reset"):
        core.reset_hooks.append(flash.reset)
    core.reset(bus)
    dap = Dap(bus)

    def on_reset(asserted):
        if asserted:
            log("reset: SRST asserted")
            core.halted = True     # held in reset
        else:
            log("reset: SRST released")
            core.reset(bus)

    def write_outputs():
        rep = {"model": "fr30xx_flash", "events": events, "dap_scans": dap.scans, "stats": stats, "dumps": []}
        for spec in opts.dump:
            a, ln, f = spec.split(":", 2)
            a, ln = int(a, 0), int(ln, 0)
            if FLASH_BASE <= a < FLASH_BASE + len(flash.content()):
                data = bytes(flash.content()[a - FLASH_BASE:a - FLASH_BASE + ln])
            else:
                data = bytes(core.uc.mem_read(a, ln))
            tmp = f + ".tmp"
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, f)
            rep["dumps"].append({"addr": a, "len": ln, "file": f, "sha256": hashlib.sha256(data).hexdigest()})
        rep["trace"] = flash.trace
        if opts.report:
            tmp = opts.report + ".tmp"
            with open(tmp, "w") as fh:
                json.dump(rep, fh, indent=1)
            os.replace(tmp, opts.report)

    stats = {"feed_s": 0.0, "run_s": 0.0, "bytes_in": 0, "chunks": 0}
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", opts.port))
    srv.listen(1)
    print("port %d" % srv.getsockname()[1], flush=True)

    done = [False]

    def stop(*_):
        done[0] = True
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    while not done[0]:
        try:
            r, _, _ = select.select([srv], [], [], 0 if core.running() else 0.2)
        except InterruptedError:
            continue
        if not r:
            if core.running():
                core.run_slice()
            continue
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        feed = make_feeder(dap, on_reset)
        log("session: OpenOCD connected")
        try:
            while not done[0]:
                # A running core gets a slice between two reads of the link:
                # OpenOCD polls DHCSR without pause while it waits for a halt,
                # so running only when the link is idle would starve the core.
                if core.running():
                    t0 = time.perf_counter()
                    core.run_slice()
                    stats["run_s"] += time.perf_counter() - t0
                try:
                    r, _, _ = select.select([conn], [], [], 0 if core.running() else 0.2)
                except InterruptedError:
                    continue
                if not r:
                    continue
                data = conn.recv(1 << 16)
                if not data:
                    break
                t0 = time.perf_counter()
                out, quit_ = feed(data)
                stats["feed_s"] += time.perf_counter() - t0
                stats["bytes_in"] += len(data)
                stats["chunks"] += 1
                if out:
                    conn.sendall(out)
                if quit_:
                    break
        except (ConnectionError, OSError) as e:
            log("session: connection lost: %s" % e)
        conn.close()
        log("session: ended")
        write_outputs()
        if opts.once:
            break
    write_outputs()


if __name__ == "__main__":
    main()
