// Package watch rebuilds a firmware whenever one of its inputs changes: it
// watches exactly the folders the build reads (inotify through fsnotify, no
// polling), merges a burst of changes into one build, prints one line per
// build, and optionally restarts the QEMU twin or flashes the board after
// each good build.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/log"
	"github.com/fsnotify/fsnotify"
	"golang.org/x/term"

	"mpforge/device/qemu"
	"mpforge/toolchain"
)

// DefaultQuiet is how long the inputs must stay unchanged before a build
// starts. An editor's save is a few writes within a millisecond or two, and a
// git checkout of a hundred files takes some tens of milliseconds; 120 ms
// merges each into one build and is not felt next to the build itself.
const DefaultQuiet = 120 * time.Millisecond

// Build runs one build. changed lists the paths whose events led to it (nil
// for the first build). A failed build returns its error, which the watcher
// prints as it is: it should carry the compiler's message.
type Build func(ctx context.Context, changed []string) (*Outcome, error)

// Inputs says what the build reads. It is asked before the first build and
// after every build, since a glob may now match new files or an edit may
// include a new header.
type Inputs func() (Set, error)

// Outcome is a good build.
type Outcome struct {
	ELF     string
	Regions []toolchain.RegionUse
	Ran     []string // steps that ran ("CC py/obj.c", "LINK out/.../firmware.elf")
}

// Relinked says whether the firmware was written anew.
func (o *Outcome) Relinked() bool {
	return slices.ContainsFunc(o.Ran, func(s string) bool { return strings.HasPrefix(s, "LINK ") })
}

// Options configure a watch session.
type Options struct {
	Build  Build
	Inputs Inputs
	Quiet  time.Duration // DefaultQuiet when zero
	Out    io.Writer     // one line per build; nil is quiet
	Logger *log.Logger   // what changed, what is watched, at debug level; nil is quiet

	// Flash, when set, is called with the firmware after the first good
	// build and after each good build that changed the firmware.
	Flash func(ctx context.Context, elf string) error
	// QEMU, when set, runs the firmware on its twin (Kernel is filled in),
	// restarted after each good build that changed the firmware, with the
	// REPL on os.Stdin and Out. A terminal is put in raw mode for the whole
	// session, so Ctrl-C reaches the REPL and the exit keys
	// (console.ExitHelp) end the session.
	QEMU *qemu.Options
}

// overflowPath stands for "the kernel dropped events": rebuild to be safe.
const overflowPath = "(event queue overflow)"

