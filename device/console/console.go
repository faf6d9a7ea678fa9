// Package console turns the user's terminal into a raw keyboard for the
// interactive tools (the QEMU REPL and the serial monitor): every key goes
// to the board unchanged except the exit keys, and the terminal is put back
// the way it was on exit, on a signal, or on a panic.
package console

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/term"
)

// The exit keys. MicroPython's REPL uses neither (Ctrl-A..E are taken),
// and mpremote exits on the same two, so engineers' fingers already know them.
const (
	KeyCtrlRightBracket = 0x1d
	KeyCtrlX            = 0x18
)

// ExitHelp names the exit keys for banners and help texts.
const ExitHelp = "Ctrl-] or Ctrl-X"

// Console reads keystrokes from a terminal (or any file) in raw mode.
type Console struct {
	in       *os.File
	keys     chan []byte
	oldState *term.State
	wake     waker // stops readLoop's wait
	sigc     chan os.Signal
	quit     chan struct{}
	wg       sync.WaitGroup
	once     sync.Once
	restored sync.Once
}

// Open puts in into raw mode when it is a terminal and starts reading keys.
// The caller must Close the console; Close restores the terminal.
func Open(in *os.File) (*Console, error) {
	c := &Console{
		in:   in,
		keys: make(chan []byte, 16),
		sigc: make(chan os.Signal, 1),
		quit: make(chan struct{}),
	}
	fd := int(in.Fd())
	if term.IsTerminal(fd) {
		st, err := term.MakeRaw(fd)
		if err != nil {
			return nil, fmt.Errorf("console: cannot put the terminal into raw mode: %w", err)
		}
		c.oldState = st
	}
	wake, err := newWaker()
	if err != nil {
		c.restore()
		return nil, fmt.Errorf("console: %w", err)
	}
	c.wake = wake
	// Raw mode turns Ctrl-C into a plain byte, so these come from kill or a
	// closed terminal: leave cleanly so the terminal and any QEMU are cleaned up.
	signal.Notify(c.sigc, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	c.wg.Add(1)
	go c.readLoop(in.Fd())
	return c, nil
}

// Keys delivers keystrokes without the exit keys. It is closed when the user
// pressed an exit key, the input ended, or a terminating signal arrived.
func (c *Console) Keys() <-chan []byte { return c.keys }

// Close stops reading and restores the terminal. It is safe to call twice.
func (c *Console) Close() error {
	var err error
	c.once.Do(func() {
		close(c.quit)
		signal.Stop(c.sigc)
		c.wake.wake()
		c.wg.Wait()
		c.wake.close()
		err = c.restore()
	})
	return err
}

func (c *Console) restore() error {
	var err error
	c.restored.Do(func() {
		if c.oldState != nil {
			err = term.Restore(int(c.in.Fd()), c.oldState)
		}
	})
	return err
}

// readLoop delivers keys until an exit key, the end of input, a terminating
// signal or Close; waitRead (per OS) waits so that Close can stop it without
// closing the caller's file (which is usually os.Stdin).
func (c *Console) readLoop(fd uintptr) {
	defer c.wg.Done()
	defer close(c.keys)
	defer func() {
		if p := recover(); p != nil {
			c.restore()
			panic(p)
		}
	}()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-c.sigc:
			c.wake.wake()
		case <-stop:
		}
	}()
	buf := make([]byte, 256)
	for {
		n, err := c.wake.read(fd, buf)
		if err != nil || n < 0 {
			return
		}
		if n == 0 {
			continue
		}
		keys, exit := splitExit(buf[:n])
		if len(keys) > 0 {
			select {
			case c.keys <- keys:
			case <-c.quit:
				return
			}
		}
		if exit {
			return
		}
	}
}

// splitExit returns a copy of the keys before the first exit key and
// whether an exit key was pressed.
func splitExit(b []byte) ([]byte, bool) {
	for i, k := range b {
		if k == KeyCtrlRightBracket || k == KeyCtrlX {
			return append([]byte(nil), b[:i]...), true
		}
	}
	return append([]byte(nil), b...), false
}
