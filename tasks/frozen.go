package tasks

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"mpforge/boards"
	"mpforge/frozen"
)

// EnvFrozen names the user's own Python files or folders to freeze into
// every board built from this checkout, separated by ':' like PATH; relative
// paths are relative to the checkout. They add to the board's [frozen]
// modules: a file is a top-level module, a folder a library root.
const EnvFrozen = "MPFORGE_FROZEN"

// addUserFrozen adds the paths named by $MPFORGE_FROZEN to the board's
// frozen modules.
func (e *Env) addUserFrozen(b *boards.Board) error {
	for _, p := range frozen.ParseList(os.Getenv(EnvFrozen), e.Root) {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%s names %s, which does not exist; fix the path or unset %s", EnvFrozen, p, EnvFrozen)
		}
		b.Frozen.Modules = append(b.Frozen.Modules, p)
	}
	return nil
}

// ListFrozen prints the Python modules frozen into a board's firmware
// (its [frozen] modules and $MPFORGE_FROZEN) and the file each comes from.
func (e *Env) ListFrozen(name string, w io.Writer) error {
	b, err := e.Board(name)
	if err != nil {
		return err
	}
	mods, err := frozen.Collect(b.Frozen.Modules)
	if err != nil {
		return fmt.Errorf("board %s: %w", b.Name, err)
	}
	if len(mods) == 0 {
		fmt.Fprintf(w, "%s freezes no Python modules; name files or folders in its board file ([frozen] modules) or in %s\n", b.Name, EnvFrozen)
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODULE\tFILE")
	for _, m := range mods {
		fmt.Fprintf(tw, "%s\t%s\n", m.Name(), e.rel(m.Source))
	}
	return tw.Flush()
}
