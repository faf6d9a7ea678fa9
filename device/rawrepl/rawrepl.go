// Package rawrepl runs Python source on a MicroPython board through its raw
// REPL, over any byte stream: a serial port, a pty, or QEMU's pipes.
//
// The protocol (as MicroPython's shared/runtime/pyexec.c implements it and
// tools/pyboard.py drives it):
//
//	Ctrl-C                 interrupt whatever runs
//	Ctrl-A                 enter the raw REPL: "raw REPL; CTRL-B to exit\r\n>"
//	Ctrl-E 'A' Ctrl-A      ask for raw-paste mode: "R\x01" yes, "R\x00" no,
//	                       anything else: firmware too old (it resets the raw REPL)
//	  then <u16 LE window>  the board buffers that many bytes; each Ctrl-A it
//	                       sends later grants one more window; Ctrl-D from the
//	                       board means "stop sending" (e.g. a syntax error)
//	  source, Ctrl-D       end of source; the board acknowledges with Ctrl-D
//	plain raw mode         source, Ctrl-D; the board answers "OK"
//	then                   stdout Ctrl-D stderr(traceback) Ctrl-D ">"
//	Ctrl-D at ">"          soft reset; the board comes back in the raw REPL
//	Ctrl-B                 back to the friendly REPL
package rawrepl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/charmbracelet/log"
)

var (
	// ErrRaised: the script ended with an uncaught exception (its traceback
	// went to the stderr writer).
	ErrRaised = errors.New("script raised an exception")
	// ErrTimeout: the context ended while the script ran; it was interrupted
	// with Ctrl-C and the board is back at the raw REPL prompt.
	ErrTimeout = errors.New("script timed out and was interrupted")
	// ErrNoResponse: the board did not answer as the protocol says (not even
	// to Ctrl-C). Recover it (restart QEMU, reset the board), then Enter again.
	ErrNoResponse = errors.New("board not responding")
	// ErrClosed: the connection ended (QEMU exited, the port went away).
	ErrClosed = errors.New("connection closed")
	// ErrCrashed: the firmware reported a fatal fault or the board rebooted
	// while the script ran; the error is a *Crash.
	ErrCrashed = errors.New("board crashed")
)

// Crash is how a script's run ended when the board went down under it.
type Crash struct {
	// Reboot: the board started afresh (its start-up banner arrived: a
	// watchdog, a reset, a power dip); it is at the friendly REPL. Otherwise
	// the firmware printed a fatal report and halted: recover it.
	Reboot bool
	Report string // the "FATAL: ..." line, or the banner
}

func (c *Crash) Error() string {
	if c.Reboot {
		return "board rebooted during the script: " + c.Report
	}
	return "firmware crashed: " + c.Report
}

func (c *Crash) Unwrap() error { return ErrCrashed }

var (
	// fatalLine is the report of port/fatal.c, which then halts the CPU.
	fatalLine = regexp.MustCompile(`\r\n(FATAL: (?:HardFault pc=0x[0-9a-f]{8} [^\r\n]*|uncaught NLR 0x[0-9a-f]{8}|assertion '[^\r\n]*' failed at [^\r\n]*))\r\n`)
	// BootBanner is what the friendly REPL prints when the firmware starts;
	// its first group is the banner line.
	BootBanner = regexp.MustCompile(`(MicroPython v[^\r\n]* on [^\r\n]*)\r\nType "help\(\)" for more information\.\r\n`)
)

// crashTail bounds the output searched for a crash report.
const crashTail = 1024

// Options tune the client; the zero value is ready to use.
type Options struct {
	Logger *log.Logger // protocol steps at debug level; nil is quiet
	// EnterTimeout bounds each of the three attempts to reach the raw REPL
	// (default 3 s).
	EnterTimeout time.Duration
	// ResetTimeout bounds a soft reset, boot.py included (default 10 s).
	ResetTimeout time.Duration
	// InterruptGrace is how long the board gets to come back after each of
	// the two Ctrl-C sent when a script runs out of time (default 3 s).
	InterruptGrace time.Duration
	// NoRawPaste forces plain raw mode (chunked writes without flow control).
	NoRawPaste bool
	// ChunkSize and ChunkDelay pace plain raw mode (default 256 bytes every
	// 10 ms, as pyboard.py does) so a slow board's UART buffer keeps up.
	ChunkSize  int
	ChunkDelay time.Duration
}

