package qemu

import (
	"context"
	"fmt"
	"io"
	"os"

	"mpforge/device/console"
)

// Interactive runs the firmware with its console on this terminal: stdin in
// raw mode feeds the UART, the UART's output goes to out. It returns when the
// user presses an exit key (console.ExitHelp), QEMU exits, or ctx ends; the
// terminal is restored and QEMU stopped in every case.
func Interactive(ctx context.Context, o Options, stdin *os.File, out io.Writer) error {
	inst, err := StartPipe(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "QEMU %s running %s; exit with %s\r\n", o.Machine, o.Kernel, console.ExitHelp)
	con, err := console.Open(stdin)
	if err != nil {
		inst.Stop()
		return err
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, _ = io.Copy(out, inst.conn)
	}()
	err = bridge(ctx, con, inst)
	con.Close()
	if stopErr := inst.Stop(); err == nil {
		err = stopErr
	}
	<-copied
	return err
}

func bridge(ctx context.Context, con *console.Console, inst *Instance) error {
	for {
		select {
		case k, ok := <-con.Keys():
			if !ok {
				return nil
			}
			if _, err := inst.conn.Write(k); err != nil {
				return inst.Err()
			}
		case <-inst.Done():
			return inst.Err()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
