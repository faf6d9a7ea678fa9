#!/usr/bin/python3
"""Run a CMSIS flash algorithm (our loader or a vendor FLM) on an emulated Cortex-M33.

Reads one JSON request on stdin, writes one JSON result on stdout. The CPU is
unicorn's Cortex-M33 (Debian python3-unicorn); the FR30xx flash path behind it is
emu/fr30xx_flash.py. Calls follow the CMSIS convention a debugger uses: r0..r2
arguments, r9 the static base, sp the stack top, lr a breakpoint trap (|1), pc the
entry (|1); the call ends when pc reaches the trap, the result is r0.

Request (numbers may be ints or "0x.." strings):
  image        {"hex": ".."} or {"file": path, "offset": n, "size": n}: the bytes to
               load (code then data, as the algorithm's reader lays them out)
  load         load address; entries {"Init": offset, ...} relative to it
  static_base  absolute r9 (or static_base_offset, relative to load)
  stack_top, trap, buffer   addresses in RAM (buffer: where call data is copied)
  budget       instructions per call before it counts as hung (default 50e6)
  count        count instructions (default true; a block hook, slower)
  flash        model arguments: jedec_id, busy_polls, erase_busy_polls, busy_forever,
               stuck [offsets], protect_stuck, sr1, sr2, clocks_on, cache_on,
               content [{"offset": n, "hex"|"file", "file_offset", "size"}],
               prefill_cache [[addr, size]] (window reads through the cache first)
  calls        [{"name": "Init", "args": [..], "data": {"hex"|"file","offset","size"}}]
               with data, the bytes go to buffer and buffer is appended to args
  ranges       [[addr, size]]: flash bytes to return (raw content)
  window       [[addr, size]]: bytes to return as a CPU reads them (through the cache)
  trace        include the flash command trace (default true)

Result: {"calls": [{"name", "r0", "instructions", "hung", "fault"?}], "trace": [...],
 "crc32": of the whole flash, "sha256", "ranges": [{"addr", "hex"}], "window": [...],
 "status": {"sr1", "sr2", "nv_sr1", "nv_sr2", "wel", "busy"}, "gated_accesses": n}
"""
import hashlib
import json
import os
import sys
import zlib

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    from unicorn import Uc, UcError, UC_ARCH_ARM, UC_MODE_THUMB, UC_MODE_MCLASS, UC_HOOK_BLOCK
    from unicorn.arm_const import (UC_CPU_ARM_CORTEX_M33, UC_ARM_REG_R0, UC_ARM_REG_R1,
                                   UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R9, UC_ARM_REG_SP,
                                   UC_ARM_REG_LR, UC_ARM_REG_PC)
except ImportError as e:  # the Go tests look for this message
    sys.stderr.write("algo_runner: python3-unicorn is missing (%s): apt-get install python3-unicorn\n" % e)
    sys.exit(3)

import fr30xx_flash

RAM = [(0x1FFE0000, 0x20000), (0x20000000, 0x40000)]  # PRAM, SRAM (HAL ldscript.ld)
ARG_REGS = [UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3]


def num(v):
    return int(v, 0) if isinstance(v, str) else int(v)


def blob(spec):
    if "hex" in spec:
        return bytes.fromhex(spec["hex"])
    with open(spec["file"], "rb") as f:
        f.seek(num(spec.get("offset", spec.get("file_offset", 0))))
        data = f.read(num(spec["size"])) if "size" in spec else f.read()
    if "size" in spec and len(data) != num(spec["size"]):
        raise ValueError("%s: wanted %d bytes at %s, file has %d" %
                         (spec["file"], num(spec["size"]), spec.get("offset", 0), len(data)))
    return data


def thumb_count(code):
    """Instructions in a block of Thumb code (32-bit ones start 0b11101/11110/11111)."""
    n = i = 0
    while i + 1 < len(code):
        hw = code[i] | code[i + 1] << 8
        i += 4 if (hw >> 11) in (0x1D, 0x1E, 0x1F) else 2
        n += 1
    return n


