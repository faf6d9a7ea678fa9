// Package suite runs MicroPython's own test suite (the tree's
// tests/run-tests.py) against a firmware on its QEMU twin and reads back
// which tests passed, failed and were skipped.
//
// run-tests.py starts QEMU itself (`-t execpty:<command>`) and talks to the
// firmware's raw REPL over the pty QEMU prints, exactly as upstream's qemu
// port is tested.
package suite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/log"

	"mpforge/internal/proc"
)

// DefaultPython runs run-tests.py: Debian's interpreter, which the
// python3-serial package serves (a python3 earlier on PATH, such as a pyenv
// one, usually lacks pyserial).
const DefaultPython = "/usr/bin/python3"

// DefaultQEMU is the emulator started when Options.QEMU is empty.
const DefaultQEMU = "qemu-system-arm"

// Options say what to test and how.
type Options struct {
	Tree   string // MicroPython tree; its tests/run-tests.py runs with tests/ as working directory
	Python string // interpreter with pyserial; DefaultPython when empty

	QEMU     string   // emulator binary; DefaultQEMU when empty
	Machine  string   // QEMU machine, e.g. "mps2-an505"
	Kernel   string   // firmware ELF
	QEMUArgs []string // further QEMU arguments (the board file's qemu.args)

	// Dirs are the test folders, relative to tests/ (e.g. "basics") or
	// absolute; empty runs run-tests.py's own choice for the platform.
	Dirs []string
	// Include and Exclude are regular expressions (Python syntax) matched
	// against each test's path, passed as run-tests.py's -i and -e: with an
	// Include, only tests matching one run; an Exclude drops tests again.
	Include, Exclude []string

	// ResultDir is where run-tests.py writes the expected (.exp) and actual
	// (.out) output of each failed test; when empty a temporary folder is
	// used and removed afterwards.
	ResultDir string
	// Output receives run-tests.py's own output as it runs (one line per
	// test); nil discards it.
	Output io.Writer
	Logger *log.Logger // the commands run, at debug level; nil is quiet
}

// Result is what run-tests.py reported. Test names are as run-tests.py
// prints them: relative to tests/ ("basics/int_big1.py") or absolute for
// tests from absolute folders.
type Result struct {
	Passed  []string
	Failed  []string
	Skipped []string // including those the target found too large
	// ResultDir holds the .exp/.out files of the failures; empty when it
	// was a temporary folder (Options.ResultDir unset).
	ResultDir string
}

// OK says whether no test failed.
func (r *Result) OK() bool { return len(r.Failed) == 0 }

// Summary is "531 passed, 0 failed, 17 skipped".
func (r *Result) Summary() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", len(r.Passed), len(r.Failed), len(r.Skipped))
}

// Outputs returns where run-tests.py left the expected and the actual
// output of a failed test.
func (r *Result) Outputs(test string) (expected, actual string) {
	base := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(test, "..", "_"), "./", ""), "/", "_")
	return filepath.Join(r.ResultDir, base+".exp"), filepath.Join(r.ResultDir, base+".out")
}

// Run runs the suite and returns its result. The error is non-nil only
// when the suite could not run or its report could not be read; failed
// tests are in Result.Failed.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Python == "" {
		o.Python = DefaultPython
	}
	if o.QEMU == "" {
		o.QEMU = DefaultQEMU
	}
	tests := filepath.Join(o.Tree, "tests")
	script := filepath.Join(tests, "run-tests.py")
	if _, err := os.Stat(script); err != nil {
		return nil, fmt.Errorf("MicroPython tree %s has no tests/run-tests.py (%w); use a tree with tests/ (a git clone or Debian's +ds source tarball)", o.Tree, err)
	}
	if o.Machine == "" {
		return nil, errors.New("no QEMU machine given; the board file's [qemu] machine names it")
	}
	if _, err := exec.LookPath(o.QEMU); err != nil {
		return nil, fmt.Errorf("%w; install qemu-system-arm (sudo apt-get install qemu-system-arm)", err)
	}
	if err := checkPython(ctx, o.Python); err != nil {
		return nil, err
	}

	// The firmware is copied so that a rebuild while the suite runs does
	// not change it, and so that the QEMU of this run can be recognised
	// (and stopped) by its unique kernel path.
	work, err := os.MkdirTemp("", "mpforge-suite-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	kernel := filepath.Join(work, "firmware.elf")
	if err := copyFile(o.Kernel, kernel); err != nil {
		return nil, fmt.Errorf("firmware: %w; build the board first", err)
	}
	instance, err := execpty(o, kernel)
	if err != nil {
		return nil, err
	}
	res := &Result{ResultDir: o.ResultDir}
	if res.ResultDir == "" {
		res.ResultDir = filepath.Join(work, "results")
	}
	if res.ResultDir, err = filepath.Abs(res.ResultDir); err != nil {
		return nil, err
	}

	args := []string{script, "-t", instance, "-r", res.ResultDir}
	for _, re := range o.Include {
		args = append(args, "-i", re)
	}
	for _, re := range o.Exclude {
		args = append(args, "-e", re)
	}
	if len(o.Dirs) > 0 {
		args = append(append(args, "-d"), o.Dirs...)
	}
	// SIGINT (also when this process dies) lets run-tests.py stop its QEMU.
	cmd := proc.Command(ctx, syscall.SIGINT, 10*time.Second, o.Python, args...)
	cmd.Dir = tests
	cmd.Env = environ(o.Python)
	rep := &report{out: o.Output}
	cmd.Stdout, cmd.Stderr = rep, rep
	if o.Logger != nil {
		o.Logger.Debug("run-tests", "dir", tests, "argv", strings.Join(append([]string{o.Python}, args...), " "))
	}
	runErr := cmd.Run()
	rep.flush()
	stopLeftovers(kernel)
	if o.ResultDir == "" {
		res.ResultDir = ""
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err := rep.result(res); err != nil {
		return nil, fmt.Errorf("run-tests.py: %w\n%s", err, rep.tail())
	}
	var exit *exec.ExitError
	switch {
	case errors.As(runErr, &exit) && exit.ExitCode() == 1 && len(res.Failed) > 0:
		// run-tests.py's way of saying that tests failed.
	case runErr != nil:
		return nil, fmt.Errorf("run-tests.py: %w\n%s", runErr, rep.tail())
	}
	return res, nil
}

// checkPython makes sure the interpreter can reach a serial port, which
// run-tests.py needs for every target but the unix port.
func checkPython(ctx context.Context, python string) error {
	out, err := exec.CommandContext(ctx, python, "-c", "import serial").CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return fmt.Errorf("%s cannot import serial (pyserial), which run-tests.py needs: install python3-serial (sudo apt-get install python3-serial) or name a python3 that has it\n%s", python, bytes.TrimSpace(out))
	case err != nil:
		return fmt.Errorf("python for run-tests.py: %w; install python3 and python3-serial (sudo apt-get install python3 python3-serial)", err)
	}
	return nil
}