func (o *Options) defaults() {
	if o.EnterTimeout <= 0 {
		o.EnterTimeout = 3 * time.Second
	}
	if o.ResetTimeout <= 0 {
		o.ResetTimeout = 10 * time.Second
	}
	if o.InterruptGrace <= 0 {
		o.InterruptGrace = 3 * time.Second
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize = 256
	}
	if o.ChunkDelay <= 0 {
		o.ChunkDelay = 10 * time.Millisecond
	}
}

type pasteSupport int

const (
	pasteUnknown pasteSupport = iota
	pasteYes
	pasteNo
)

const (
	banner       = "raw REPL; CTRL-B to exit\r\n>"
	friendlyMark = ">>> "
	// maxKept bounds what is kept of output being skipped over.
	maxKept = 64 << 10
)

// Client talks the raw-REPL protocol. It is not safe for concurrent use.
type Client struct {
	w      io.Writer
	o      Options
	in     chan []byte
	quit   chan struct{}
	rerr   error // why the reader stopped; valid once in is closed
	buf    []byte
	prompt bool // at the raw REPL's ">" prompt
	paste  pasteSupport
	// exited and exitSaid: the last Exec ended in a soft reset (SystemExit)
	// and what the board printed before the new banner.
	exited   bool
	exitSaid []byte
}

// New starts reading rw in the background until rw's Read fails: the
// caller closes rw when done, and calls Close to drop what was not read.
func New(rw io.ReadWriter, o Options) *Client {
	o.defaults()
	c := &Client{w: rw, o: o, in: make(chan []byte, 64), quit: make(chan struct{})}
	if o.NoRawPaste {
		c.paste = pasteNo
	}
	go c.readLoop(rw)
	return c
}

func (c *Client) readLoop(r io.Reader) {
	for {
		b := make([]byte, 4096)
		n, err := r.Read(b)
		if n > 0 {
			select {
			case c.in <- b[:n]:
			case <-c.quit:
				return
			}
		}
		if err != nil {
			c.rerr = err
			close(c.in)
			return
		}
	}
}

// Close stops the client from keeping what the board sends; the reader
// ends with the connection, which the caller closes.
func (c *Client) Close() {
	select {
	case <-c.quit:
	default:
		close(c.quit)
	}
}

// RawPaste reports whether the board accepted raw-paste mode (false until
// the first Exec has asked).
func (c *Client) RawPaste() bool { return c.paste == pasteYes }

func (c *Client) debug(msg string, kv ...any) {
	if c.o.Logger != nil {
		c.o.Logger.Debug(msg, kv...)
	}
}

func (c *Client) write(b []byte) error {
	if _, err := c.w.Write(b); err != nil {
		return fmt.Errorf("rawrepl: %w: %v", ErrClosed, err)
	}
	return nil
}

