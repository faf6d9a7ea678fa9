package firmware

// Header-only mode: a team that keeps its own copy of the sources (an
// earlier export, with modules of its own added) and compiles them in its
// own project regenerates genhdr/ as a pre-build step. The sources and
// their flags come from the project (compile_commands.json or a sources
// file, package export reads them); the scan and generation steps are the
// engine's own, with its state under out/<board>/genhdr-only/, and the
// headers are copied into the project only when their content changed.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"mpforge/build"
)

// ExternalSource is a source compiled outside mpforge: the file and the
// flags it compiles with (paths absolute), without -c, -o and depfile flags.
type ExternalSource struct {
	File  string
	Flags []string
}

// HeadersResult says what GenerateHeaders did.
type HeadersResult struct {
	Build   *build.Result
	Written []string // headers whose content changed, by name
	Headers []string // every header it keeps, by name
}

// GenerateHeaders scans sources for what they register (qstrs, modules,
// root pointers) and writes genhdr/ under dir: the GEN step's headers and
// the board's configuration, as the export has them (cfg.Embed is implied).
// A source named frozen_content.c is not scanned, as in a firmware build.
func GenerateHeaders(ctx context.Context, cfg Config, sources []ExternalSource, dir string) (*HeadersResult, error) {
	cfg.Embed = true
	if cfg.OutDir == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		// One state folder per project, so two projects do not rescan each other.
		d := build.DigestStrings(abs)
		cfg.OutDir = filepath.Join(cfg.boardDir(), "genhdr-only", fmt.Sprintf("%x", d[:6]))
	}
	plan, br, err := run(ctx, cfg, func(p *Plan) []*build.Step {
		var steps []*build.Step
		var scans []string
		for _, s := range sources {
			if filepath.Base(s.File) == "frozen_content.c" {
				continue
			}
			scan := p.scanStep(s.File, s.Flags)
			steps = append(steps, scan)
			scans = append(scans, scan.Outputs[0])
		}
		// The same headers (and paths) as the plan's own GEN step, from these scans.
		return append(steps, p.generateStep(scans, p.cflags(), enabled(p.cfg.Board.MicroPython.Settings["MICROPY_ROM_TEXT_COMPRESSION"])))
	})
	if err != nil {
		return nil, err
	}
	res := &HeadersResult{Build: br}
	for _, h := range plan.generated {
		data, err := os.ReadFile(h)
		if err != nil {
			return nil, err
		}
		name := filepath.Base(h)
		wrote, err := build.WriteIfChanged(filepath.Join(dir, "genhdr", name), data)
		if err != nil {
			return nil, err
		}
		if wrote {
			res.Written = append(res.Written, name)
		}
		res.Headers = append(res.Headers, name)
	}
	return res, nil
}
