// Package shared lets clients take turns on one connection to a board.
//
// A raw-REPL client (or a mount server) reads its connection in the
// background until Read fails, which a board's console does not do between
// two clients: reading it directly, a finished client goes on taking bytes
// that the next one waits for. Here one goroutine reads the connection and
// each client reads through a Session, whose reads end when it is closed.
package shared

import (
	"io"
	"sync"
)

// Conn reads a connection in one goroutine and hands what it reads to one
// session at a time.
type Conn struct {
	conn io.ReadWriter
	data chan []byte
	err  error // why the pump stopped; valid once data is closed

	mu   sync.Mutex // one session reads at a time
	rest []byte     // taken from data, not yet read
}

// New starts reading conn; it reads until conn's Read fails (the caller
// closes conn when done with it).
func New(conn io.ReadWriter) *Conn {
	s := &Conn{conn: conn, data: make(chan []byte, 64)}
	go s.pump()
	return s
}

func (s *Conn) pump() {
	for {
		b := make([]byte, 4096)
		n, err := s.conn.Read(b)
		if n > 0 {
			s.data <- b[:n]
		}
		if err != nil {
			s.err = err
			close(s.data)
			return
		}
	}
}

// Open starts a session: it reads the connection until it is closed, and
// what it has not read by then stays for the next session.
func (s *Conn) Open() *Session {
	return &Session{c: s, done: make(chan struct{})}
}

// Session is one client's turn on the connection.
type Session struct {
	c         *Conn
	done      chan struct{}
	closeOnce sync.Once
}

// Read blocks until the board sends something or the session closes
// (io.EOF); bytes that arrive as it closes are kept, not returned.
func (s *Session) Read(p []byte) (int, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	if len(s.c.rest) == 0 {
		select {
		case b, ok := <-s.c.data:
			if !ok {
				return 0, s.c.err
			}
			s.c.rest = b
		case <-s.done:
			return 0, io.EOF
		}
	}
	select {
	case <-s.done:
		return 0, io.EOF
	default:
	}
	n := copy(p, s.c.rest)
	s.c.rest = s.c.rest[n:]
	return n, nil
}

func (s *Session) Write(p []byte) (int, error) { return s.c.conn.Write(p) }

// Close ends the session's reads; it never fails.
func (s *Session) Close() error {
	s.closeOnce.Do(func() { close(s.done) })
	return nil
}
