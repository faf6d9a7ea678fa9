"""pytest plugin: host-side tests that drive a MicroPython board built by mpforge.

Load it with ``-p pytest_mpforge`` (``python/`` on PYTHONPATH) or
``pytest_plugins = ["pytest_mpforge"]`` in a conftest.py, then pick the board:

    --port /dev/ttyUSB0        a real board's console (or MPFORGE_PORT)
    --qemu mps2-an505          the QEMU twin of that board, started for the
                               session from out/<board>/firmware.elf (or MPFORGE_QEMU)
    --board NAME               the board the firmware was built for, for the
                               report (default: the --qemu board, else MPFORGE_BOARD)

Tests take the ``board`` fixture: a soft-reset board in the raw REPL with
``exec(code)`` (its output; raises BoardError with the board's traceback),
``eval(expr)`` (the value, through repr), ``start(code)`` + ``expect(pattern,
timeout)`` + ``wait()`` for output that comes while code runs, and
``identity`` (what the firmware says it is). The raw REPL is the
MicroPython tree's own tools/pyboard.py (from MICROPY_DIR, else the checkout's
.mpforge/micropython-*).
"""

import ast
import glob
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class BoardError(Exception):
    """The code raised on the board; the message is the board's traceback."""


def _import_pyboard():
    tree = os.environ.get("MICROPY_DIR")
    if not tree:
        trees = sorted(glob.glob(os.path.join(ROOT, ".mpforge", "micropython-*")))
        if not trees:
            raise pytest.UsageError(
                "pytest_mpforge: no MicroPython tree for tools/pyboard.py: set MICROPY_DIR, "
                "or run ./mpforge setup in the checkout to fetch it"
            )
        tree = trees[-1]
    tools = os.path.join(tree, "tools")
    if not os.path.exists(os.path.join(tools, "pyboard.py")):
        raise pytest.UsageError(f"pytest_mpforge: {tools}/pyboard.py does not exist; is {tree} a MicroPython tree?")
    if tools not in sys.path:
        sys.path.insert(0, tools)
    import pyboard

    return pyboard


def pytest_addoption(parser):
    g = parser.getgroup("mpforge", "MicroPython board (mpforge)")
    g.addoption("--port", default=os.environ.get("MPFORGE_PORT"), help="serial console of the board (default: MPFORGE_PORT)")
    g.addoption("--qemu", default=os.environ.get("MPFORGE_QEMU"), help="run the QEMU twin of this board (default: MPFORGE_QEMU)")
    g.addoption("--board", default=None, help="board the firmware is built for (default: the --qemu board, else MPFORGE_BOARD)")
    g.addoption("--baud", type=int, default=int(os.environ.get("MPFORGE_BAUD", "115200")), help="baud rate of --port")
    g.addoption("--elf", default=None, help="firmware ELF for --qemu (default: out/<board>/firmware.elf of the checkout)")
    g.addoption("--no-build", action="store_true", help="do not run ./mpforge build:board before starting --qemu")


