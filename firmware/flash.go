package firmware

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"mpforge/boards/fr30xx/burn"
	"mpforge/build"
	"mpforge/toolchain"
)

// imageFormats turn firmware.bin into what is programmed at the board's
// flash base, by [flash] image.
var imageFormats = map[string]func(app []byte) ([]byte, error){
	"freqchip-burn": burn.Image,
}

// flashSteps add what programming the board needs to the graph: the flash
// image when its format is not plain firmware.bin, and our RAM flash
// loader when the board has one. Each is restat: an unchanged output
// leaves what reads it alone.
func (p *Plan) flashSteps() ([]*build.Step, []compileCommand, error) {
	f := p.cfg.Board.Flash
	var steps []*build.Step
	if p.Artifacts.FlashImage != p.Artifacts.BIN {
		steps = append(steps, p.imageStep(f.Image))
	}
	if len(f.Loader) == 0 {
		return steps, nil, nil
	}
	var srcs []string
	for _, pat := range f.Loader {
		m, err := doublestar.FilepathGlob(pat)
		if err != nil {
			return nil, nil, fmt.Errorf("[flash] loader %q: %w", p.rel(pat), err)
		}
		srcs = append(srcs, m...)
	}
	slices.Sort(srcs)
	srcs = slices.Compact(srcs)
	b := p.cfg.Board
	cflags := slices.Concat(b.CPU.Flags, []string{"-mthumb"}, f.LoaderCFlags)
	for _, dir := range p.boardFolders() { // a board that inherits the loader finds its headers too
		cflags = append(cflags, "-I"+p.rel(dir))
	}
	cflags = append(cflags, p.prefixMaps()...)
	var objects []string
	var commands []compileCommand
	for _, src := range srcs {
		obj := filepath.Join(p.cfg.outDir(), "flasher", "obj", strings.TrimSuffix(p.rel(src), ".c")+".o")
		cc, entry := p.compile(src, obj, p.rel(src)+" (loader)", cflags)
		steps = append(steps, cc)
		objects = append(objects, obj)
		commands = append(commands, entry)
	}
	return append(steps, p.loaderLinkStep(objects)), commands, nil
}

// imageStep writes the flash image (e.g. firmware_burn.bin) from firmware.bin.
func (p *Plan) imageStep(format string) *build.Step {
	bin, out := p.Artifacts.BIN, p.Artifacts.FlashImage
	return &build.Step{
		Kind: "IMAGE", Name: p.rel(out), Inputs: []string{bin}, Outputs: []string{out},
		Command: []string{"image", format},
		Run: func(context.Context) ([]string, []byte, error) {
			app, err := os.ReadFile(bin)
			if err != nil {
				return nil, nil, err
			}
			img, err := imageFormats[format](app)
			if err != nil {
				return nil, nil, err
			}
			return nil, nil, build.WriteFileAtomic(out, img)
		},
	}
}

// loaderLinkStep links the loader's objects with its own script, without
// the C library: it runs on bare SRAM, called by the debugger.
func (p *Plan) loaderLinkStep(objects []string) *build.Step {
	b := p.cfg.Board
	f := b.Flash
	elf := p.Artifacts.Loader
	argv := func(out string) []string {
		cmd := slices.Concat([]string{p.cfg.Toolchain.GCC}, b.CPU.Flags, []string{"-mthumb", "-nostdlib"}, f.LoaderLDFlags,
			[]string{"-T" + p.rel(f.LoaderScript), "-o", p.rel(out)})
		for _, o := range objects {
			cmd = append(cmd, p.rel(o))
		}
		return cmd
	}
	return &build.Step{
		Kind: "LINK", Name: p.rel(elf), Inputs: append([]string{f.LoaderScript}, objects...), Outputs: []string{elf},
		Command: append(argv(elf), p.cfg.Toolchain.Fingerprint),
		Run: func(ctx context.Context) ([]string, []byte, error) {
			out, err := toolchain.Run(ctx, p.cfg.Root, argv(build.TempName(elf)))
			if err != nil {
				return nil, out, err
			}
			return nil, out, build.Commit(elf)
		},
	}
}
