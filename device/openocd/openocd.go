// Package openocd programs a board through OpenOCD and turns OpenOCD's
// failures into messages that say what is wrong and what to do next.
//
// OpenOCD runs from an argv list (never a shell), in its own process group,
// and is killed when the context ends or the timeout passes.
package openocd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/log"

	"mpforge/internal/proc"
)

// DefaultBinary is the OpenOCD executable used when Options.Binary is empty.
const DefaultBinary = "openocd"

// Options describe the probe and the target. Interface and Target are
// OpenOCD config names ("cmsis-dap" means interface/cmsis-dap.cfg) or paths
// to .cfg files.
type Options struct {
	Binary    string // DefaultBinary when empty
	Interface string // probe config, e.g. "cmsis-dap", "jlink", "stlink"
	Transport string // "swd", "jtag", "hla_swd", ...; empty: the interface's default
	SpeedKHz  int    // adapter speed; 0 leaves it to the configs
	Serial    string // probe serial number, to pick one of several probes
	Target    string // target config, e.g. "stm32f4x"; may be empty when Extra creates it
	// Extra are further OpenOCD arguments ("-f", "x.cfg", "-c", "cmd", ...),
	// placed after the target config: flash-bank setup, reset config.
	Extra []string
	// ScriptDirs are searched for config files (-s), e.g. the board's folder.
	ScriptDirs []string
	// Timeout bounds the whole run (default 2 minutes).
	Timeout time.Duration
	Logger  *log.Logger // OpenOCD's output at debug level; nil is quiet
}

// Kind classifies a failure.
type Kind int

const (
	Unknown      Kind = iota
	NotInstalled      // no openocd executable
	BadConfig         // a config file or command OpenOCD does not accept
	NoProbe           // no probe found, or no permission to open it
	NoTarget          // the probe works but the chip does not answer
	FlashFailed       // connected, but writing or verifying flash failed
	TimedOut          // OpenOCD did not finish in time and was killed
	// Failures a flash algorithm reports (ProgramAlgorithm).
	FlashID        // the flash chip's JEDEC ID is not one the loader knows
	FlashTimeout   // the flash stayed busy past its time-out
	FlashProtected // the flash's protect bits would not clear
	VerifyFailed   // the flash reads back different bytes
	AlgorithmHung  // the algorithm did not return to its breakpoint
)

var kindNames = map[Kind]string{
	Unknown: "unknown", NotInstalled: "not installed", BadConfig: "bad configuration",
	NoProbe: "no probe", NoTarget: "target not answering", FlashFailed: "flash failed", TimedOut: "timed out",
	FlashID: "flash ID unknown", FlashTimeout: "flash time-out", FlashProtected: "flash protected",
	VerifyFailed: "verify failed", AlgorithmHung: "flash algorithm hung",
}

func (k Kind) String() string { return kindNames[k] }

