// Package boardfs copies a folder of the host into the board's own
// filesystem (littlefs, see port/fs.c) over the console: the folder is
// served with device/mount and a small script on the board (sync.py) copies
// it across, rewriting only the files whose bytes differ.
package boardfs

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/charmbracelet/log"

	"mpforge/device/mount"
	"mpforge/device/rawrepl"
)

//go:embed sync.py
var syncSrc string

// destRE: an absolute path on the board, folder names of the usual characters.
var destRE = regexp.MustCompile(`^/([A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)?$`)

// Options tune Sync.
type Options struct {
	Logger *log.Logger
	REPL   rawrepl.Options
}

// Sync copies dir (recursively) to dest on the board behind conn, printing
// one line per file copied and a summary to out. The board is soft-reset
// first and after, so nothing of the copy stays in its interpreter.
func Sync(ctx context.Context, conn io.ReadWriter, dir, dest string, out io.Writer, o Options) error {
	if !destRE.MatchString(dest) {
		return fmt.Errorf("fs:sync: destination %q: want an absolute folder on the board such as / or /lib", dest)
	}
	if fi, err := os.Stat(dir); err != nil {
		return fmt.Errorf("fs:sync: %w", err)
	} else if !fi.IsDir() {
		return fmt.Errorf("fs:sync: %s is not a folder; give the folder to copy to the board", dir)
	}
	if o.REPL.Logger == nil {
		o.REPL.Logger = o.Logger
	}
	srv := mount.New(conn, mount.Options{Logger: o.Logger})
	defer srv.Close()
	if err := srv.Serve(dir, false); err != nil {
		return err
	}
	c := rawrepl.New(srv, o.REPL)
	defer c.Close()
	if err := c.SoftReset(ctx); err != nil {
		return fmt.Errorf("fs:sync: %w", err)
	}
	if err := mount.Attach(ctx, c, mount.DefaultPoint); err != nil {
		return err
	}
	src := strings.Replace(syncSrc, "%q", strconv.Quote(dest), 1)
	var tb strings.Builder
	err := c.Exec(ctx, []byte(src), out, &tb)
	if errors.Is(err, rawrepl.ErrRaised) {
		msg := strings.TrimSpace(tb.String())
		if strings.Contains(msg, "OSError: 19") || strings.Contains(msg, "ENODEV") {
			msg += "\n(the board has no filesystem: its board file needs a [filesystem] table)"
		}
		return fmt.Errorf("fs:sync: the copy failed on the board:\n%s", msg)
	}
	if err != nil {
		return fmt.Errorf("fs:sync: %w", err)
	}
	// Leave no mount behind that nobody serves.
	if err := c.SoftReset(ctx); err != nil {
		return fmt.Errorf("fs:sync: %w", err)
	}
	return c.Exit()
}
