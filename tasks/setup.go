package tasks

import (
	"context"
	"fmt"
	"io"
	"slices"

	"mpforge/mptree"
	"mpforge/provision"
)

// Setup installs the system tools every target uses and makes sure a
// MicroPython tree is there (MICROPY_DIR, or the managed copy).
func (e *Env) Setup(ctx context.Context, w io.Writer) error {
	tools := slices.Concat(provision.Toolchain, provision.Host, provision.Emulator, provision.Flasher, provision.TestRunner)
	if err := installTools(ctx, e.Logger, tools); err != nil {
		return err
	}
	if err := provision.Require(tools); err != nil {
		return err // without apt nothing was installed: say what is missing
	}
	tree, err := e.Tree(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "MicroPython %s at %s (%s)\n", tree.Version, e.rel(tree.Dir), sourceOf(tree))
	for _, t := range tools {
		fmt.Fprintf(w, "  ok  %-24s %s\n", t.String(), t.Why)
	}
	return nil
}

func sourceOf(t mptree.Tree) string {
	if t.Source == "" {
		return "managed copy"
	}
	return t.Source
}