// Error is a classified OpenOCD failure.
type Error struct {
	Kind   Kind
	Msg    string   // what went wrong
	Hint   string   // what to do next
	Output []string // OpenOCD's own error lines, for the record
	Err    error    // the underlying error (exit status), if any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("openocd: " + e.Msg)
	for _, l := range e.Output {
		b.WriteString("\n  | " + l)
	}
	if e.Hint != "" {
		b.WriteString("\n  next: " + e.Hint)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Args returns OpenOCD's argument list for the options followed by the
// given commands (each passed with -c).
func Args(o Options, commands ...string) ([]string, error) {
	var a []string
	for _, d := range o.ScriptDirs {
		a = append(a, "-s", d)
	}
	if o.Interface != "" {
		a = append(a, "-f", cfgPath("interface", o.Interface))
	}
	if o.Transport != "" {
		a = append(a, "-c", "transport select "+o.Transport)
	}
	if o.SpeedKHz > 0 {
		a = append(a, "-c", fmt.Sprintf("adapter speed %d", o.SpeedKHz))
	}
	if o.Serial != "" {
		s, err := tclWord(o.Serial)
		if err != nil {
			return nil, fmt.Errorf("openocd: probe serial: %w", err)
		}
		a = append(a, "-c", "adapter serial "+s)
	}
	if o.Target != "" {
		a = append(a, "-f", cfgPath("target", o.Target))
	}
	if o.Interface == "" && len(o.Extra) == 0 {
		return nil, errors.New("openocd: no probe interface given (e.g. cmsis-dap, jlink, stlink); set it in the board file or your user config")
	}
	a = append(a, o.Extra...)
	for _, c := range commands {
		a = append(a, "-c", c)
	}
	return a, nil
}

// cfgPath maps a bare name to OpenOCD's <dir>/<name>.cfg; paths pass unchanged.
func cfgPath(dir, name string) string {
	if strings.HasSuffix(name, ".cfg") || strings.ContainsRune(name, os.PathSeparator) {
		return name
	}
	return dir + "/" + name + ".cfg"
}

// tclWord quotes s as one Tcl word (braces), refusing what braces cannot hold.
func tclWord(s string) (string, error) {
	if strings.ContainsAny(s, "{}\\\n") {
		return "", fmt.Errorf("%q holds a brace, backslash or newline, which OpenOCD's command line cannot take; rename or move it", s)
	}
	return "{" + s + "}", nil
}

// Flash programs elf into the board: program <elf> verify reset exit.
func Flash(ctx context.Context, o Options, elf string) error {
	if _, err := os.Stat(elf); err != nil {
		return fmt.Errorf("openocd: firmware %s: %w; build the board first", elf, err)
	}
	w, err := tclWord(elf)
	if err != nil {
		return fmt.Errorf("openocd: firmware path: %w", err)
	}
	_, err = run(ctx, o, nil, "program "+w+" verify reset exit")
	return err
}

// Reset resets the board and lets it run, e.g. to recover a board that
// stopped answering on its console.
func Reset(ctx context.Context, o Options) error {
	_, err := run(ctx, o, nil, "init", "reset run", "shutdown")
	return err
}

// run runs OpenOCD with the commands, passes each line of its output to
// onLine (when set) as it comes, and returns the output and the classified
// failure, if any.
func run(ctx context.Context, o Options, onLine func(string), commands ...string) ([]string, error) {
	args, err := Args(o, commands...)
	if err != nil {
		return nil, err
	}
	bin := o.Binary
	if bin == "" {
		bin = DefaultBinary
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, &Error{Kind: NotInstalled, Err: err,
			Msg:  bin + " is not installed (not found on PATH)",
			Hint: "install OpenOCD 0.12 or newer (Debian/Ubuntu: sudo apt install openocd), or put its directory on PATH"}
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := proc.Command(rctx, syscall.SIGTERM, 2*time.Second, path, args...)
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("openocd: %w", err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	if o.Logger != nil {
		o.Logger.Debug("running OpenOCD", "argv", strings.Join(append([]string{path}, args...), " "))
	}
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		return nil, fmt.Errorf("openocd: cannot start %s: %w", path, err)
	}
	pw.Close()
	var out lines
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		out.follow(pr, o.Logger, onLine)
	}()
	err = cmd.Wait()
	wg.Wait()
	pr.Close()
	if rctx.Err() != nil && ctx.Err() == nil {
		return out.all(), &Error{Kind: TimedOut, Err: rctx.Err(), Output: errorLines(out.all()),
			Msg:  fmt.Sprintf("OpenOCD did not finish within %v and was stopped", timeout),
			Hint: "check that the probe is not held by another program (a debugger, another OpenOCD); unplug and replug the probe; raise the timeout for very large images"}
	}
	if ctx.Err() != nil {
		return out.all(), ctx.Err()
	}
	text := out.all()
	if err == nil && !reportsFailure(text) {
		return text, nil
	}
	if e := classify(text); e != nil {
		e.Err = err
		return text, e
	}
	msg := "OpenOCD reported a failure"
	if err != nil {
		msg = fmt.Sprintf("OpenOCD failed (%v)", err)
	}
	return text, &Error{Kind: Unknown, Err: err, Output: errorLines(text), Msg: msg,
		Hint: "run with debug logging to see OpenOCD's full output"}
}

// lines keeps OpenOCD's output (the last maxLines) and logs it as it comes.
type lines struct {
	text []string
}

const maxLines = 400

func (l *lines) follow(r io.Reader, logger *log.Logger, onLine func(string)) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if logger != nil {
			logger.Debug("openocd: " + line)
		}
		if onLine != nil {
			onLine(line)
		}
		l.text = append(l.text, line)
		if len(l.text) > maxLines {
			l.text = l.text[1:]
		}
	}
}

func (l *lines) all() []string { return l.text }

// errorLines picks OpenOCD's own error lines (at most 8) to show with a failure.
func errorLines(text []string) []string {
	var out []string
	for _, l := range text {
		if strings.HasPrefix(l, "Error:") || strings.HasPrefix(l, "**") || strings.Contains(l, ": Error:") {
			out = append(out, l)
		}
	}
	if len(out) > 8 {
		out = out[len(out)-8:]
	}
	return out
}