class Runner:
    def __init__(self, req):
        self.req = req
        fa = dict(req.get("flash", {}))
        content = [(num(c["offset"]), blob(c)) for c in fa.pop("content", [])]
        prefill = fa.pop("prefill_cache", [])
        model_args = {k: fa.pop(k) for k in ("clocks_on", "cache_on") if k in fa}
        for k in ("jedec_id", "sr1", "sr2", "size"):
            if k in fa:
                fa[k] = num(fa[k])
        if "stuck" in fa:
            fa["stuck"] = [num(x) for x in fa["stuck"]]
        self.model = fr30xx_flash.FR30xxFlash(content=content, **model_args, **fa)
        for addr, size in prefill:
            self._cpu_read(num(addr), num(size))

        uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
        uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_M33)
        for base, size in RAM:
            uc.mem_map(base, size)
        for base, size, _, read, write in self.model.regions():
            uc.mmio_map(base, size, lambda uc, off, size, rd: rd(off, size), read,
                        lambda uc, off, size, value, wr: wr(off, size, value), write)
        self.uc = uc
        self.load = num(req["load"])
        image = blob(req["image"])
        uc.mem_write(self.load, image)
        self.trap = num(req["trap"])
        uc.mem_write(self.trap, b"\x00\xbe")  # BKPT #0
        if "static_base" in req:
            self.sb = num(req["static_base"])
        else:
            self.sb = self.load + num(req.get("static_base_offset", 0))
        self.sp = num(req["stack_top"])
        self.buffer = num(req.get("buffer", 0))
        self.budget = int(float(req.get("budget", 50e6)))
        self.count = req.get("count", True)
        self.entries = {k: num(v) for k, v in req["entries"].items()}
        self.icount = 0
        self.sizes = {}
        if self.count:
            uc.hook_add(UC_HOOK_BLOCK, self._block)

    def _cpu_read(self, addr, size):
        out = bytearray()
        for a in range(addr, addr + size, 4):
            n = min(4, addr + size - a)
            out += self.model.read(a, n).to_bytes(4, "little")[:n]
        return bytes(out)

    def _block(self, uc, address, size, _):
        n = self.sizes.get((address, size))
        if n is None:
            n = thumb_count(uc.mem_read(address, size))
            self.sizes[(address, size)] = n
        self.icount += n

    def call(self, c):
        name = c["name"]
        if name not in self.entries:
            raise ValueError("call %s: the algorithm has no such entry (has %s)" %
                             (name, ", ".join(sorted(self.entries))))
        args = [num(a) for a in c.get("args", [])]
        if "data" in c:
            data = blob(c["data"])
            self.uc.mem_write(self.buffer, data)
            args.append(self.buffer)
        uc = self.uc
        for reg, val in zip(ARG_REGS, args):
            uc.reg_write(reg, val & 0xFFFFFFFF)
        uc.reg_write(UC_ARM_REG_R9, self.sb)
        uc.reg_write(UC_ARM_REG_SP, self.sp)
        uc.reg_write(UC_ARM_REG_LR, self.trap | 1)
        self.icount = 0
        entry = self.load + self.entries[name]
        res = {"name": name, "hung": False}
        try:
            uc.emu_start(entry | 1, self.trap, count=self.budget)
        except UcError as e:
            res["fault"] = "%s at pc=0x%08x" % (e, uc.reg_read(UC_ARM_REG_PC))
        pc = uc.reg_read(UC_ARM_REG_PC) & ~1
        if "fault" not in res and pc != self.trap:
            res["hung"] = True
            res["pc"] = pc
        res["r0"] = uc.reg_read(UC_ARM_REG_R0)
        res["instructions"] = self.icount
        return res

    def run(self):
        calls = []
        for c in self.req.get("calls", []):
            r = self.call(c)
            calls.append(r)
            if r["hung"] or "fault" in r:
                break
        model = self.model
        data = model.content()
        out = {
            "calls": calls,
            "crc32": zlib.crc32(data) & 0xFFFFFFFF,
            "sha256": hashlib.sha256(data).hexdigest(),
            "ranges": [{"addr": num(a), "hex": bytes(data[num(a) - fr30xx_flash.WINDOW_BASE:
                                                          num(a) - fr30xx_flash.WINDOW_BASE + num(n)]).hex()}
                       for a, n in self.req.get("ranges", [])],
            "window": [{"addr": num(a), "hex": self._cpu_read(num(a), num(n)).hex()}
                       for a, n in self.req.get("window", [])],
            "status": {"sr1": model.flash.status1(), "sr2": model.flash.sr2,
                       "nv_sr1": model.flash.nv_sr1, "nv_sr2": model.flash.nv_sr2,
                       "wel": model.flash.wel, "busy": model.flash.busy != 0},
            "gated_accesses": model.gated_accesses,
            "cache_on": bool(model._cache_on()),
        }
        if self.req.get("trace", True):
            out["trace"] = model.trace
        return out


def main():
    try:
        req = json.load(sys.stdin)
        out = Runner(req).run()
    except KeyError as e:
        sys.stderr.write("algo_runner: bad request: field %s missing\n" % e)
        return 2
    except (ValueError, OSError) as e:
        sys.stderr.write("algo_runner: bad request: %s: %s\n" % (type(e).__name__, e))
        return 2
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
