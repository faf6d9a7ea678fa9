// Package testconsole lets a test talk to a firmware's console as a person
// at a terminal would: send text, wait for what should come back.
package testconsole

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// Console collects what the firmware prints and waits for expected text.
type Console struct {
	t   testing.TB
	w   io.Writer
	mu  sync.Mutex
	buf bytes.Buffer
	pos int // everything before pos has been matched already
}

// New starts reading rw until its Read fails (the caller closes it).
func New(t testing.TB, rw io.ReadWriter) *Console {
	c := &Console{t: t, w: rw}
	go func() {
		b := make([]byte, 512)
		for {
			n, err := rw.Read(b)
			c.mu.Lock()
			c.buf.Write(b[:n])
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return c
}

// Send types s.
func (c *Console) Send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.w, s); err != nil {
		c.t.Fatal(err)
	}
}

// Expect waits for want after the last match and returns what came before
// it. The deadline only guards against a hang; it is not a speed check.
func (c *Console) Expect(want string) string {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		seen := c.buf.String()[c.pos:]
		if i := strings.Index(seen, want); i >= 0 {
			c.pos += i + len(want)
			c.mu.Unlock()
			return seen[:i]
		}
		c.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.Fatalf("did not see %q; the console showed:\n%s", want, c.buf.String()[c.pos:])
	return ""
}
