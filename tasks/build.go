package tasks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"mpforge/boards"
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
		MpyCrossCache: MpyCrossCache(), Logger: e.Logger, Verbose: e.Verbose, Progress: e.progress(),
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
	fmt.Fprint(w, flashReport(res))
	fmt.Fprint(w, FilesystemLine(b.Filesystem))
	return res, nil
}

// EnvMpyCrossCache overrides where the host mpy-cross is kept per user
// (default $XDG_CACHE_HOME/mpforge/mpy-cross); "off" builds it in every checkout.
const EnvMpyCrossCache = "MPFORGE_MPY_CROSS_CACHE"

// MpyCrossCache is the mpy-cross cache folder the builds use ("" for none).
func MpyCrossCache() string {
	switch v := os.Getenv(EnvMpyCrossCache); v {
	case "":
		return firmware.DefaultMpyCrossCache()
	case "off":
		return ""
	default:
		return v
	}
}

// flashReport names what `flash` programs when it is not firmware.bin, and
// the RAM loader it programs with.
func flashReport(res *firmware.Result) string {
	var s strings.Builder
	if res.FlashImage != res.BIN {
		if fi, err := os.Stat(res.FlashImage); err == nil {
			fmt.Fprintf(&s, "  flash image %s: %s at 0x%08x\n", filepath.Base(res.FlashImage), toolchain.FormatBytes(uint64(fi.Size())), res.Plan.Board().FlashBase())
		}
	}
	if res.Loader != "" {
		if n, err := toolchain.LoadSize(res.Loader); err == nil {
			fmt.Fprintf(&s, "  flash loader %s: %s, runs in RAM\n", filepath.Base(res.Loader), toolchain.FormatBytes(n))
		}
	}
	return s.String()
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

// FilesystemLine is the size report's line for the board's littlefs
// partition ("  FS  64 KiB littlefs (ram, 1K blocks) at 0x38040000"), or "".
func FilesystemLine(fs boards.Filesystem) string {
	if fs.Size == 0 {
		return ""
	}
	return fmt.Sprintf("  FS     %10s   %s\n", toolchain.FormatBytes(uint64(fs.Size)), fs.Describe())
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
