package rawrepl

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"
)

// board plays a board whose console prints out (in pieces of the given
// sizes) whatever it is sent, then stays silent until closed.
type board struct {
	out    []byte
	pieces []byte
	mu     sync.Mutex
	closed chan struct{}
	once   sync.Once
}

func (b *board) Read(p []byte) (int, error) {
	b.mu.Lock()
	if len(b.out) > 0 {
		n := len(b.out)
		if len(b.pieces) > 0 {
			n = min(n, int(b.pieces[0])+1)
			b.pieces = b.pieces[1:]
		}
		n = copy(p, b.out[:n])
		b.out = b.out[n:]
		b.mu.Unlock()
		return n, nil
	}
	b.mu.Unlock()
	<-b.closed
	return 0, io.EOF
}

func (b *board) Write(p []byte) (int, error) { return len(p), nil }
func (b *board) Close()                      { b.once.Do(func() { close(b.closed) }) }

// FuzzFraming: whatever a board answers (torn prompts, stray control bytes,
// a FATAL line or a banner in the middle, the raw-paste window replies),
// entering the raw REPL, running a script and soft-resetting end with a
// result or an error within their deadline, never a panic or a hang.
func FuzzFraming(f *testing.F) {
	f.Add([]byte("raw REPL; CTRL-B to exit\r\n>OK\x04\x04>"), []byte{3, 1, 0})
	f.Add([]byte("raw REPL; CTRL-B to exit\r\n>R\x01\x80\x00\x01\x04hi\r\n\x04\x04>"), []byte{})
	f.Add([]byte("raw REPL; CTRL-B to exit\r\n>OKhi\r\nFATAL: HardFault pc=0x00000100 lr=0x1 hfsr=0x0 cfsr=0x0 mmfar=0x0 bfar=0x0\r\n"), []byte{7})
	f.Add([]byte(">OK\x04Traceback\x04>MicroPython v1.26.1 on 2025-09-11; x with y\r\nType \"help()\" for more information.\r\n>>> "), []byte{0, 0, 0})
	f.Fuzz(func(t *testing.T, out, pieces []byte) {
		b := &board{out: out, pieces: pieces, closed: make(chan struct{})}
		c := New(b, Options{EnterTimeout: 50 * time.Millisecond, ResetTimeout: 50 * time.Millisecond,
			InterruptGrace: 50 * time.Millisecond, ChunkDelay: time.Microsecond})
		defer func() { b.Close(); c.Close() }()
		done := make(chan struct{})
		go func() {
			defer close(done)
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			if c.Enter(ctx) == nil {
				c.Exec(ctx, []byte("print('hi')\n"), io.Discard, io.Discard)
				c.SoftReset(ctx)
			}
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("the client hung on the board's answer %q", out)
		}
	})
}
