package tasks

import (
	"context"
	"io"

	"mpforge/device/openocd"
)

// FlashJobForTest is the job Flash would run for the board, built first.
func (e *Env) FlashJobForTest(name string) (*openocd.Job, error) {
	b, err := e.Board(name)
	if err != nil {
		return nil, err
	}
	_, job, err := e.buildFlashJob(context.Background(), b, io.Discard)
	return job, err
}

// FlashWithForTest is Flash through the given OpenOCD options (an emulated probe).
func (e *Env) FlashWithForTest(ctx context.Context, name string, o openocd.Options, w io.Writer) error {
	b, err := e.Board(name)
	if err != nil {
		return err
	}
	return e.flashWith(ctx, b, o, w)
}
