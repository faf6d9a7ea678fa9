package tasks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"mpforge/build"
	"mpforge/firmware"
	"mpforge/toolchain"
)

// BuildBoard builds one board's firmware and reports what it did to w.
func (e *Env) BuildBoard(ctx context.Context, name string, w io.Writer) (*firmware.Result, error) {
	b, err := e.Board(name)
	if err != nil {
		return nil, err
	}
	tc, err := e.Toolchain(ctx)
	if err != nil {
		return nil, err
	}
	if err := e.hostTools(ctx, b); err != nil {
		return nil, err
	}
	tree, err := e.Tree(ctx)
	if err != nil {
		return nil, err
	}
	e.Logger.Debug("building", "board", b.Name, "micropython", tree.Dir, "version", tree.Version.String(), "compiler", tc.Version)
	start := time.Now()
	res, err := firmware.Build(ctx, firmware.Config{
		Root: e.Root, Board: b, TreeDir: tree.Dir, Toolchain: tc, Jobs: e.Jobs,
		Logger: e.Logger, Verbose: e.Verbose, Progress: e.progress(),
		Waiting: e.waiting(b.Name),
	})
	if err != nil {
		var se *build.StepError
		if errors.As(err, &se) {
			return res, fmt.Errorf("build of %s failed; the previous firmware (if any) is unchanged\n%w", b.Name, err)
		}
		return res, err
	}
	if m := res.Plan.Mode.String(); m != "" {
		fmt.Fprintf(w, "%s: %s\n", b.Name, m)
	}
	ran := len(res.Build.Ran)
	fmt.Fprintf(w, "%s: %s in %.1fs (%d steps ran, %d up to date; %d compiled)\n",
		b.Name, e.rel(res.ELF), time.Since(start).Seconds(), ran, res.Build.Reused, res.Build.RanKind("CC")+res.Build.RanKind("HOSTCC"))
	fmt.Fprint(w, SizeReport(res.Regions))
	return res, nil
}

// SizeReport prints each memory region's use: "FLASH 201.3 KiB / 1016 KiB (19.8%)".
func SizeReport(uses []toolchain.RegionUse) string {
	var s strings.Builder
	width := 0
	for _, u := range uses {
		width = max(width, len(u.Name))
	}
	for _, u := range uses {
		fmt.Fprintf(&s, "  %-*s %10s / %-10s (%4.1f%%)\n", width, u.Name, toolchain.FormatBytes(u.Used), toolchain.FormatBytes(u.Length), u.Percent())
	}
	return s.String()
}

// waiting reports that another build of the board holds its lock.
func (e *Env) waiting(board string) func(pid string) {
	return func(pid string) {
		e.Logger.Info("another build of this board is running; waiting for it", "board", board, "pid", pid)
	}
}

func (e *Env) rel(path string) string {
	if r, ok := strings.CutPrefix(path, e.Root+"/"); ok {
		return r
	}
	return path
}

// launcher splits MPFORGE_CC_LAUNCHER ("ccache", "distcc") into an argv
// prefix; it is never given to a shell.
func launcher(spec string) ([]string, error) {
	argv := strings.Fields(spec)
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, fmt.Errorf("MPFORGE_CC_LAUNCHER=%q: %s not found; install it (e.g. sudo apt-get install %s) or unset the variable", spec, argv[0], argv[0])
	}
	argv[0] = path
	return argv, nil
}
