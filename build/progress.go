package build

import (
	"fmt"
	"io"
	"sync"
)

// Progress is a one-line status ("[37/180] CC py/obj.c") redrawn in place on
// a terminal.
type Progress struct {
	mu    sync.Mutex
	w     io.Writer
	shown bool
}

// NewProgress draws on w, which should be a terminal.
func NewProgress(w io.Writer) *Progress { return &Progress{w: w} }

// Show replaces the status line.
func (p *Progress) Show(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
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
