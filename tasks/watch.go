package tasks

import (
	"context"
	"fmt"
	"io"

	"mpforge/boards"
	"mpforge/device/console"
	"mpforge/device/openocd"
	"mpforge/watch"
)

// WatchOptions say what follows each good build of a watch session.
type WatchOptions struct {
	Run   bool // restart the board's QEMU twin with the new firmware, its REPL in this terminal
	Flash bool // program the board through OpenOCD (MPFORGE_PROBE etc., as the flash target)
}

// Watch builds the board, then rebuilds it whenever one of its inputs is
// saved, printing one line per build, until ctx ends (Ctrl-C) or, with Run,
// the user presses Ctrl-] or Ctrl-X. A failed build is reported and the
// watch goes on. The run and flash settings (QEMU machine, probe) are read
// from the board file once, at the start.
func (e *Env) Watch(ctx context.Context, name string, o WatchOptions, w io.Writer) error {
	b, err := e.Board(name)
	if err != nil {
		return err
	}
	opts := watch.Options{Out: w, Logger: e.Logger}
	if o.Run {
		twin, err := e.qemuTwin(b)
		if err != nil {
			return err
		}
		opts.QEMU = &twin
	}
	if o.Flash {
		oo, err := e.OpenOCDOptions(b)
		if err != nil {
			return err
		}
		opts.Flash = func(ctx context.Context, elf string) error { return openocd.Flash(ctx, oo, elf) }
	}
	tc, err := e.Toolchain(ctx)
	if err != nil {
		return err
	}
	if err := e.hostTools(ctx, b); err != nil {
		return err
	}
	tree, err := e.Tree(ctx)
	if err != nil {
		return err
	}
	fw := &watch.Firmware{
		Root: e.Root, Board: b.Name, TreeDir: tree.Dir, Toolchain: tc, Jobs: e.Jobs,
		Load:   func() (*boards.Board, error) { return e.Board(b.Name) },
		Logger: e.Logger, Verbose: e.Verbose, Waiting: e.waiting(b.Name),
	}
	if !o.Run { // the REPL owns the terminal then; a status line would garble it
		fw.Progress = e.progress()
	}
	opts.Build, opts.Inputs = fw.Build, fw.Inputs
	if o.Run {
		fmt.Fprintf(w, "watching %s; after each good build its firmware runs here on QEMU %s (Ctrl-C goes to the REPL; %s ends)\n", b.Name, b.QEMU.Machine, console.ExitHelp)
	} else {
		fmt.Fprintf(w, "watching %s; rebuilding on every saved change (Ctrl-C stops)\n", b.Name)
	}
	return watch.Run(ctx, opts)
}
