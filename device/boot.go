package device

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"

	"mpforge/device/rawrepl"
)

// BootWatch reads a board's console from the moment it is opened, so that
// what the board prints while it starts (the banner after a reset or a
// flash) is not lost before anyone asks for it. It is itself the console
// from then on: give it to RunScripts or a REPL client in place of the
// connection it wraps.
type BootWatch struct {
	conn io.ReadWriter
	mu   sync.Mutex
	cond *sync.Cond
	buf  []byte // read from conn, not yet taken by Read
	seen []byte // everything read, for the banner search; bounded
	err  error  // conn's read error, once it failed
}

const maxSeen = 64 << 10

// WatchBoot starts reading conn.
func WatchBoot(conn io.ReadWriter) *BootWatch {
	w := &BootWatch{conn: conn}
	w.cond = sync.NewCond(&w.mu)
	go w.pump()
	return w
}

func (w *BootWatch) pump() {
	b := make([]byte, 4096)
	for {
		n, err := w.conn.Read(b)
		w.mu.Lock()
		w.buf = append(w.buf, b[:n]...)
		w.seen = append(w.seen, b[:n]...)
		if len(w.seen) > maxSeen {
			w.seen = w.seen[len(w.seen)-maxSeen/2:]
		}
		if err != nil {
			w.err = err
		}
		w.cond.Broadcast()
		w.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// Read returns what the board printed, in order, including the banner.
func (w *BootWatch) Read(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.buf) == 0 && w.err == nil {
		w.cond.Wait()
	}
	if len(w.buf) == 0 {
		return 0, w.err
	}
	n := copy(p, w.buf)
	w.buf = w.buf[n:]
	return n, nil
}

func (w *BootWatch) Write(p []byte) (int, error) { return w.conn.Write(p) }

// Banner waits until the board has printed MicroPython's start-up banner
// since the watch began (or since the last Banner call) and returns it
// without its line end. Everything before it, a fault report or a
// vendor boot message, comes back in before.
func (w *BootWatch) Banner(ctx context.Context) (banner string, before []byte, err error) {
	stop := context.AfterFunc(ctx, func() {
		w.mu.Lock()
		w.cond.Broadcast()
		w.mu.Unlock()
	})
	defer stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		if loc := rawrepl.BootBanner.FindSubmatchIndex(w.seen); loc != nil {
			banner = string(w.seen[loc[2]:loc[3]])
			before = bytes.Clone(w.seen[:loc[0]])
			w.seen = w.seen[loc[1]:]
			return banner, before, nil
		}
		if w.err != nil {
			return "", bytes.Clone(w.seen), fmt.Errorf("the console closed before a MicroPython banner: %w", w.err)
		}
		if ctx.Err() != nil {
			return "", bytes.Clone(w.seen), ctx.Err()
		}
		w.cond.Wait()
	}
}