// Run watches and builds until ctx ends (Ctrl-C) or, with QEMU, the user
// presses an exit key. It returns nil then; a failed build never ends it.
// It returns an error only when watching is impossible (e.g. the inotify
// watch limit). On return no build, QEMU or flash is running any more.
func Run(ctx context.Context, o Options) error {
	if o.Build == nil || o.Inputs == nil {
		return errors.New("watch: Options.Build and Options.Inputs are required")
	}
	if o.Quiet <= 0 {
		o.Quiet = DefaultQuiet
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fsw, err := newFSWatcher(o.Logger)
	if err != nil {
		return err
	}
	defer fsw.close()
	l := &loop{o: o, fsw: fsw, out: &printer{w: o.Out}}
	set, err := o.Inputs()
	if err != nil {
		l.debug("cannot list the build's inputs yet", "err", err)
	}
	if _, err := fsw.sync(set); err != nil {
		return err
	}
	if o.QEMU != nil {
		l.out.raw = term.IsTerminal(int(os.Stdin.Fd()))
		if l.twin, err = openTwin(*o.QEMU, os.Stdin, l.out); err != nil {
			return err
		}
		defer l.twin.close()
	}
	return l.run(ctx, cancel)
}

type loop struct {
	o        Options
	fsw      *fsWatcher
	out      *printer
	twin     *twin
	lastGood []toolchain.RegionUse
	good     bool // a build has succeeded in this session
}

type cycleResult struct {
	set    Set
	setErr error
}

func (l *loop) debug(msg string, kv ...any) {
	if l.o.Logger != nil {
		l.o.Logger.Debug(msg, kv...)
	}
}

func (l *loop) run(ctx context.Context, cancel context.CancelFunc) error {
	var exited <-chan struct{}
	if l.twin != nil {
		exited = l.twin.exited
	}
	pending := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	armed := false // the quiet period runs
	building := true
	done := make(chan cycleResult, 1)
	start := func(changed []string) {
		building = true
		go func() { done <- l.cycle(ctx, changed) }()
	}
	start(nil)
	// finish waits for the running cycle: its compilers, QEMU start or flash
	// see the cancelled context and stop.
	finish := func() {
		cancel()
		if building {
			<-done
		}
	}
	changed := func(path string) {
		pending[path] = true
		timer.Reset(l.o.Quiet)
		armed = true
	}
	for {
		select {
		case <-ctx.Done():
			finish()
			return nil
		case <-exited:
			finish()
			return nil
		case ev, ok := <-l.fsw.fs.Events:
			if !ok {
				finish()
				return errors.New("watch: the file watcher stopped")
			}
			build, resync := l.fsw.r.classify(ev.Name, ev.Has(fsnotify.Create))
			l.debug("event", "op", ev.Op.String(), "path", ev.Name, "counts", build)
			if resync {
				moved, err := l.fsw.resync()
				if err != nil {
					finish()
					return err
				}
				for _, p := range moved {
					changed(p)
				}
			}
			if build {
				changed(ev.Name)
			}
		case err, ok := <-l.fsw.fs.Errors:
			if !ok {
				finish()
				return errors.New("watch: the file watcher stopped")
			}
			if !errors.Is(err, fsnotify.ErrEventOverflow) {
				l.out.line("watch: " + err.Error())
				continue
			}
			// The kernel dropped events: rebuild, and watch again what may have moved.
			if _, err := l.fsw.resync(); err != nil {
				finish()
				return err
			}
			changed(overflowPath)
		case <-timer.C:
			armed = false
			if !building { // else the build's end starts the next one
				start(drain(pending))
			}
		case r := <-done:
			building = false
			if r.setErr != nil {
				l.debug("keeping the previous watch list", "err", r.setErr)
			} else {
				moved, err := l.fsw.sync(r.set)
				if err != nil {
					finish()
					return err
				}
				for _, p := range moved {
					changed(p)
				}
			}
			// Changes during the build whose quiet period is over: one more build.
			if !armed && len(pending) > 0 {
				start(drain(pending))
			}
		}
	}
}

func drain(pending map[string]bool) []string {
	paths := slices.Sorted(maps.Keys(pending))
	clear(pending)
	return paths
}

// cycle is one build with its report and what follows a good one.
func (l *loop) cycle(ctx context.Context, changed []string) cycleResult {
	if len(changed) > 0 {
		l.debug("rebuilding", "changed", strings.Join(changed, " "))
	}
	begin := time.Now()
	oc, err := l.o.Build(ctx, changed)
	if ctx.Err() != nil {
		return cycleResult{setErr: ctx.Err()}
	}
	took := time.Since(begin)
	if err != nil {
		l.out.line(failLine(took, err))
	} else {
		l.out.line(okLine(took, oc.Regions, l.lastGood))
		fresh := !l.good || oc.Relinked()
		l.lastGood, l.good = oc.Regions, true
		if fresh {
			l.afterGood(ctx, oc.ELF)
		}
	}
	set, setErr := l.o.Inputs()
	return cycleResult{set: set, setErr: setErr}
}

// afterGood runs the firmware on the twin and flashes it; a failure of
// either is reported and the session goes on.
func (l *loop) afterGood(ctx context.Context, elf string) {
	if l.twin != nil {
		if err := l.twin.restart(ctx, elf); err != nil && ctx.Err() == nil {
			l.out.line("qemu: " + err.Error())
		}
	}
	if l.o.Flash != nil {
		begin := time.Now()
		err := l.o.Flash(ctx, elf)
		switch {
		case ctx.Err() != nil:
		case err != nil:
			l.out.line("flash failed: " + err.Error())
		default:
			l.out.line(fmt.Sprintf("flashed in %s", seconds(time.Since(begin))))
		}
	}
}
