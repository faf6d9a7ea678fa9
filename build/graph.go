// Package build runs a graph of build steps in parallel and skips every step
// whose command and input contents are unchanged since it last succeeded.
package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/log"
)

// Step is one node of the build graph.
type Step struct {
	Kind    string   // short verb shown in progress: CC, QSTR, GEN, LINK
	Name    string   // what it works on, shown in progress
	Outputs []string // files it writes; at least one
	Inputs  []string // files it reads that are known before it runs
	After   []*Step  // steps that must finish first (producers of inputs are added automatically)
	// Command identifies the work: a change to it reruns the step. For a
	// process it is the argv.
	Command []string
	// Run does the work, writing each output atomically. It returns the
	// inputs it discovered (a depfile's headers) and any diagnostics to show
	// even on success (compiler warnings).
	Run func(ctx context.Context) (discovered []string, diagnostics []byte, err error)
	// Sub, set instead of Run, makes the step a build of its own that other
	// builds share (a host tool, with its own log and lock) and that runs
	// side by side with this one: it runs every time, as its own steps skip
	// what is up to date; it holds no job slot, as they take theirs from
	// opts; and its steps count as this build's.
	Sub func(ctx context.Context, opts Options) (*Result, error)
}

func (s *Step) label() string { return s.Kind + " " + s.Name }

// Options tune a run.
type Options struct {
	Jobs     int         // parallel steps; 0 means one per CPU
	Logger   *log.Logger // where diagnostics and verbose command lines go; nil is quiet
	Verbose  bool        // print every command line
	Progress *Progress   // live status line; nil prints none

	// shared by a build and its Sub builds
	slots chan struct{} // one token per running step
	count *counter      // steps done and known, for progress
}

type counter struct {
	mu          sync.Mutex
	done, total int
}

// Result says what a run did.
type Result struct {
	Ran      []string // labels of the steps that ran, in completion order
	Reused   int      // steps found up to date
	Total    int
	Duration time.Duration
}

// RanKind counts the steps of one kind that ran.
func (r *Result) RanKind(kind string) int {
	n := 0
	for _, l := range r.Ran {
		if strings.HasPrefix(l, kind+" ") {
			n++
		}
	}
	return n
}

// StepError is a step that failed, with the tool's own message.
type StepError struct {
	Step   string
	Err    error
	Output string
}

func (e *StepError) Error() string {
	msg := fmt.Sprintf("%s failed: %v", e.Step, e.Err)
	if out := strings.TrimSpace(e.Output); out != "" {
		msg += "\n" + out
	}
	return msg
}

func (e *StepError) Unwrap() error { return e.Err }

// Run brings every step up to date. stateDir holds the build log; callers
// hold the build lock (see Lock) around Run.
func Run(ctx context.Context, logPath string, steps []*Step, opts Options) (*Result, error) {
	start := time.Now()
	if opts.Jobs <= 0 {
		opts.Jobs = runtime.NumCPU()
	}
	if opts.slots == nil {
		opts.slots = make(chan struct{}, opts.Jobs)
	}
	if opts.count == nil {
		opts.count = &counter{}
	}
	blog, err := openLog(logPath)
	if err != nil {
		return nil, fmt.Errorf("build log %s: %w", logPath, err)
	}
	defer blog.close()
	e := &engine{opts: opts, log: blog, digests: newDigester(blog.knownStates()), result: &Result{}}
	for _, s := range steps {
		if s.Sub == nil {
			e.result.Total++
		}
	}
	opts.count.mu.Lock()
	opts.count.total += e.result.Total
	opts.count.mu.Unlock()
	if err := e.run(ctx, steps); err != nil {
		return e.result, err
	}
	if err := blog.add(nil, e.digests.drain()); err != nil {
		return e.result, err
	}
	e.result.Duration = time.Since(start)
	return e.result, nil
}

type engine struct {
	opts    Options
	log     *buildLog
	digests *digester
	mu      sync.Mutex
	result  *Result
}

type node struct {
	step    *Step
	waiting int
	next    []*node
}

func (e *engine) run(ctx context.Context, steps []*Step) error {
	producer := map[string]*Step{}
	for _, s := range steps {
		if len(s.Outputs) == 0 {
			return fmt.Errorf("step %s has no outputs", s.label())
		}
		for _, o := range s.Outputs {
			if p, dup := producer[o]; dup {
				return fmt.Errorf("%s is written by both %s and %s", o, p.label(), s.label())
			}
			producer[o] = s
		}
	}
	nodes := map[*Step]*node{}
	for _, s := range steps {
		nodes[s] = &node{step: s}
	}
	for _, s := range steps {
		preds := slices.Clone(s.After)
		for _, in := range s.Inputs {
			if p, ok := producer[in]; ok {
				preds = append(preds, p)
			}
		}
		seen := map[*Step]bool{}
		for _, p := range preds {
			pn, ok := nodes[p]
			if !ok {
				return fmt.Errorf("step %s waits for %s, which is not in the build", s.label(), p.label())
			}
			if !seen[p] {
				seen[p] = true
				pn.next = append(pn.next, nodes[s])
				nodes[s].waiting++
			}
		}
	}

	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type completion struct {
		n   *node
		err error
	}
	completions := make(chan completion)
	var firstErr error
	var queue []*node
	running, finished := 0, 0
	start := func(n *node, slot bool) {
		running++
		go func() {
			err := e.bring(ctx, n.step)
			if slot {
				<-e.opts.slots
			}
			completions <- completion{n, err}
		}()
	}
	ready := func(n *node) {
		if n.step.Sub != nil {
			start(n, false) // at once: its steps queue for slots with ours
		} else {
			queue = append(queue, n)
		}
	}
	for _, s := range steps {
		if nodes[s].waiting == 0 {
			ready(nodes[s])
		}
	}
	complete := func(c completion) {
		running--
		finished++
		if c.err != nil {
			if firstErr == nil {
				firstErr = c.err
				cancel() // running compilers are killed; nothing new starts
			}
			return
		}
		for _, next := range c.n.next {
			next.waiting--
			if next.waiting == 0 && firstErr == nil {
				ready(next)
			}
		}
	}
	for finished < len(nodes) {
		if firstErr == nil && ctx.Err() == nil && len(queue) > 0 {
			// A slot may be freed by a Sub build as well as by our own steps.
			select {
			case e.opts.slots <- struct{}{}:
				n := queue[0]
				queue = queue[1:]
				start(n, true)
			case c := <-completions:
				complete(c)
			case <-ctx.Done():
			}
			continue
		}
		if running == 0 {
			break // failed or interrupted: nothing more will start
		}
		complete(<-completions)
	}
	if parent.Err() != nil { // Ctrl-C or the caller gave up: say so, not what it broke
		firstErr = fmt.Errorf("build interrupted (%w); finished steps are kept", context.Cause(parent))
	} else if firstErr == nil && finished < len(nodes) {
		firstErr = fmt.Errorf("build stopped early: %w", context.Cause(ctx))
	}
	if p := e.opts.Progress; p != nil {
		p.Done()
	}
	return firstErr
}

