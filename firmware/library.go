package firmware

// MicroPython as a part of a product's own firmware (Config.Embed): the
// board's MicroPython sources and configuration, the shared port, and the
// embedding API of port/embed, but none of the board's own files (startup,
// vectors, linker script, UART driver) and none of the port's bare-metal
// files the product replaces: it has its own reset code and its own clock.
// The same steps as a firmware (scan, generate, compile, frozen modules);
// an archive step instead of the link. The export (package export) runs the
// generation steps only and copies what they and the sources are.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"mpforge/boards"
	"mpforge/build"
	"mpforge/toolchain"
)

// embedDir holds the embedding API; its header is the library's interface.
const embedDir = "port/embed"

// firmwareOnly are the port's files that only the board firmware compiles:
// py_main.c owns the static heap and the REPL loop (port/embed/mpforge_embed.c
// has the caller-given ones), systick.c owns SysTick (the product's clock
// comes through mpforge_hook_ticks_us).
var firmwareOnly = []string{"port/py_main.c", "port/systick.c"}

// EmbedSetting is the setting the embedded build adds to genhdr/mpconfigboard.h.
const EmbedSetting = "MPFORGE_EMBED"

func withEmbedSettings(b *boards.Board) *boards.Board {
	// The board's flash programming, filesystem partition and peripherals
	// are the board firmware's: the product has its own memory map (a script
	// may still mount a block device of the product's) and its own drivers,
	// pins, clocks and interrupt handlers, which machine.Pin, UART, ... would
	// fight over (their first interrupt moves VTOR to a RAM vector table).
	// Their register drivers are board files, which the product does not
	// compile either.
	c := b.WithoutPeripherals() // a copy, with settings of its own
	c.Flash, c.Filesystem = boards.Flash{}, boards.Filesystem{}
	if c.MicroPython.Settings == nil {
		c.MicroPython.Settings = map[string]any{}
	}
	c.MicroPython.Settings[EmbedSetting] = int64(1)
	c.Link.HeapSize, c.Link.StackSize = 0, 0 // the product gives both at run time
	return c
}

func noSDK(string) (string, bool) { return "", false }

func apiHeader(root string) string { return filepath.Join(root, embedDir, "mpforge_embed.h") }

// embedSources drops the board's own files and the port's firmware-only
// ones from a firmware's sources and adds port/embed's.
func embedSources(root string, b *boards.Board, sources []string) ([]string, error) {
	drop := map[string]bool{}
	for _, f := range firmwareOnly {
		path := filepath.Join(root, f)
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%s, which the embedded build leaves out, is missing: update firmwareOnly in firmware/library.go", f)
		}
		drop[path] = true
	}
	for _, pat := range b.Sources.Board {
		matches, err := doublestar.FilepathGlob(pat)
		if err != nil {
			return nil, fmt.Errorf("sources.board %q: %w", pat, err)
		}
		for _, m := range matches {
			drop[m] = true
		}
	}
	kept := slices.DeleteFunc(slices.Clone(sources), func(s string) bool { return drop[s] })
	api, err := doublestar.FilepathGlob(filepath.Join(root, embedDir, "*.c"))
	if err != nil || len(api) == 0 {
		return nil, fmt.Errorf("no C files in %s: the checkout is incomplete", filepath.Join(root, embedDir))
	}
	return build.Dedupe(append(kept, api...)), nil
}

// libDir is where the library and its header go: out/<board>/.
func (c *Config) libDir() string {
	if c.OutDir != "" {
		return c.OutDir
	}
	return c.boardDir()
}