class _QEMU:
    """A QEMU twin with its console on a pty, for the session."""

    def __init__(self, board, elf, build):
        path = os.path.join(ROOT, "boards", board, "board.toml")
        try:
            with open(path, "rb") as f:
                machine = tomllib.load(f).get("qemu", {}).get("machine")
        except FileNotFoundError:
            raise pytest.UsageError(f"--qemu {board}: no board file {path}; see ./mpforge boards")
        if not machine:
            raise pytest.UsageError(f"--qemu {board}: board {board} has no QEMU twin ([qemu] machine in its board file)")
        if build:
            r = subprocess.run([os.path.join(ROOT, "mpforge"), "build:board", board], cwd=ROOT, capture_output=True, text=True)
            if r.returncode != 0:
                raise pytest.UsageError(f"--qemu {board}: ./mpforge build:board {board} failed:\n{r.stdout}{r.stderr}")
        elf = elf or os.path.join(ROOT, "out", board, "firmware.elf")
        if not os.path.exists(elf):
            raise pytest.UsageError(f"--qemu {board}: {elf} does not exist; run ./mpforge build:board {board}")
        qemu = shutil.which("qemu-system-arm")
        if not qemu:
            raise pytest.UsageError("--qemu: qemu-system-arm is not installed (Debian: apt install qemu-system-arm)")
        argv = [qemu, "-machine", machine, "-display", "none", "-monitor", "none", "-serial", "pty", "-kernel", elf]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.pty = None
        lines = []
        for line in self.proc.stdout:
            lines.append(line)
            m = re.search(r"char device redirected to (\S+)", line)
            if m:
                self.pty = m.group(1)
                break
        if not self.pty:
            self.stop()
            raise pytest.UsageError("--qemu: QEMU did not create its pty: " + "".join(lines))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Board:
    """A board in the raw REPL (see the module's doc)."""

    def __init__(self, pyb, name, where):
        self.pyb, self.name, self.where = pyb, name, where
        self._identity = None
        self._pending = b""  # console bytes expect read but did not match

    @property
    def identity(self):
        """What the firmware says it is: os.uname() fields, plus sys.implementation._build when present."""
        if self._identity is None:
            out = self.exec(
                "import os, sys\nu = os.uname()\n"
                "print(repr({'sysname': u.sysname, 'release': u.release, 'version': u.version, 'machine': u.machine,"
                " 'platform': sys.platform, 'build': getattr(sys.implementation, '_build', None)}))"
            )
            self._identity = ast.literal_eval(out.strip())
        return self._identity

    def soft_reset(self):
        """Restart the board's interpreter (a clean slate) and stay in the raw REPL."""
        self.pyb.enter_raw_repl(soft_reset=True)

    def exec(self, code, timeout=10):
        """Run code on the board; return what it printed. A board exception raises BoardError."""
        try:
            out, err = self.pyb.exec_raw(code, timeout=timeout)
        except self._pyboard.PyboardError as e:
            raise BoardError(f"{self.name}: {e}") from None
        if err:
            raise BoardError(err.decode(errors="replace").replace("\r\n", "\n").strip())
        return out.decode(errors="replace").replace("\r\n", "\n")

    def eval(self, expr, timeout=10):
        """The value of expr on the board (through its repr)."""
        out = self.exec(f"print(repr({expr}))", timeout=timeout).strip()
        try:
            return ast.literal_eval(out)
        except (ValueError, SyntaxError):
            return out

    def start(self, code):
        """Start code on the board without waiting; read its output with expect, end with wait."""
        self._pending = b""
        self.pyb.exec_raw_no_follow(code)

    def _read(self, deadline):
        """One more byte of the console, or None at the deadline."""
        ser = self.pyb.serial
        while not ser.inWaiting():
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.005)
        return ser.read(1)

    def expect(self, pattern, timeout=10):
        """Read the console until the regular expression (str or bytes) matches what the code
        given to start printed since the last match; return the match."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        deadline = time.monotonic() + timeout
        seen = self._pending
        while True:
            # Byte by byte, so nothing is read past the end of the code's
            # output (Ctrl-D): wait() and pyboard read the rest.
            m = rx.search(seen.split(b"\x04", 1)[0])
            if m:
                self._pending = seen[m.end() :]
                if isinstance(pattern, str):
                    return re.search(pattern, seen[: m.end()].decode(errors="replace"))
                return m
            self._pending = seen
            if b"\x04" in seen:
                raise AssertionError(f"{self.name}: the code ended without printing {pattern!r}; it printed {seen!r}")
            b = self._read(deadline)
            if b is None:
                raise AssertionError(f"{self.name}: no {pattern!r} within {timeout}s; the board printed {seen!r}")
            seen += b

    def wait(self, timeout=10):
        """Wait for the code given to start to end; return its output after the last match
        (BoardError if it raised)."""
        deadline = time.monotonic() + timeout
        data, self._pending = self._pending, b""
        while data.count(b"\x04") < 2:
            b = self._read(deadline)
            if b is None:
                raise BoardError(f"{self.name}: the code did not end within {timeout}s; it printed {data!r}")
            data += b
        out, err, _ = data.split(b"\x04", 2)
        if err:
            raise BoardError(err.decode(errors="replace").replace("\r\n", "\n").strip())
        return out.decode(errors="replace").replace("\r\n", "\n")


class _Session:
    def __init__(self, config):
        self.config = config
        self.qemu = None
        self.board = None

    def open(self):
        if self.board:
            return self.board
        opt = self.config.getoption
        port, twin = opt("--port"), opt("--qemu")
        if port and twin:
            raise pytest.UsageError("give --port (a real board) or --qemu (a twin), not both (check MPFORGE_PORT and MPFORGE_QEMU)")
        if not port and not twin:
            raise pytest.UsageError(
                "the board fixture needs a board: --port /dev/ttyUSB0 (or MPFORGE_PORT), or --qemu mps2-an505 (or MPFORGE_QEMU)"
            )
        pyboard = _import_pyboard()
        name = opt("--board") or twin or os.environ.get("MPFORGE_BOARD") or "fr30xx"
        if twin:
            self.qemu = _QEMU(twin, opt("--elf"), not opt("--no-build"))
            port, where = self.qemu.pty, f"QEMU {twin} on {self.qemu.pty}"
        else:
            where = port
        try:
            pyb = pyboard.Pyboard(port, opt("--baud"))
            pyb.enter_raw_repl(soft_reset=True)
        except pyboard.PyboardError as e:
            self.close()
            raise pytest.UsageError(f"{where}: no MicroPython raw REPL: {e}")
        self.board = Board(pyb, name, where)
        self.board._pyboard = pyboard
        return self.board

    def close(self):
        if self.board:
            try:
                self.board.pyb.exit_raw_repl()
                self.board.pyb.close()
            except Exception:
                pass
            self.board = None
        if self.qemu:
            self.qemu.stop()
            self.qemu = None


def pytest_configure(config):
    config._mpforge = _Session(config)


def pytest_unconfigure(config):
    s = getattr(config, "_mpforge", None)
    if s:
        s.close()


def pytest_report_header(config):
    s = config._mpforge
    if not (config.getoption("--port") or config.getoption("--qemu")):
        return "mpforge: no board (--port or --qemu)"
    b = s.open()
    i = b.identity
    line = f"mpforge: board {b.name} ({b.where}): {i['machine']}, MicroPython {i['version']}"
    if i.get("build"):
        line += f", build {i['build']}"
    return line


@pytest.fixture(scope="session")
def _mpforge_board(request):
    return request.config._mpforge.open()


@pytest.fixture
def board(_mpforge_board):
    """The board, soft-reset so each test starts with a clean interpreter."""
    _mpforge_board.soft_reset()
    return _mpforge_board