// execpty is run-tests.py's -t value. run-tests.py splits the command on
// whitespace (it uses no shell), so no part may contain any.
func execpty(o Options, kernel string) (string, error) {
	argv := append([]string{o.QEMU, "-machine", o.Machine, "-nographic", "-monitor", "null", "-serial", "pty", "-kernel", kernel}, o.QEMUArgs...)
	for _, a := range argv {
		if a == "" || strings.ContainsFunc(a, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' }) {
			return "", fmt.Errorf("QEMU argument %q: run-tests.py splits its command on whitespace, so no argument may be empty or contain a space (also check TMPDIR)", a)
		}
	}
	return "execpty:" + strings.Join(argv, " "), nil
}

// environ keeps the tree free of bytecode caches and makes the expected
// output of tests without a .exp file come from the same CPython.
func environ(python string) []string {
	env := append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	if os.Getenv("MICROPY_CPYTHON3") == "" {
		env = append(env, "MICROPY_CPYTHON3="+python)
	}
	return env
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}

// report reads run-tests.py's output line by line as it comes, passing it
// on and keeping the per-test verdicts and the summary.
type report struct {
	out                     io.Writer
	partial                 []byte
	lines                   []string // the last few, for error messages
	passed, failed, skipped []string
	summary                 map[string]int // "performed", "passed" -> count
}

var summaryLine = regexp.MustCompile(`^(\d+) tests (performed|passed)\b`)

func (r *report) Write(p []byte) (int, error) {
	if r.out != nil {
		r.out.Write(p)
	}
	r.partial = append(r.partial, p...)
	for {
		i := bytes.IndexByte(r.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		r.line(strings.TrimRight(string(r.partial[:i]), "\r"))
		r.partial = r.partial[i+1:]
	}
}

func (r *report) flush() {
	if len(r.partial) > 0 {
		r.line(string(r.partial))
		r.partial = nil
	}
}

func (r *report) line(s string) {
	r.lines = append(r.lines, s)
	if len(r.lines) > 40 {
		r.lines = r.lines[1:]
	}
	if m := summaryLine.FindStringSubmatch(s); m != nil {
		if r.summary == nil {
			r.summary = map[string]int{}
		}
		r.summary[m[2]], _ = strconv.Atoi(m[1])
		return
	}
	// Per-test lines are "pass  <test> [info]", "FAIL  <test> [info]",
	// "skip  <test>" and "lrge  <test>" (too large for the target).
	f := strings.Fields(s)
	if len(f) < 2 {
		return
	}
	switch f[0] {
	case "pass":
		r.passed = append(r.passed, f[1])
	case "FAIL":
		r.failed = append(r.failed, f[1])
	case "skip", "lrge":
		r.skipped = append(r.skipped, f[1])
	}
}

// result checks the verdicts against run-tests.py's own summary, so that a
// change in its output format is noticed rather than misread.
func (r *report) result(res *Result) error {
	if r.summary == nil {
		return errors.New("it ended without its summary (\"N tests performed\")")
	}
	if n := r.summary["passed"]; n != len(r.passed) {
		return fmt.Errorf("its summary says %d tests passed but it listed %d as passing; mpforge does not understand this run-tests.py's output", n, len(r.passed))
	}
	if n := r.summary["performed"]; n != len(r.passed)+len(r.failed) {
		return fmt.Errorf("its summary says %d tests performed but it listed %d passes and %d failures; mpforge does not understand this run-tests.py's output", n, len(r.passed), len(r.failed))
	}
	res.Passed, res.Failed, res.Skipped = r.passed, r.failed, r.skipped
	return nil
}

func (r *report) tail() string {
	return strings.Join(r.lines, "\n")
}