// archiveStep puts the objects into a static library, deterministically
// (ar's D: no dates, owners or modes) and always from scratch, so that an
// object that left the build leaves the archive; q keeps two objects of
// the same base name apart.
func (p *Plan) archiveStep(objects []string) *build.Step {
	lib := p.Artifacts.Lib
	argv := func(out string) []string {
		cmd := []string{p.cfg.Toolchain.Ar, "qcsD", p.rel(out)}
		for _, o := range objects {
			cmd = append(cmd, p.rel(o))
		}
		return cmd
	}
	return &build.Step{
		Kind: "AR", Name: p.rel(lib), Inputs: objects, Outputs: []string{lib},
		Command: append(argv(lib), p.cfg.Toolchain.Fingerprint),
		Run: func(ctx context.Context) ([]string, []byte, error) {
			tmp := build.TempName(lib)
			if err := os.MkdirAll(filepath.Dir(lib), 0o755); err != nil {
				return nil, nil, err
			}
			if err := os.Remove(tmp); err != nil && !os.IsNotExist(err) {
				return nil, nil, err
			}
			if out, err := toolchain.Run(ctx, p.cfg.Root, argv(tmp)); err != nil {
				return nil, out, err
			}
			return nil, nil, build.Commit(lib)
		},
	}
}

// copyStep copies one file (the API header beside the library).
func (p *Plan) copyStep(src, dst string) *build.Step {
	return &build.Step{
		Kind: "COPY", Name: p.rel(dst), Inputs: []string{src}, Outputs: []string{dst},
		Command: []string{"copy", p.rel(src), p.rel(dst)},
		Run: func(context.Context) ([]string, []byte, error) {
			data, err := os.ReadFile(src)
			if err != nil {
				return nil, nil, err
			}
			return nil, nil, build.WriteFileAtomic(dst, data)
		},
	}
}

// Generate runs only the steps that generate files (QSTR scans, headers,
// frozen modules) of the plan for cfg: what an exported source tree needs,
// without compiling it.
func Generate(ctx context.Context, cfg Config) (*Plan, *build.Result, error) {
	return run(ctx, cfg, func(p *Plan) []*build.Step {
		return slices.DeleteFunc(slices.Clone(p.Steps), func(s *build.Step) bool {
			return !slices.Contains([]string{"QSTR", "GEN", "HOST", "MPY"}, s.Kind)
		})
	})
}

// Root is the checkout the plan builds from; TreeDir the MicroPython tree.
func (p *Plan) Root() string    { return p.cfg.Root }
func (p *Plan) TreeDir() string { return p.cfg.TreeDir }

// OutDir holds the plan's objects, genhdr/ and build log.
func (p *Plan) OutDir() string { return p.cfg.outDir() }

// CompileFlags are the flags every MicroPython and port source compiles with
// (CPU, board, includes, -ffile-prefix-map), without -MD, -c and -o.
func (p *Plan) CompileFlags() []string { return p.cflags() }

// GeneratedHeaders are the headers the plan generates into OutDir/genhdr
// that sources include: the board's configuration, mpversion.h and the
// GEN step's qstrs, modules and root pointers (and compressed messages).
func (p *Plan) GeneratedHeaders() []string { return p.generated }

// FrozenContent is the generated frozen_content.c, "" when nothing is frozen.
func (p *Plan) FrozenContent() string { return p.frozenContent }

// IncludedFiles are the files the sources included when they were last
// scanned (the QSTR steps' depfiles): after Generate or Build, the headers
// and .inc files a copy of the sources needs. Generated ones are left out.
func (p *Plan) IncludedFiles() ([]string, error) {
	scans := p.scans
	inputs, err := build.RecordedInputs(p.logPath(), scans)
	if err != nil {
		return nil, err
	}
	gen := filepath.Join(p.cfg.outDir(), "genhdr") + string(filepath.Separator)
	// A .c file may be included (extmod/vfs_lfs.c includes vfs_lfsx.c); the
	// sources themselves are not includes.
	var files []string
	for _, s := range scans {
		in, ok := inputs[s]
		if !ok {
			return nil, fmt.Errorf("%s has no record in the build log: run the plan's scans first", s)
		}
		for _, f := range in {
			if !slices.Contains(p.Sources, f) && !strings.HasPrefix(f, gen) {
				files = append(files, f)
			}
		}
	}
	files = build.Dedupe(files)
	slices.Sort(files)
	return files, nil
}
