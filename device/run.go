package device

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/log"

	"mpforge/device/rawrepl"
)

// Status is the outcome of one script.
type Status string

const (
	Pass    Status = "pass"    // ran to the end
	Fail    Status = "fail"    // raised an exception
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
}

// Report is the outcome of a run.
type Report struct {
	Target   string
	Started  time.Time
	Duration time.Duration
	Results  []Result
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

// Failed reports whether any script did not pass.
func (r *Report) Failed() bool { return r.Count(Pass) != len(r.Results) }

// Summary is one line: "PASS: 5 scripts passed (3.1s)" or
// "FAIL: 5 scripts: 3 passed, 1 failed, 1 timed out, 0 errors (9.3s)".
func (r *Report) Summary() string {
	d := r.Duration.Round(10 * time.Millisecond)
	if !r.Failed() {
		return fmt.Sprintf("PASS: %d %s passed (%v)", len(r.Results), plural(len(r.Results)), d)
	}
	return fmt.Sprintf("FAIL: %d %s: %d passed, %d failed, %d timed out, %d errors (%v)",
		len(r.Results), plural(len(r.Results)), r.Count(Pass), r.Count(Fail), r.Count(Timeout), r.Count(Error), d)
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
}

// Scripts expands paths into the scripts to run: files as given, folders
// as every *.py below them (hidden folders and __pycache__ skipped), each
// folder's scripts in lexical order.
func Scripts(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("script %s: %w", p, err)
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() && path != p && (strings.HasPrefix(name, ".") || name == "__pycache__") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(name, ".py") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", p, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("no .py scripts in %s", p)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	if len(out) == 0 {
		return nil, errors.New("no scripts given")
	}
	return out, nil
}

// RunScripts runs each script (see Scripts) on the target, soft-resetting
// the board before each so every script starts clean. It returns the
// report, and an error wrapping ErrScriptsFailed when any script did not
// pass (or ctx's error when the run was cancelled).
func RunScripts(ctx context.Context, t *Target, paths []string, o Options) (*Report, error) {
	scripts, err := Scripts(paths)
	if err != nil {
		return nil, err
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.REPL.Logger == nil {
		o.REPL.Logger = o.Logger
	}
	r := &runner{t: t, o: o, client: rawrepl.New(t.Conn, o.REPL)}
	rep := &Report{Target: t.Name, Started: time.Now()}
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
		_ = r.client.Exit()
	}
	r.client.Close()
	rep.Duration = time.Since(rep.Started)
	fmt.Fprintln(o.Out, rep.Summary())
	switch {
	case ctx.Err() != nil:
		return rep, ctx.Err()
	case rep.Failed():
		return rep, fmt.Errorf("%w: %s", ErrScriptsFailed, rep.Summary())
	}
	return rep, nil
}

type runner struct {
	t      *Target
	o      Options
	client *rawrepl.Client
	dead   error // the board is gone for good: remaining scripts are not run
}

func (r *runner) run(ctx context.Context, script string) Result {
	res := Result{Script: script}
	start := time.Now()
	src, err := os.ReadFile(script)
	var timeout time.Duration
	if err == nil {
		timeout, err = scriptTimeout(src, r.o.Timeout)
	}
	if err != nil {
		res.Status, res.Err = Error, err
		r.print(res)
		return res
	}
	if err := r.prepare(ctx); err != nil {
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
	switch {
	case err == nil:
		res.Status = Pass
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
	r.t.Conn = conn
	r.client.Close()
	r.client = rawrepl.New(conn, r.o.REPL)
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
