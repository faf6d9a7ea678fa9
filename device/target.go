// Package device runs Python test scripts on a board (or its QEMU twin)
// through the raw REPL and reports the results, also as JUnit XML.
//
// The pieces it builds on live in sub-packages: qemu (the emulator),
// rawrepl (the protocol), monitor (a serial terminal), openocd (flashing)
// and console (the raw keyboard of the interactive tools).
package device

import (
	"context"
	"fmt"
	"io"
	"time"

	"mpforge/device/internal/serialport"
	"mpforge/device/internal/shared"
	"mpforge/device/qemu"
)

// Target is a board to run scripts on.
type Target struct {
	Name string // for reports: the JUnit suite name
	// Conn is the board's console. Set it before the first run: from then
	// on the runs take turns on it through one reader (shared.Conn).
	Conn io.ReadWriter
	// Recover brings back a board that stopped answering (restart QEMU,
	// reset the board) and returns the connection to use from then on; the
	// old one must be closed by then. Nil: the board cannot be recovered.
	Recover func(ctx context.Context) (io.ReadWriter, error)
	// Close releases the connection and whatever runs behind it. Nil: nothing to release.
	Close func() error
	// ELF is the firmware's ELF, for function names in crash reports.
	ELF string
	// Expect, when set, is the firmware the board must run: it is asked
	// before the first script, and the run stops with ErrWrongFirmware
	// when it runs something else.
	Expect *Identity

	shared *shared.Conn // reads Conn once a run has started
}

// session hands the target's console to one run.
func (t *Target) session() *shared.Session {
	if t.shared == nil {
		t.shared = shared.New(t.Conn)
	}
	return t.shared.Open()
}

// StartQEMU runs the firmware under QEMU with its console on pipes. Recover
// restarts QEMU; QEMU lives until Close or until ctx ends.
func StartQEMU(ctx context.Context, o qemu.Options) (*Target, error) {
	inst, err := qemu.StartPipe(ctx, o)
	if err != nil {
		return nil, err
	}
	t := &Target{Name: o.Machine, Conn: inst.Conn(), ELF: o.Kernel}
	t.Recover = func(context.Context) (io.ReadWriter, error) {
		inst.Stop()
		// The new QEMU must outlive this recovery's context, like the first.
		next, err := qemu.StartPipe(ctx, o)
		if err != nil {
			return nil, err
		}
		inst = next
		return inst.Conn(), nil
	}
	t.Close = func() error { return inst.Stop() }
	return t, nil
}

// SerialOptions say how to reach a board over its console UART.
type SerialOptions struct {
	Port string // e.g. /dev/ttyUSB0
	Baud int    // default 115200
	// Reset resets the board when it stops answering, e.g. with
	// openocd.Reset. Nil: recovery only reopens the port.
	Reset func(ctx context.Context) error
	// ReopenTimeout bounds waiting for the port to come back after a reset
	// (USB serial ports vanish while the board restarts); default 10 s.
	ReopenTimeout time.Duration
}

// OpenSerial opens the board's console port.
func OpenSerial(ctx context.Context, o SerialOptions) (*Target, error) {
	if o.Baud == 0 {
		o.Baud = 115200
	}
	if o.ReopenTimeout == 0 {
		o.ReopenTimeout = 10 * time.Second
	}
	port, err := serialport.Open(o.Port, o.Baud)
	if err != nil {
		return nil, err
	}
	t := &Target{Name: o.Port, Conn: port}
	t.Recover = func(ctx context.Context) (io.ReadWriter, error) {
		port.Close()
		if o.Reset != nil {
			if err := o.Reset(ctx); err != nil {
				return nil, fmt.Errorf("resetting the board: %w", err)
			}
		}
		rctx, cancel := context.WithTimeout(ctx, o.ReopenTimeout)
		defer cancel()
		for {
			p, err := serialport.Open(o.Port, o.Baud)
			if err == nil {
				port = p
				return port, nil
			}
			select {
			case <-rctx.Done():
				return nil, fmt.Errorf("port did not come back after the reset: %w", err)
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	t.Close = func() error { return port.Close() }
	return t, nil
}
