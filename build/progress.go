package build

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Progress is a one-line status ("[37/180] CC py/obj.c"): redrawn in place
// on a terminal, or in a log (NewPlainProgress) printed as a plain line at
// most every few seconds.
type Progress struct {
	mu    sync.Mutex
	w     io.Writer
	shown bool
	// plain mode: every is the interval, last when a line was printed.
	every time.Duration
	last  time.Time
	now   func() time.Time
}

// NewProgress draws on w, which should be a terminal.
func NewProgress(w io.Writer) *Progress { return &Progress{w: w} }

// NewPlainProgress writes to a log: the current status as one plain line
// when every has passed since the last (the first after every, so that a
// quick build prints none), never a control sequence.
func NewPlainProgress(w io.Writer, every time.Duration) *Progress {
	p := &Progress{w: w, every: every, now: time.Now}
	p.last = p.now()
	return p
}

// Show replaces the status line.
func (p *Progress) Show(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.every > 0 {
		if now := p.now(); now.Sub(p.last) >= p.every {
			fmt.Fprintln(p.w, line)
			p.last = now
		}
		return
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
	p.shown = true
}

// Clear erases the status line so that other output can be printed.
func (p *Progress) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// Done ends the status line.
func (p *Progress) Done() { p.Clear() }
