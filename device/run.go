package device

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/log"

	"mpforge/device/internal/shared"
	"mpforge/device/mount"
	"mpforge/device/rawrepl"
)

// Status is the outcome of one script.
type Status string

const (
	Pass    Status = "pass"    // ran to the end (or sys.exit(0)), output as expected
	Fail    Status = "fail"    // raised, sys.exit(non-zero), output differs from its .exp, or crashed the board
	Skip    Status = "skip"    // said so: print("SKIP") + raise SystemExit, or mpforge.skip(reason)
	Timeout Status = "timeout" // ran out of time and was stopped
	Error   Status = "error"   // could not be run (unreadable, board not answering)
)

// Result is what one script did.
type Result struct {
	Script   string // path as found
	Status   Status
	Duration time.Duration
	Stdout   string // output, "\n" line ends
	Stderr   string // traceback, with <stdin> replaced by the script's path
	Err      error  // why, for Timeout and Error
	// Detail says why a script failed without a traceback (exit status,
	// decoded crash, the diff against its .exp file) or why it skipped.
	Detail string
	// Crashed: the board crashed or rebooted under the script.
	Crashed bool
}

// Report is the outcome of a run on one board.
type Report struct {
	Target   string
	Started  time.Time
	Duration time.Duration
	Results  []Result
	Firmware *Identity // what the board said it runs; nil when not asked
}

// Count is how many scripts ended with s.
func (r *Report) Count(s Status) int {
	n := 0
	for _, res := range r.Results {
		if res.Status == s {
			n++
		}
	}
	return n
}

// Failed reports whether any script failed, timed out or could not run.
func (r *Report) Failed() bool { return r.Count(Pass)+r.Count(Skip) != len(r.Results) }

// Summary is one line: "PASS: 5 scripts passed (3.1s)" or
// "FAIL: 5 scripts: 2 passed, 1 failed, 1 skipped, 1 timed out, 0 errors (9.3s)".
func (r *Report) Summary() string {
	d := r.Duration.Round(10 * time.Millisecond)
	skipped := ""
	if n := r.Count(Skip); n > 0 {
		skipped = fmt.Sprintf(", %d skipped", n)
	}
	if !r.Failed() && skipped == "" {
		return fmt.Sprintf("PASS: %d %s passed (%v)", len(r.Results), plural(len(r.Results)), d)
	}
	if !r.Failed() {
		return fmt.Sprintf("PASS: %d %s: %d passed%s (%v)", len(r.Results), plural(len(r.Results)), r.Count(Pass), skipped, d)
	}
	return fmt.Sprintf("FAIL: %d %s: %d passed, %d failed%s, %d timed out, %d errors (%v)",
		len(r.Results), plural(len(r.Results)), r.Count(Pass), r.Count(Fail), skipped, r.Count(Timeout), r.Count(Error), d)
}

func plural(n int) string {
	if n == 1 {
		return "script"
	}
	return "scripts"
}

// ErrScriptsFailed is returned (wrapped, with the summary) when any script
// did not pass.
var ErrScriptsFailed = errors.New("scripts failed")

// Options tune RunScripts.
type Options struct {
	// Timeout is each script's time limit (default 60 s); a script may set
	// its own with a "# mpforge: timeout=<seconds or Go duration>" line in
	// its leading comments. A script that exceeds it is interrupted; if the
	// board does not come back, the target is recovered before the next script.
	Timeout time.Duration
	// Out receives the scripts' output as it arrives and one line per
	// result, then the summary; nil discards.
	Out    io.Writer
	Logger *log.Logger
	REPL   rawrepl.Options // protocol tuning; REPL.Logger defaults to Logger
	// Mount serves each script's folder to the board during the script
	// (mount.go); off by default.
	Mount  MountMode
	Filter Filter // which of the collected scripts run
	// Prefix starts every line written to Out (a rack's "[board] ").
	Prefix string
	// Stamp starts every line written to Out with the time of day (for logs).
	Stamp bool
}

// RunScripts collects the scripts (see Scripts) and runs each on the
// target, soft-resetting the board before each so every script starts
// clean. It returns the report, and an error wrapping ErrScriptsFailed when
// any script did not pass (or ctx's error when the run was cancelled, or
// ErrWrongFirmware when no script ran because of the target's Expect).
func RunScripts(ctx context.Context, t *Target, paths []string, o Options) (*Report, error) {
	scripts, err := Scripts(paths, o.Filter)
	if err != nil {
		return nil, err
	}
	return runCollected(ctx, t, scripts, o)
}

