package tasks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"mpforge/build"
	"mpforge/compdb"
	"mpforge/export"
	"mpforge/firmware"
	"mpforge/toolchain"
)

// embedConfig is the firmware.Config of a board's MicroPython as a library.
func (e *Env) embedConfig(ctx context.Context, name string) (firmware.Config, error) {
	b, err := e.Board(name)
	if err != nil {
		return firmware.Config{}, err
	}
	tc, err := e.Toolchain(ctx)
	if err != nil {
		return firmware.Config{}, err
	}
	if err := e.hostTools(ctx, b); err != nil {
		return firmware.Config{}, err
	}
	tree, err := e.Tree(ctx)
	if err != nil {
		return firmware.Config{}, err
	}
	return firmware.Config{
		Root: e.Root, Board: b, TreeDir: tree.Dir, Toolchain: tc, Jobs: e.Jobs,
		Logger: e.Logger, Verbose: e.Verbose, Progress: e.progress(), Waiting: e.waiting(b.Name),
		Embed: true,
	}, nil
}

// BuildLib builds a board's MicroPython as out/<board>/libmicropython.a and
// its API header out/<board>/include/mpforge_embed.h.
func (e *Env) BuildLib(ctx context.Context, name string, w io.Writer) (*firmware.Result, error) {
	cfg, err := e.embedConfig(ctx, name)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res, err := firmware.Build(ctx, cfg)
	if err != nil {
		var se *build.StepError
		if errors.As(err, &se) {
			return res, fmt.Errorf("library build of %s failed; the previous library (if any) is unchanged\n%w", cfg.Board.Name, err)
		}
		return res, err
	}
	fi, err := os.Stat(res.Lib)
	if err != nil {
		return res, err
	}
	fmt.Fprintf(w, "%s: %s (%s) and %s in %.1fs (%d steps ran, %d up to date; %d compiled)\n",
		cfg.Board.Name, e.rel(res.Lib), toolchain.FormatBytes(uint64(fi.Size())), e.rel(res.API), time.Since(start).Seconds(),
		len(res.Build.Ran), res.Build.Reused, res.Build.RanKind("CC")+res.Build.RanKind("HOSTCC"))
	return res, nil
}

// ExportEmbed writes a board's MicroPython as a source tree into dir.
func (e *Env) ExportEmbed(ctx context.Context, name, dir string, w io.Writer) (*export.Result, error) {
	if dir == "" {
		return nil, fmt.Errorf("export:embed needs a folder to write to, as in export:embed fr30xx ../product/micropython")
	}
	cfg, err := e.embedConfig(ctx, name)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	plan, _, err := firmware.Generate(ctx, cfg)
	if err != nil {
		return nil, err
	}
	res, err := export.Write(plan, dir)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "%s: %s: %d files, %s, in %.1fs (%d written, %d removed, %d unchanged)\n",
		cfg.Board.Name, dir, len(res.Manifest.Files), toolchain.FormatBytes(uint64(res.Bytes)), time.Since(start).Seconds(),
		len(res.Written), len(res.Removed), res.Unchanged)
	return res, nil
}

// EnvSources names the compilation database or sources file of genhdr when
// it is not in the project folder.
const EnvSources = "MPFORGE_SOURCES"

// GenHeaders regenerates dir/genhdr/ for the sources a project compiles
// (header-only mode), writing only the headers whose content changed.
func (e *Env) GenHeaders(ctx context.Context, name, dir string, w io.Writer) (*firmware.HeadersResult, error) {
	if dir == "" {
		return nil, fmt.Errorf("genhdr needs the project folder that gets genhdr/, as in genhdr fr30xx ../product/micropython")
	}
	list := os.Getenv(EnvSources)
	if list == "" {
		var err error
		if list, err = compdb.Find(dir); err != nil {
			return nil, err
		}
	}
	sources, err := compdb.Read(list)
	if err != nil {
		return nil, err
	}
	cfg, err := e.embedConfig(ctx, name)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res, err := firmware.GenerateHeaders(ctx, cfg, sources, dir)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "%s: %s: %d sources scanned (%d again), %d of %d headers written in %.1fs\n",
		cfg.Board.Name, filepath.Join(dir, "genhdr"), len(sources), res.Build.RanKind("QSTR"), len(res.Written), len(res.Headers), time.Since(start).Seconds())
	return res, nil
}