// bring checks one step and runs it when it is out of date.
func (e *engine) bring(ctx context.Context, s *Step) error {
	if s.Sub != nil {
		return e.sub(ctx, s)
	}
	cmd := commandDigest(s)
	if e.upToDate(s, cmd) {
		e.finish(s, false)
		return e.log.add(nil, e.digests.drain())
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	e.announce(s)
	started := time.Now()
	discovered, diag, err := s.Run(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		var se *StepError
		if errors.As(err, &se) {
			return err
		}
		return &StepError{Step: s.label(), Err: err, Output: string(diag)}
	}
	if len(diag) > 0 && e.opts.Logger != nil {
		e.printAbove(string(diag)) // warnings
	}
	rec := &record{Outputs: s.Outputs, Command: cmd}
	rec.Inputs = Dedupe(append(slices.Clone(s.Inputs), discovered...))
	rec.InputsDigest = e.inputsDigest(rec.Inputs, started)
	e.digests.forget(s.Outputs...)
	for _, o := range s.Outputs {
		rec.OutputDigests = append(rec.OutputDigests, e.digests.file(o))
	}
	e.finish(s, true)
	return e.log.add(rec, e.digests.drain())
}

// sub runs a Sub step's build on this build's slots and counts its steps.
func (e *engine) sub(ctx context.Context, s *Step) error {
	res, err := s.Sub(ctx, e.opts)
	if res != nil {
		e.mu.Lock()
		e.result.Ran = append(e.result.Ran, res.Ran...)
		e.result.Reused += res.Reused
		e.result.Total += res.Total
		e.mu.Unlock()
	}
	e.digests.forget(s.Outputs...) // its outputs are the inputs of our steps
	return err
}

func (e *engine) upToDate(s *Step, cmd Digest) bool {
	rec := e.log.lookup(s.Outputs[0])
	if rec == nil || rec.Command != cmd || !slices.Equal(rec.Outputs, s.Outputs) {
		return false
	}
	for i, o := range s.Outputs {
		if e.digests.file(o) != rec.OutputDigests[i] {
			return false // deleted, truncated or edited by hand
		}
	}
	return e.inputsDigest(rec.Inputs, time.Time{}) == rec.InputsDigest
}

// inputsDigest combines the contents of inputs. A file modified after the
// step started may not be what the step read, so it makes the digest one
// that never matches, and the step runs again next time.
func (e *engine) inputsDigest(inputs []string, started time.Time) Digest {
	parts := make([]string, 0, 2*len(inputs))
	for _, in := range inputs {
		if !started.IsZero() {
			if fi, err := os.Stat(in); err == nil && !fi.ModTime().Before(started) {
				return DigestStrings("\x00modified during the build", time.Now().String())
			}
		}
		d := e.digests.file(in)
		parts = append(parts, in, string(d[:]))
	}
	return DigestStrings(parts...)
}

func commandDigest(s *Step) Digest {
	parts := append(slices.Clone(s.Command), "\x00inputs")
	parts = append(parts, s.Inputs...)
	return DigestStrings(parts...)
}

func (e *engine) announce(s *Step) {
	c := e.opts.count
	c.mu.Lock()
	n, total := c.done+1, c.total
	c.mu.Unlock()
	if p := e.opts.Progress; p != nil {
		p.Show(fmt.Sprintf("[%d/%d] %s", n, total, s.label()))
	}
	if e.opts.Verbose && e.opts.Logger != nil {
		e.printAbove(fmt.Sprintf("%s\n  %s", s.label(), strings.Join(s.Command, " ")))
	}
}

func (e *engine) printAbove(text string) {
	if p := e.opts.Progress; p != nil {
		p.Clear()
	}
	e.opts.Logger.Print(strings.TrimRight(text, "\n"))
}

func (e *engine) finish(s *Step, ran bool) {
	e.opts.count.mu.Lock()
	e.opts.count.done++
	e.opts.count.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if ran {
		e.result.Ran = append(e.result.Ran, s.label())
	} else {
		e.result.Reused++
	}
}

// Dedupe drops repeated paths, keeping the first of each in order.
func Dedupe(paths []string) []string {
	seen := make(map[string]bool, len(paths))
	out := paths[:0]
	for _, p := range paths {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