func runCollected(ctx context.Context, t *Target, scripts []string, o Options) (*Report, error) {
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	out := newStampWriter(o.Out, o.Prefix, o.Stamp)
	defer out.Flush()
	o.Out = out
	if o.REPL.Logger == nil {
		o.REPL.Logger = o.Logger
	}
	r := &runner{t: t, o: o}
	r.client = r.connect()
	defer func() { r.client.Close(); r.unmount(); r.sess.Close() }()
	rep := &Report{Target: t.Name, Started: time.Now()}
	if t.Expect != nil {
		id, err := r.identify(ctx)
		if err != nil {
			return nil, err
		}
		rep.Firmware = &id
		fmt.Fprintf(out, "firmware: %s\n", id)
	}
	for i, s := range scripts {
		if r.dead != nil {
			res := Result{Script: s, Status: Error, Err: fmt.Errorf("not run: %w", r.dead)}
			r.print(res)
			rep.Results = append(rep.Results, res)
			continue
		}
		res := r.run(ctx, s)
		rep.Results = append(rep.Results, res)
		if ctx.Err() != nil {
			for _, s := range scripts[i+1:] {
				rep.Results = append(rep.Results, Result{Script: s, Status: Error, Err: fmt.Errorf("not run: %w", ctx.Err())})
			}
			break
		}
	}
	if r.dead == nil && ctx.Err() == nil {
		// Leave the board in the friendly REPL for whoever opens the port next.
		r.detach(ctx)
		_ = r.client.Exit()
	}
	rep.Duration = time.Since(rep.Started)
	fmt.Fprintln(out, rep.Summary())
	switch {
	case ctx.Err() != nil:
		return rep, ctx.Err()
	case rep.Failed():
		return rep, fmt.Errorf("%w: %s", ErrScriptsFailed, rep.Summary())
	}
	return rep, nil
}

// identify asks the board which firmware it runs and compares it with Expect.
func (r *runner) identify(ctx context.Context) (Identity, error) {
	if err := r.prepare(ctx); err != nil {
		return Identity{}, err
	}
	id, ok, err := ReadIdentity(ctx, r.client)
	if err != nil {
		return id, err
	}
	return id, checkIdentity(id, ok, *r.t.Expect)
}

type runner struct {
	t      *Target
	o      Options
	client *rawrepl.Client
	dead   error // the board is gone for good: remaining scripts are not run
	mount  *mount.Server
	sess   *shared.Session // the run's turn on the target's console
}

// exitLine is port/modmpforge.c's report of a SystemExit's status.
var exitLine = regexp.MustCompile(`mpforge: exit (-?\d+)`)

func (r *runner) run(ctx context.Context, script string) Result {
	res := Result{Script: script}
	start := time.Now()
	src, err := os.ReadFile(script)
	var timeout time.Duration
	if err == nil {
		timeout, err = scriptTimeout(src, r.o.Timeout)
	}
	var exp []byte
	if err == nil {
		exp, err = readExp(script)
	}
	if err != nil {
		res.Status, res.Err = Error, err
		r.print(res)
		return res
	}
	err = r.prepare(ctx)
	if err == nil {
		err = r.attach(ctx, script)
	}
	if err != nil {
		res.Status, res.Err = Error, err
		res.Duration = time.Since(start)
		r.print(res)
		return res
	}
	fmt.Fprintf(r.o.Out, "=== RUN   %s\n", script)
	var stdout, stderr capture
	outW := newLineWriter(io.MultiWriter(r.o.Out, &stdout), nil)
	errW := newLineWriter(io.MultiWriter(r.o.Out, &stderr), strings.NewReplacer(`File "<stdin>"`, `File "`+script+`"`))
	sctx, cancel := context.WithTimeout(ctx, timeout)
	err = r.client.Exec(sctx, src, outW, errW)
	cancel()
	outW.Flush()
	errW.Flush()
	res.Stdout, res.Stderr = stdout.String(), stderr.String()
	if o := res.Stdout + res.Stderr; o != "" && !strings.HasSuffix(o, "\n") {
		fmt.Fprintln(r.o.Out) // the result line starts a line of its own
	}
	var crash *rawrepl.Crash
	switch {
	case err == nil:
		res.Status = Pass
		if exited, said := r.client.Exited(); exited {
			if m := exitLine.FindStringSubmatch(said); m != nil && m[1] != "0" {
				res.Status, res.Detail = Fail, "sys.exit("+m[1]+")"
			}
		}
		if res.Status == Pass {
			r.judgeOutput(&res, exp)
		}
	case errors.As(err, &crash):
		res.Status, res.Crashed = Fail, true
		if crash.Reboot {
			res.Detail = crash.Error()
		} else {
			res.Detail = "firmware crashed: " + DecodeFault(crash.Report, r.t.ELF)
			if r.recover(ctx) {
				res.Detail += "; the board was recovered"
			}
		}
	case errors.Is(err, rawrepl.ErrRaised):
		res.Status = Fail
	case errors.Is(err, rawrepl.ErrTimeout):
		res.Status, res.Err = Timeout, fmt.Errorf("stopped after %v", timeout)
	case errors.Is(err, rawrepl.ErrNoResponse) && sctx.Err() == context.DeadlineExceeded && ctx.Err() == nil:
		res.Status = Timeout
		if r.recover(ctx) {
			res.Err = fmt.Errorf("stopped after %v; the board ignored Ctrl-C and was recovered", timeout)
		} else {
			res.Err = fmt.Errorf("stopped after %v; the board ignored Ctrl-C: %w", timeout, r.dead)
		}
	default:
		res.Status, res.Err = Error, err
		if errors.Is(err, rawrepl.ErrNoResponse) || errors.Is(err, rawrepl.ErrClosed) {
			r.recover(ctx)
		}
	}
	res.Duration = time.Since(start)
	r.print(res)
	return res
}

