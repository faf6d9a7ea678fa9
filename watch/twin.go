package watch

import (
	"context"
	"io"
	"os"
	"sync"

	"mpforge/device/console"
	"mpforge/device/qemu"
)

// twin is the run option: the board's QEMU twin, restarted with each new
// firmware, its console on this terminal for the whole watch session. The
// terminal stays raw across restarts, so Ctrl-C reaches the REPL and the
// exit keys (console.ExitHelp) end the session.
type twin struct {
	opts qemu.Options
	out  *printer
	con  *console.Console

	mu   sync.Mutex
	inst *qemu.Instance
	copy chan struct{} // closed when the instance's output has been copied
	// exited is closed when the user pressed an exit key or the input ended.
	exited chan struct{}
}

func openTwin(o qemu.Options, stdin *os.File, out *printer) (*twin, error) {
	con, err := console.Open(stdin)
	if err != nil {
		return nil, err
	}
	t := &twin{opts: o, out: out, con: con, exited: make(chan struct{})}
	go t.keys()
	return t, nil
}

// keys forwards keystrokes to whichever instance runs; they are dropped
// while none does (the first build failed).
func (t *twin) keys() {
	defer close(t.exited)
	for k := range t.con.Keys() {
		t.mu.Lock()
		inst := t.inst
		t.mu.Unlock()
		if inst != nil {
			_, _ = inst.Conn().Write(k)
		}
	}
}

// restart stops the running instance and starts one on elf.
func (t *twin) restart(ctx context.Context, elf string) error {
	t.stop()
	o := t.opts
	o.Kernel = elf
	inst, err := qemu.StartPipe(ctx, o)
	if err != nil {
		return err
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, _ = io.Copy(t.out, inst.Conn())
	}()
	go func() {
		// An exit of QEMU's own (a crash, a semihosting exit) is worth a line;
		// a stop of ours is not (Err is nil then).
		<-inst.Done()
		if err := inst.Err(); err != nil {
			t.out.line(err.Error())
		}
	}()
	t.mu.Lock()
	t.inst, t.copy = inst, copied
	t.mu.Unlock()
	return nil
}

func (t *twin) stop() {
	t.mu.Lock()
	inst, copied := t.inst, t.copy
	t.inst = nil
	t.mu.Unlock()
	if inst != nil {
		_ = inst.Stop()
		<-copied
	}
}

// close stops QEMU and gives the terminal back.
func (t *twin) close() {
	t.stop()
	_ = t.con.Close()
}
