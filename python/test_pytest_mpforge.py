# Tests of the pytest plugin (pytest_mpforge.py), run by Debian's pytest:
#   PYTHONPATH=python /usr/bin/python3 -m pytest -p pytester python/test_pytest_mpforge.py
# (mpforge's `go test ./python/` does that). The QEMU test needs the twin's
# firmware: MPFORGE_TEST_ELF, else out/mps2-an505/firmware.elf.
import os
import xml.etree.ElementTree as ET

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ELF = os.environ.get("MPFORGE_TEST_ELF") or os.path.join(ROOT, "out", "mps2-an505", "firmware.elf")

BOARD_TESTS = r'''
import pytest
from pytest_mpforge import BoardError

def test_exec_and_eval(board):
    assert board.exec("print(6 * 7)") == "42\n"
    assert board.eval("[1, 'a', 2.5, None]") == [1, "a", 2.5, None]

def test_leaves_state(board):
    board.exec("leftover = 1")
    assert board.eval("'leftover' in globals()") is True

def test_soft_reset_between_tests(board):
    assert board.eval("'leftover' in globals()") is False

def test_board_exception(board):
    with pytest.raises(BoardError, match="ZeroDivisionError"):
        board.exec("x = 1\n1 / 0")

def test_expect_while_running(board):
    board.start("import time\nfor i in range(3):\n    print('tick', i)\n    time.sleep_ms(100)\nprint('done')")
    assert board.expect(r"tick (\d)").group(1) == "0"
    assert board.expect(r"tick 2", timeout=5).group(0) == "tick 2"
    assert board.wait() == "\ndone\n"

def test_expect_times_out(board):
    board.start("import time\nprint('hello')\ntime.sleep(1)")
    with pytest.raises(AssertionError, match="no 'never' within 0.5s"):
        board.expect("never", timeout=0.5)
    assert board.wait() == "hello\n"

def test_expect_sees_the_end(board):
    board.start("print('only this')")
    with pytest.raises(AssertionError, match="ended without printing 'other'"):
        board.expect("other")
    assert board.wait() == "only this\n"

def test_identity(board):
    assert board.identity["machine"].startswith("mps2-an505")
    assert board.identity["platform"] == "qemu"

def test_fails_on_purpose(board):
    assert board.eval("1 + 1") == 3
'''


@pytest.fixture
def clean_env(monkeypatch):
    for v in ("MPFORGE_PORT", "MPFORGE_QEMU", "MPFORGE_BOARD"):
        monkeypatch.delenv(v, raising=False)
    # The inner pytest runs in a temporary folder: find the plugin from there.
    path = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", os.path.join(ROOT, "python") + (os.pathsep + path if path else ""))


def test_board_tests_on_the_twin(pytester, clean_env):
    if not os.path.exists(ELF):
        pytest.fail(f"{ELF} does not exist: build it (./mpforge build:board mps2-an505) or set MPFORGE_TEST_ELF")
    pytester.makepyfile(test_on_board=BOARD_TESTS)
    xml = pytester.path / "report.xml"
    r = pytester.runpytest_subprocess(
        "-p", "pytest_mpforge", "--qemu", "mps2-an505", "--no-build", f"--elf={ELF}", f"--junitxml={xml}", timeout=120
    )
    r.stdout.fnmatch_lines(["mpforge: board mps2-an505 (QEMU mps2-an505 on /dev/pts/*): mps2-an505 with Cortex-M33, MicroPython v* on *"])
    r.assert_outcomes(passed=8, failed=1)
    r.stdout.fnmatch_lines(["*assert 2 == 3*"])
    suite = ET.parse(xml).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("9", "1", "0")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {
        "test_exec_and_eval", "test_leaves_state", "test_soft_reset_between_tests", "test_board_exception",
        "test_expect_while_running", "test_expect_times_out", "test_expect_sees_the_end", "test_identity", "test_fails_on_purpose",
    }
    assert cases["test_fails_on_purpose"].find("failure") is not None
    assert cases["test_exec_and_eval"].find("failure") is None


def test_no_board_is_a_usage_error(pytester, clean_env):
    pytester.makepyfile(test_on_board=BOARD_TESTS)
    r = pytester.runpytest_subprocess("-p", "pytest_mpforge", "-k", "exec_and_eval")
    assert r.ret != 0
    r.stdout.fnmatch_lines(["*the board fixture needs a board: --port /dev/ttyUSB0 (or MPFORGE_PORT), or --qemu mps2-an505*"])


def test_port_and_qemu_conflict(pytester, clean_env):
    pytester.makepyfile(test_on_board=BOARD_TESTS)
    r = pytester.runpytest_subprocess("-p", "pytest_mpforge", "--port", "/dev/null", "--qemu", "mps2-an505")
    assert r.ret != 0
    r.stderr.fnmatch_lines(["*give --port (a real board) or --qemu (a twin), not both*"])


def test_tests_without_board_need_none(pytester, clean_env):
    pytester.makepyfile(test_plain="def test_host_only():\n    assert 1 + 1 == 2\n")
    r = pytester.runpytest_subprocess("-p", "pytest_mpforge")
    r.assert_outcomes(passed=1)
    r.stdout.fnmatch_lines(["mpforge: no board (--port or --qemu)"])