// judgeOutput turns a script that ended well into a skip (its last line is
// "SKIP" or "SKIP: reason") or, when a .exp file lies beside it, a failure
// when the output differs.
func (r *runner) judgeOutput(res *Result, exp []byte) {
	lines := strings.Split(strings.TrimRight(res.Stdout, "\n"), "\n")
	if last := lines[len(lines)-1]; last == "SKIP" || strings.HasPrefix(last, "SKIP: ") {
		res.Status, res.Detail = Skip, strings.TrimPrefix(strings.TrimPrefix(last, "SKIP"), ": ")
		return
	}
	if exp != nil {
		if d := lineDiff(string(exp), res.Stdout); d != "" {
			res.Status, res.Detail = Fail, "output differs from "+filepath.Base(res.Script)+".exp (- expected, + got):\n"+d
		}
	}
}

// readExp reads the expected output beside a script (upstream run-tests.py's
// convention: test.py.exp), nil when there is none.
func readExp(script string) ([]byte, error) {
	b, err := os.ReadFile(script + ".exp")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), nil
}

// timeoutLine is a script's own time limit, e.g. "# mpforge: timeout=300".
var timeoutLine = regexp.MustCompile(`^#\s*mpforge:\s*timeout\s*=\s*(\S+)\s*$`)

// scriptTimeout is the limit set in the script's leading comments, else def.
func scriptTimeout(src []byte, def time.Duration) (time.Duration, error) {
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "#") {
			break
		}
		m := timeoutLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		d, err := ParseTimeout(m[1])
		if err != nil {
			return 0, fmt.Errorf("bad %q: give seconds (300) or a duration (5m)", line)
		}
		return d, nil
	}
	return def, nil
}

// prepare soft-resets the board into a clean raw REPL, recovering it once
// if it does not answer.
func (r *runner) prepare(ctx context.Context) error {
	err := r.client.SoftReset(ctx)
	if err == nil || ctx.Err() != nil {
		return err
	}
	r.logWarn("board not answering; recovering it", "err", err)
	if !r.recover(ctx) {
		return r.dead
	}
	if err := r.client.SoftReset(ctx); err != nil {
		r.dead = fmt.Errorf("board still not answering after recovery: %w", err)
		return r.dead
	}
	return nil
}

// recover replaces the connection through the target's Recover hook.
func (r *runner) recover(ctx context.Context) bool {
	if r.t.Recover == nil {
		r.dead = errors.New("board not answering and the target cannot be recovered; reset it by hand")
		return false
	}
	conn, err := r.t.Recover(ctx)
	if err != nil {
		r.dead = fmt.Errorf("recovering the board: %w", err)
		return false
	}
	r.t.Conn, r.t.shared = conn, nil
	r.client.Close()
	r.client = r.connect()
	return true
}

func (r *runner) logWarn(msg string, kv ...any) {
	if r.o.Logger != nil {
		r.o.Logger.Warn(msg, kv...)
	}
}

func (r *runner) print(res Result) {
	line := fmt.Sprintf("--- %s: %s (%v)", strings.ToUpper(string(res.Status)), res.Script, res.Duration.Round(10*time.Millisecond))
	if res.Err != nil {
		line += ": " + res.Err.Error()
	}
	if res.Detail != "" {
		line += ": " + strings.TrimRight(res.Detail, "\n")
	}
	fmt.Fprintln(r.o.Out, line)
}

// ParseTimeout reads a time limit given as seconds ("300", "1.5") or as a
// Go duration ("5m"); it must be positive.
func ParseTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if secs, ferr := strconv.ParseFloat(s, 64); ferr == nil {
		d, err = time.Duration(secs*float64(time.Second)), nil
	}
	if err == nil && d <= 0 {
		err = fmt.Errorf("%s is not a positive time", s)
	}
	return d, err
}
