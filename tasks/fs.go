package tasks

import (
	"context"
	"fmt"
	"io"
	"os"

	"mpforge/device"
	"mpforge/device/boardfs"
	"mpforge/device/openocd"
)

// FSSync copies the folder dir into the board's filesystem at dest (default
// /), through the console of the board at MPFORGE_PORT, or of the QEMU twin
// named by MPFORGE_QEMU (whose filesystem lasts as long as that QEMU, so this
// is mostly for real boards).
func (e *Env) FSSync(ctx context.Context, dir, dest string, w io.Writer) error {
	if dest == "" {
		dest = "/"
	}
	target, err := e.console(ctx)
	if err != nil {
		return err
	}
	defer target.Close()
	return boardfs.Sync(ctx, target.Conn, dir, dest, w, boardfs.Options{Logger: e.Logger})
}

// console opens the board the device targets talk to: the QEMU twin named
// by MPFORGE_QEMU, else the serial port (MPFORGE_PORT or the board file's).
func (e *Env) console(ctx context.Context) (*device.Target, error) {
	if twin := os.Getenv("MPFORGE_QEMU"); twin != "" {
		q, err := e.twin(ctx, twin)
		if err != nil {
			return nil, err
		}
		return device.StartQEMU(ctx, q)
	}
	b, err := e.Board("")
	if err != nil {
		return nil, err
	}
	port, baud, err := e.serialPort(b)
	if err != nil {
		return nil, fmt.Errorf("%w (or MPFORGE_QEMU=mps2-an505 to use a QEMU twin)", err)
	}
	so := device.SerialOptions{Port: port, Baud: baud}
	if oo, err := e.OpenOCDOptions(b); err == nil {
		so.Reset = func(ctx context.Context) error { return openocd.Reset(ctx, oo) }
	}
	return device.OpenSerial(ctx, so)
}