// next makes sure c.buf holds at least one byte.
func (c *Client) next(ctx context.Context) error {
	for len(c.buf) == 0 {
		select {
		case b, ok := <-c.in:
			if !ok {
				return fmt.Errorf("rawrepl: %w: %v", ErrClosed, c.rerr)
			}
			c.buf = b
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// pending reports whether the board has sent bytes not yet consumed.
func (c *Client) pending() bool { return len(c.buf) > 0 || len(c.in) > 0 }

func (c *Client) readByte(ctx context.Context) (byte, error) {
	if err := c.next(ctx); err != nil {
		return 0, err
	}
	b := c.buf[0]
	c.buf = c.buf[1:]
	return b, nil
}

func (c *Client) readN(ctx context.Context, n int) ([]byte, error) {
	out := make([]byte, 0, n)
	for len(out) < n {
		b, err := c.readByte(ctx)
		if err != nil {
			return out, err
		}
		out = append(out, b)
	}
	return out, nil
}

// expect consumes input up to and including the first of the markers and
// returns the index of that marker and what came before it (bounded).
func (c *Client) expect(ctx context.Context, markers ...string) (int, []byte, error) {
	var seen []byte
	for {
		if err := c.next(ctx); err != nil {
			return -1, seen, err
		}
		start := len(seen)
		seen = append(seen, c.buf...)
		c.buf = nil
		best, at := -1, -1
		for i, m := range markers {
			// Only look where a marker could end in the new data.
			from := max(0, start-len(m)+1)
			if j := bytes.Index(seen[from:], []byte(m)); j >= 0 && (at < 0 || from+j < at) {
				best, at = i, from+j
			}
		}
		if best >= 0 {
			c.buf = append([]byte(nil), seen[at+len(markers[best]):]...)
			return best, seen[:at], nil
		}
		if len(seen) > maxKept {
			seen = append([]byte(nil), seen[len(seen)-maxKept/2:]...)
		}
	}
}

// drain discards input until the board has been quiet for quiet, at most for max.
func (c *Client) drain(ctx context.Context, quiet, maxWait time.Duration) error {
	deadline := time.Now().Add(maxWait)
	for {
		if len(c.buf) > 0 {
			c.debug("discarded", "bytes", fmt.Sprintf("%q", c.buf))
			c.buf = nil
		}
		wait := min(quiet, time.Until(deadline))
		if wait <= 0 {
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case b, ok := <-c.in:
			t.Stop()
			if !ok {
				return fmt.Errorf("rawrepl: %w: %v", ErrClosed, c.rerr)
			}
			c.buf = b
		case <-t.C:
			return nil
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// Enter interrupts any running program and enters the raw REPL.
func (c *Client) Enter(ctx context.Context) error {
	c.prompt = false
	for attempt := 1; attempt <= 3; attempt++ {
		if err := c.write([]byte("\r\x03\x03")); err != nil {
			return err
		}
		if err := c.drain(ctx, 150*time.Millisecond, time.Second); err != nil {
			return err
		}
		if err := c.write([]byte("\r\x01")); err != nil {
			return err
		}
		actx, cancel := context.WithTimeout(ctx, c.o.EnterTimeout)
		_, _, err := c.expect(actx, banner)
		cancel()
		if err == nil {
			c.debug("in raw REPL", "attempt", attempt)
			c.prompt = true
			return nil
		}
		if ctx.Err() != nil || errors.Is(err, ErrClosed) {
			return err
		}
	}
	return fmt.Errorf("rawrepl: %w: no raw REPL banner after Ctrl-A (is this the board's console, at the right baud rate?)", ErrNoResponse)
}

// SoftReset restarts the board's Python VM (Ctrl-D at the raw REPL prompt) so
// the next script starts clean, and returns to the raw REPL. It enters the
// raw REPL first when not there.
func (c *Client) SoftReset(ctx context.Context) error {
	if !c.prompt {
		if err := c.Enter(ctx); err != nil {
			return err
		}
	}
	c.prompt = false
	if err := c.write([]byte("\x04")); err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(ctx, c.o.ResetTimeout)
	defer cancel()
	// Ports that keep the REPL mode across a reset print the raw banner;
	// others come back friendly and are sent Ctrl-A again.
	which, before, err := c.expect(rctx, banner, friendlyMark)
	if err != nil {
		return c.stuck(ctx, err, "soft reset")
	}
	c.debug("soft reset", "output", fmt.Sprintf("%q", before))
	if which == 1 {
		if err := c.write([]byte("\r\x01")); err != nil {
			return err
		}
		if _, _, err := c.expect(rctx, banner); err != nil {
			return c.stuck(ctx, err, "soft reset")
		}
	}
	c.prompt = true
	return nil
}

// stuck turns a wait that ran out into ErrNoResponse; other errors pass.
func (c *Client) stuck(ctx context.Context, err error, what string) error {
	if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("rawrepl: %w: no answer to %s", ErrNoResponse, what)
	}
	return err
}

// Exit leaves the raw REPL for the friendly REPL (Ctrl-B).
func (c *Client) Exit() error {
	c.prompt = false
	return c.write([]byte("\r\x02"))
}

// phases of an Exec after the source is sent, in order.
type phase int

const (
	phAck    phase = iota // raw paste: the board's Ctrl-D after ours
	phOK                  // plain mode: "OK"
	phStdout              // output up to Ctrl-D
	phStderr              // traceback up to Ctrl-D
	phPrompt              // ">"
	phDone
	phCleared // plain mode cut short: Ctrl-C empties the line, nothing is printed
)

type execState struct {
	ph             phase
	stdout, stderr io.Writer
	raised         bool
	werr           error
	tail           []byte // the last output, searched for a crash report
}

// crashed reports a fatal report or a start-up banner in the output so far.
func (st *execState) crashed(chunk []byte) *Crash {
	st.tail = append(st.tail, chunk...)
	if len(st.tail) > crashTail {
		st.tail = append([]byte(nil), st.tail[len(st.tail)-crashTail:]...)
	}
	if m := fatalLine.FindSubmatch(st.tail); m != nil {
		return &Crash{Report: string(m[1])}
	}
	if m := BootBanner.FindSubmatch(st.tail); m != nil {
		return &Crash{Reboot: true, Report: string(m[1])}
	}
	return nil
}

func (st *execState) put(w io.Writer, b []byte) {
	if w == nil || len(b) == 0 || st.werr != nil {
		return
	}
	if _, err := w.Write(b); err != nil {
		st.werr = err
	}
}

// Exec runs src on the board, streaming its output to stdout and its
// traceback to stderr as they arrive (either may be nil). The board must be
// at the raw REPL prompt (after Enter or SoftReset); it is again afterwards
// unless the error is ErrNoResponse or ErrClosed.
//
// When ctx ends first, the script is interrupted with Ctrl-C and Exec
// returns ErrTimeout (deadline) or ctx.Err() (cancel) once the board is
// back, ErrNoResponse if it does not come back. A script that raised gives
// ErrRaised.
func (c *Client) Exec(ctx context.Context, src []byte, stdout, stderr io.Writer) error {
	if !c.prompt {
		return errors.New("rawrepl: not at the raw REPL prompt; call Enter or SoftReset first")
	}
	if i := bytes.IndexFunc(src, func(r rune) bool { return r >= 1 && r <= 4 }); i >= 0 {
		return fmt.Errorf("rawrepl: the source holds control byte %#x at offset %d, which the raw REPL takes as a command; write it as an escape such as \"\\x%02x\"", src[i], i, src[i])
	}
	c.prompt = false
	c.exited, c.exitSaid = false, nil
	st := &execState{stdout: stdout, stderr: stderr}
	ph, err := c.send(ctx, src)
	st.ph = ph
	if err == nil {
		err = c.follow(ctx, st)
	}
	if err != nil && ctx.Err() != nil && !errors.Is(err, ErrClosed) && !errors.Is(err, ErrCrashed) {
		err = c.interrupt(ctx, st)
	}
	switch {
	case err != nil:
		return err
	case st.werr != nil:
		return fmt.Errorf("rawrepl: writing the script's output: %w", st.werr)
	case st.raised:
		return ErrRaised
	}
	return nil
}

// send transmits the source and returns the phase to follow from.
func (c *Client) send(ctx context.Context, src []byte) (phase, error) {
	if c.paste != pasteNo {
		ok, err := c.askPaste(ctx)
		if err != nil {
			return phAck, err
		}
		if ok {
			return c.sendPaste(ctx, src)
		}
	}
	return c.sendPlain(ctx, src)
}

func (c *Client) askPaste(ctx context.Context) (bool, error) {
	if err := c.write([]byte("\x05A\x01")); err != nil {
		return false, err
	}
	r, err := c.readN(ctx, 2)
	if err != nil {
		return false, err
	}
	switch string(r) {
	case "R\x01":
		if c.paste == pasteUnknown {
			c.debug("board supports raw-paste mode")
		}
		c.paste = pasteYes
		return true, nil
	case "R\x00":
		// Understood but refused; the board prints a new prompt.
		_, _, err = c.expect(ctx, ">")
	default:
		// Firmware without raw paste took Ctrl-A as "reset the raw REPL".
		_, _, err = c.expect(ctx, banner[2:])
	}
	c.debug("board refuses raw-paste mode; using plain raw mode", "answer", fmt.Sprintf("%q", r))
	c.paste = pasteNo
	return false, err
}

func (c *Client) sendPaste(ctx context.Context, src []byte) (phase, error) {
	hdr, err := c.readN(ctx, 2)
	if err != nil {
		return phAck, err
	}
	window := int(hdr[0]) | int(hdr[1])<<8
	if window == 0 {
		return phAck, fmt.Errorf("rawrepl: %w: board offered a raw-paste window of 0 bytes", ErrNoResponse)
	}
	remain := window
	for i := 0; i < len(src); {
		for remain == 0 || c.pending() {
			b, err := c.readByte(ctx)
			if err != nil {
				return phAck, err
			}
			switch b {
			case 0x01:
				remain += window
			case 0x04:
				// The board stopped reading (e.g. a syntax error): acknowledge.
				return phStdout, c.write([]byte{0x04})
			default:
				return phAck, fmt.Errorf("rawrepl: %w: unexpected byte %q during raw paste", ErrNoResponse, b)
			}
		}
		n := min(remain, len(src)-i)
		if err := c.write(src[i : i+n]); err != nil {
			return phAck, err
		}
		remain -= n
		i += n
	}
	return phAck, c.write([]byte{0x04})
}

func (c *Client) sendPlain(ctx context.Context, src []byte) (phase, error) {
	for i := 0; i < len(src); i += c.o.ChunkSize {
		if err := c.write(src[i:min(i+c.o.ChunkSize, len(src))]); err != nil {
			return phCleared, err
		}
		t := time.NewTimer(c.o.ChunkDelay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return phCleared, ctx.Err()
		}
	}
	return phOK, c.write([]byte{0x04})
}

// follow reads the board's answer from st.ph to the next prompt.
func (c *Client) follow(ctx context.Context, st *execState) error {
	for st.ph < phDone {
		if err := c.next(ctx); err != nil {
			return err
		}
		switch st.ph {
		case phAck:
			// Window grants may still be in flight before the Ctrl-D.
			if i := bytes.IndexByte(c.buf, 0x04); i >= 0 {
				if junk := bytes.Trim(c.buf[:i], "\x01"); len(junk) > 0 {
					return fmt.Errorf("rawrepl: %w: unexpected %q before the end of raw paste", ErrNoResponse, junk)
				}
				c.buf = c.buf[i+1:]
				st.ph = phStdout
			} else if junk := bytes.Trim(c.buf, "\x01"); len(junk) > 0 {
				return fmt.Errorf("rawrepl: %w: unexpected %q before the end of raw paste", ErrNoResponse, junk)
			} else {
				c.buf = nil
			}
		case phOK:
			r, err := c.readN(ctx, 2)
			if err != nil {
				return err
			}
			if string(r) != "OK" {
				return fmt.Errorf("rawrepl: %w: board answered %q instead of OK", ErrNoResponse, r)
			}
			st.ph = phStdout
		case phStdout, phStderr:
			w := st.stdout
			if st.ph == phStderr {
				w = st.stderr
			}
			i := bytes.IndexByte(c.buf, 0x04)
			chunk := c.buf
			if i >= 0 {
				chunk = c.buf[:i]
			}
			if st.ph == phStderr && len(chunk) > 0 {
				st.raised = true
			}
			st.put(w, chunk)
			if crash := st.crashed(chunk); crash != nil {
				c.buf = nil
				return crash
			}
			if i >= 0 {
				c.buf = c.buf[i+1:]
				st.ph++
			} else {
				c.buf = nil
			}
		case phPrompt:
			if c.buf[0] != '>' {
				// sys.exit() makes the board soft-reset before its next
				// prompt, which then comes with a new banner.
				_, before, err := c.expect(ctx, banner)
				if err != nil {
					return err
				}
				c.debug("board reset after the script", "output", fmt.Sprintf("%q", before))
				c.exited, c.exitSaid = true, before
			} else {
				c.buf = c.buf[1:]
			}
			st.ph = phDone
		}
	}
	c.prompt = true
	return nil
}

// Exited reports whether the last Exec ended with SystemExit (the board
// soft-resets then) and what the board printed before it was back, e.g. the
// "mpforge: exit 3" line of port/modmpforge.c.
func (c *Client) Exited() (bool, string) { return c.exited, string(c.exitSaid) }

// interrupt sends Ctrl-C after ctx ended and waits for the board to finish
// the exec; it tries twice before giving up.
func (c *Client) interrupt(ctx context.Context, st *execState) error {
	cause := ctx.Err()
	if errors.Is(cause, context.DeadlineExceeded) {
		cause = ErrTimeout
	}
	for try := 1; try <= 2; try++ {
		c.debug("interrupting script", "try", try)
		if err := c.write([]byte{0x03}); err != nil {
			return err
		}
		gctx, cancel := context.WithTimeout(context.Background(), c.o.InterruptGrace)
		var err error
		if st.ph == phCleared {
			err = c.drain(gctx, 100*time.Millisecond, c.o.InterruptGrace)
			c.prompt = err == nil
		} else {
			err = c.follow(gctx, st)
		}
		cancel()
		if err == nil {
			return cause
		}
		if errors.Is(err, ErrClosed) {
			return err
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
	}
	return fmt.Errorf("rawrepl: %w: still busy after Ctrl-C", ErrNoResponse)
}
