// Package syncbuf has a bytes.Buffer that a test can read while another
// goroutine (a process's output copier) writes to it, and a Writer that
// several goroutines can share.
package syncbuf

import (
	"bytes"
	"io"
	"sync"
)

// Buffer is safe for one writer and concurrent readers.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Writer passes whole Write calls to W one at a time, so that several
// goroutines (boards of a rack, a monitor's notices and the board's output)
// can share one output without their lines interleaving.
type Writer struct {
	mu sync.Mutex
	W  io.Writer
}

func (l *Writer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.W.Write(p)
}
