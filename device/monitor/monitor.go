// Package monitor is a serial terminal for a board's console: keys go to the
// port, the port's output to the screen. It outlives the port: when the port
// disappears (board reset, USB replug, QEMU restarted) it says so, waits, and
// carries on once the port is back.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mpforge/internal/syncbuf"
	"os"
	"time"

	"github.com/charmbracelet/log"
	"go.bug.st/serial"

	"mpforge/device/console"
	"mpforge/device/internal/serialport"
)

// Options say which port to watch and where the terminal is.
type Options struct {
	Port string    // e.g. /dev/ttyUSB0 or /dev/serial/by-id/...
	Baud int       // default 115200
	In   *os.File  // keyboard, put into raw mode while running; default os.Stdin
	Out  io.Writer // screen; default os.Stdout
	// MaxBackoff caps the wait between attempts to reopen the port (default 2 s).
	MaxBackoff time.Duration
	Logger     *log.Logger
}

// Notices printed on the screen, between the board's output.
const (
	NoticeGone        = "port gone, waiting…"
	NoticeReconnected = "reconnected"
)

// Run shows the port until the user presses an exit key (console.ExitHelp)
// or ctx ends. The terminal is restored on return.
func Run(ctx context.Context, o Options) error {
	if o.Port == "" {
		return errors.New("monitor: no port given; set MPFORGE_PORT or the board file's console port")
	}
	if o.Baud == 0 {
		o.Baud = 115200
	}
	if o.In == nil {
		o.In = os.Stdin
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 2 * time.Second
	}
	m := &mon{o: o, out: &syncbuf.Writer{W: o.Out}}
	// A port that exists but cannot be opened is a setup problem, not a
	// board restarting: fail before touching the terminal.
	port, err := m.open()
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	con, err := console.Open(o.In)
	if err != nil {
		if port != nil {
			port.Close()
		}
		return err
	}
	defer con.Close()
	m.notice(fmt.Sprintf("%s at %d baud; exit with %s", o.Port, o.Baud, console.ExitHelp))
	return m.loop(ctx, con, port)
}

type mon struct {
	o   Options
	out *syncbuf.Writer
}

func (m *mon) open() (serial.Port, error) {
	p, err := serialport.Open(m.o.Port, m.o.Baud)
	if err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	return p, nil
}

func (m *mon) notice(s string) {
	fmt.Fprintf(m.out, "\r\n--- %s ---\r\n", s)
}

func (m *mon) debug(msg string, kv ...any) {
	if m.o.Logger != nil {
		m.o.Logger.Debug(msg, kv...)
	}
}

// loop runs until exit; port is nil while the port is away.
func (m *mon) loop(ctx context.Context, con *console.Console, port serial.Port) error {
	var (
		readDone chan error // the current port's reader ended
		backoff  = 100 * time.Millisecond
		retry    <-chan time.Time
		gone     = port == nil
		seen     = port != nil // the port was open once: coming back is a reconnect
	)
	closePort := func() {
		if port != nil {
			port.Close()
			<-readDone
			port, readDone = nil, nil
		}
	}
	defer closePort()
	if gone {
		m.notice("waiting for " + m.o.Port + "…")
		retry = time.After(backoff)
	} else {
		readDone = m.startReader(port)
	}
	for {
		select {
		case k, ok := <-con.Keys():
			if !ok {
				return nil
			}
			if port == nil {
				m.debug("port away; keys dropped", "bytes", len(k))
				continue
			}
			if _, err := port.Write(k); err != nil {
				m.debug("write failed", "err", err)
			}
		case err := <-readDone:
			m.debug("port read ended", "err", err)
			port.Close()
			port, readDone = nil, nil
			m.notice(NoticeGone)
			backoff = 100 * time.Millisecond
			retry = time.After(backoff)
		case <-retry:
			p, err := m.open()
			if err != nil {
				m.debug("reopen failed", "err", err)
				backoff = min(2*backoff, m.o.MaxBackoff)
				retry = time.After(backoff)
				continue
			}
			retry = nil
			port = p
			readDone = m.startReader(port)
			if seen {
				m.notice(NoticeReconnected)
			} else {
				m.notice("connected")
				seen = true
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// startReader copies the port to the screen until the port fails or closes.
func (m *mon) startReader(p serial.Port) chan error {
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := p.Read(buf)
			if n > 0 {
				m.out.Write(buf[:n])
			}
			if err != nil {
				done <- err
				return
			}
		}
	}()
	return done
}
