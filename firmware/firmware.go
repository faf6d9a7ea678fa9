// Package firmware turns a board, a MicroPython tree and a toolchain into
// the build graph of one firmware and runs it: QSTR scan, header
// generation, compile, link, objcopy, size report.
package firmware

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/charmbracelet/log"

	"mpforge/boards"
	"mpforge/build"
	"mpforge/genhdr"
	"mpforge/internal/gitrev"
	"mpforge/toolchain"
)

// Config says what to build and where.
type Config struct {
	Root      string // the mpforge checkout: port/ and boards/ live here
	Board     *boards.Board
	TreeDir   string // the MicroPython tree
	Toolchain *toolchain.Toolchain
	OutDir    string // default Root/out/<board>
	// MpyCrossCache keeps the host mpy-cross per user, shared by checkouts
	// (DefaultMpyCrossCache); "" builds it in every checkout.
	MpyCrossCache string
	Jobs          int
	Logger        *log.Logger
	Verbose       bool
	Progress      *build.Progress
	// Waiting is called when another build of the same board holds the lock.
	Waiting func(holderPID string)
	// Embed plans MicroPython as a library for a product's own firmware
	// instead of the board's firmware (library.go).
	Embed bool
}

// Artifacts are the files a good build leaves in the output folder.
type Artifacts struct {
	ELF, BIN, HEX, Map, CompileCommands string
	// FlashImage is what `flash` programs at the board's flash base:
	// firmware.bin, or e.g. firmware_burn.bin ([flash] image).
	FlashImage string
	// Loader is our RAM flash loader (flasher.elf), when the board has one.
	Loader string
	// Lib and API are the static library and its header (Embed only).
	Lib, API string
}

// Result is a finished build.
type Result struct {
	Artifacts
	Plan     *Plan // the graph that ran: its Sources, Mode and Watch list
	Build    *build.Result
	Regions  []toolchain.RegionUse
	Sections []toolchain.Section
}

// Plan is the build graph of one firmware, before it runs.
type Plan struct {
	cfg       Config
	Steps     []*build.Step
	Sources   []string
	Artifacts Artifacts
	Mode      Mode
	// Watch lists the files and folders whose change calls for a rebuild.
	Watch []string
	// portQstrDefs is the port's qstrdefsport.h (mpy-cross has its own; frozen.go).
	portQstrDefs string
	// for an export (library.go): the QSTR steps' outputs, the generated
	// headers and frozen_content.c
	scans, generated []string
	frozenContent    string
}

// Board is the board the plan builds (with the settings the build added).
func (p *Plan) Board() *boards.Board { return p.cfg.Board }

func (c *Config) outDir() string {
	if c.OutDir != "" {
		return c.OutDir
	}
	if c.Embed {
		return filepath.Join(c.boardDir(), "embed")
	}
	return c.boardDir()
}

// boardDir is out/<board>/, whose lock every build of the board takes.
func (c *Config) boardDir() string { return filepath.Join(c.Root, "out", c.Board.Name) }

// Build plans and runs the build under the board's lock.
func Build(ctx context.Context, cfg Config) (*Result, error) {
	plan, res, err := run(ctx, cfg, func(p *Plan) []*build.Step { return p.Steps })
	if err != nil || cfg.Embed {
		if plan == nil {
			return nil, err
		}
		return &Result{Build: res, Artifacts: plan.Artifacts, Plan: plan}, err
	}
	var regions []toolchain.Region
	for _, r := range cfg.Board.Memory {
		regions = append(regions, toolchain.Region{Name: r.Name, Origin: r.Origin, Length: uint64(r.Length)})
	}
	if plan.Mode.SDK != "" { // the vendor's linker script laid memory out, not the board file
		if regions, err = mapRegions(plan.Artifacts.Map); err != nil {
			return nil, err
		}
	}
	uses, sections, err := toolchain.Sizes(plan.Artifacts.ELF, regions)
	if err != nil {
		return nil, err
	}
	return &Result{Artifacts: plan.Artifacts, Build: res, Regions: uses, Sections: sections, Plan: plan}, nil
}

// run plans the build and runs the steps pick chooses, under the board's lock.
func run(ctx context.Context, cfg Config, pick func(*Plan) []*build.Step) (*Plan, *build.Result, error) {
	// Builds whose state lies in out/<board>/ (the firmware, the library,
	// header-only mode) take turns on its lock: each cleans up its temporary
	// files, in that whole folder.
	lockDir := cfg.boardDir()
	if r, err := filepath.Rel(lockDir, cfg.OutDir); cfg.OutDir != "" && (err != nil || r == ".." || strings.HasPrefix(r, "../")) {
		lockDir = cfg.OutDir
	}
	unlock, err := build.Lock(ctx, filepath.Join(lockDir, ".mpforge", "lock"), cfg.Waiting)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	if err := build.RemoveStaleTemps(lockDir); err != nil {
		return nil, nil, err
	}
	plan, err := NewPlan(cfg)
	if err != nil {
		return nil, nil, err
	}
	res, err := build.Run(ctx, plan.logPath(), pick(plan),
		build.Options{Jobs: cfg.Jobs, Logger: cfg.Logger, Verbose: cfg.Verbose, Progress: cfg.Progress})
	return plan, res, err
}

func (p *Plan) logPath() string { return filepath.Join(p.cfg.outDir(), ".mpforge", "log") }

// NewPlan writes the board's generated files and returns the graph.
func NewPlan(cfg Config) (*Plan, error) {
	lookup := os.LookupEnv
	if cfg.Embed {
		lookup = noSDK // the product brings its own SDK
		cfg.Board = withEmbedSettings(cfg.Board)
	}
	mode, err := chooseMode(cfg.Board, lookup) // sdk.go
	if err != nil {
		return nil, err
	}
	cfg.Board = mode.board(cfg.Board)
	cfg.Board = withFrozenSettings(cfg.Board) // frozen.go
	b := cfg.Board
	out := cfg.outDir()
	gen := filepath.Join(out, "genhdr")
	sources, err := collectSources(cfg.Root, cfg.TreeDir, b)
	if err == nil && cfg.Embed {
		sources, err = embedSources(cfg.Root, b, sources)
	}
	if err != nil {
		return nil, fmt.Errorf("board %s: %w", b.Name, err)
	}
	version, err := genhdr.MPVersion(cfg.TreeDir, treeDate(cfg.TreeDir))
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{
		filepath.Join(gen, "mpconfigboard.h"): mpconfigBoardH(b),
		filepath.Join(gen, "board_config.h"):  boardConfigH(b),
		// Soft timers run on systick.c's tick, which only the firmware has.
		filepath.Join(gen, "board_periph.h"):  boardPeriphH(b, b.SoftTimers() && !cfg.Embed), // peripherals.go
		filepath.Join(gen, "mpversion.h"):     version,
		filepath.Join(gen, "mpforge_build.h"): mpforgeBuildH(gitrev.Revision(context.Background(), cfg.Root)),
	}
	if !cfg.Embed { // the product links with its own linker script
		files[filepath.Join(out, "memory.ld")] = memoryLD(b)
	}
	for name, data := range files {
		if _, err := build.WriteIfChanged(name, data); err != nil {
			return nil, err
		}
	}

	p := &Plan{cfg: cfg, Mode: mode, Sources: sources, portQstrDefs: filepath.Join(cfg.Root, "port", "qstrdefsport.h"), Artifacts: Artifacts{
		ELF: filepath.Join(out, "firmware.elf"), BIN: filepath.Join(out, "firmware.bin"),
		HEX: filepath.Join(out, "firmware.hex"), Map: filepath.Join(out, "firmware.map"),
		CompileCommands: filepath.Join(out, "compile_commands.json"),
	}}
	p.Artifacts.FlashImage = p.Artifacts.BIN
	if f, ok := boards.ImageFormats[b.Flash.Image]; ok {
		p.Artifacts.FlashImage = filepath.Join(out, f.File)
	}
	if len(b.Flash.Loader) > 0 {
		p.Artifacts.Loader = filepath.Join(out, "flasher.elf")
	}
	cflags := p.cflags()
	compress := enabled(b.MicroPython.Settings["MICROPY_ROM_TEXT_COMPRESSION"])

	var scans, objects []string
	var scanSteps []*build.Step
	for _, src := range sources {
		scan := p.scanStep(src, p.flagsFor(src, cflags))
		scanSteps = append(scanSteps, scan)
		scans = append(scans, scan.Outputs[0])
	}
	genStep := p.generateStep(scans, cflags, compress)
	p.scans = scans
	for name := range files {
		if filepath.Dir(name) == gen {
			p.generated = append(p.generated, name)
		}
	}
	slices.Sort(p.generated)
	p.generated = append(p.generated, genStep.Outputs[:len(genStep.Outputs)-2]...) // not its two intermediates
	p.Steps = append(scanSteps, genStep)
	var commands []compileCommand
	for _, src := range sources {
		cc, entry := p.compileStep(src, p.flagsFor(src, cflags), genStep)
		p.Steps = append(p.Steps, cc)
		objects = append(objects, cc.Outputs[0])
		commands = append(commands, entry)
	}
	vendor, vendorSources, vendorObjects, vendorCommands := p.vendorSteps() // sdk.go; none without the SDK
	p.Steps = append(p.Steps, vendor...)
	p.Sources = append(vendorSources, sources...)
	objects = append(vendorObjects, objects...)
	commands = append(vendorCommands, commands...)
	// Frozen Python modules (frozen.go): .mpy files, frozen_content.c, its object.
	frozenObjs, frozenCmds, err := p.frozenSteps(cflags, genStep)
	if err != nil {
		return nil, err
	}
	objects, commands = append(objects, frozenObjs...), append(commands, frozenCmds...)
	if cfg.Embed {
		p.Artifacts.Lib, p.Artifacts.API = filepath.Join(cfg.libDir(), "libmicropython.a"), filepath.Join(cfg.libDir(), "include", "mpforge_embed.h")
		p.Steps = append(p.Steps, p.archiveStep(objects), p.copyStep(apiHeader(cfg.Root), p.Artifacts.API))
	} else {
		p.Steps = append(p.Steps, p.linkStep(objects))
		flash, flashCmds, err := p.flashSteps() // flash.go
		if err != nil {
			return nil, err
		}
		p.Steps, commands = append(p.Steps, flash...), append(commands, flashCmds...)
	}
	data, err := json.MarshalIndent(commands, "", "  ")
	if err != nil {
		return nil, err
	}
	if _, err := build.WriteIfChanged(p.Artifacts.CompileCommands, append(data, '\n')); err != nil {
		return nil, err
	}
	p.Watch = p.watchList()
	return p, nil
}

// treeDate is the build date written into mpversion.h: the tree's own date,
// not today's, so that a build is reproducible.
func treeDate(tree string) time.Time {
	if fi, err := os.Stat(filepath.Join(tree, "py", "mpconfig.h")); err == nil {
		return fi.ModTime().UTC()
	}
	return time.Unix(0, 0).UTC()
}

// rel shows a path relative to the checkout when it lies inside it; the
// compiler runs in the checkout, so objects do not depend on where it is.
func (p *Plan) rel(path string) string {
	if r, err := filepath.Rel(p.cfg.Root, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// display names a source for progress lines: tree files by their path in the tree.
func (p *Plan) display(src string) string {
	if r, err := filepath.Rel(p.cfg.TreeDir, src); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p.rel(src)
}

func (p *Plan) cflags() []string {
	b := p.cfg.Board
	flags := slices.Concat(b.CPU.Flags, []string{"-mthumb"}, b.Build.CFlags)
	incs := []string{filepath.Join(p.cfg.Root, "port")}
	if p.cfg.Embed {
		// The product's firmware has its own board files, none of ours.
		incs = append(incs, filepath.Join(p.cfg.Root, embedDir))
	} else {
		incs = append(incs, p.boardFolders()...)
	}
	incs = append(incs, p.cfg.outDir(), p.cfg.TreeDir, filepath.Join(p.cfg.TreeDir, "lib", "cmsis", "inc"))
	for _, inc := range incs {
		flags = append(flags, "-I"+p.rel(inc))
	}
	return append(flags, p.prefixMaps()...)
}

// prefixMaps keep debug info (DW_AT_comp_dir) and __FILE__ independent of
// where the checkout or the tree lives; the later map wins for the tree
// inside the checkout.
func (p *Plan) prefixMaps() []string {
	maps := []string{"-ffile-prefix-map=" + p.cfg.Root + "=."}
	if p.rel(p.cfg.TreeDir) == p.cfg.TreeDir {
		maps = append(maps, "-ffile-prefix-map="+p.cfg.TreeDir+"=micropython")
	}
	return maps
}

// boardFolders are the folders of the board file and the boards it
// inherits, its own first; not the families folder.
func (p *Plan) boardFolders() []string {
	var dirs []string
	for _, f := range p.cfg.Board.Files {
		if dir := filepath.Dir(f); filepath.Base(filepath.Dir(dir)) == "boards" && !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir) // parents first
		}
	}
	slices.Reverse(dirs)
	return dirs
}

func (p *Plan) objPath(src, ext string) string {
	name := p.display(src)
	if filepath.IsAbs(name) {
		name = strings.TrimPrefix(name, "/")
	}
	return filepath.Join(p.cfg.outDir(), "obj", strings.TrimSuffix(name, ".c")+ext)
}

func (p *Plan) gcc() []string {
	return append(slices.Clone(p.cfg.Toolchain.Launcher), p.cfg.Toolchain.GCC)
}

// scanStep preprocesses one source with NO_QSTR and keeps what it registers
// (qstrs, modules, root pointers), like make's qstr split files.
func (p *Plan) scanStep(src string, cflags []string) *build.Step {
	out := p.objPath(src, ".qstr")
	argv := func(dep string) []string {
		return slices.Concat([]string{p.cfg.Toolchain.GCC, "-E", "-DNO_QSTR"}, cflags, []string{"-MD", "-MF", p.rel(dep), p.rel(src)})
	}
	return &build.Step{
		Kind: "QSTR", Name: p.display(src), Inputs: []string{src}, Outputs: []string{out},
		Command: append(argv(out+".d"), p.cfg.Toolchain.Fingerprint),
		Run: func(ctx context.Context) ([]string, []byte, error) {
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return nil, nil, err
			}
			dep := build.TempName(out + ".d")
			defer os.Remove(dep)
			pre, errOut, err := toolchain.Output(ctx, p.cfg.Root, argv(dep))
			if err != nil {
				return nil, errOut, err
			}
			data, err := genhdr.Scan(pre).MarshalBinary()
			if err != nil {
				return nil, nil, err
			}
			deps, err := p.readDepfile(dep)
			if err != nil {
				return nil, nil, err
			}
			return deps, errOut, build.WriteFileAtomic(out, data)
		},
	}
}

// generateStep merges the scans into MicroPython's generated headers. Each
// header is rewritten only when its content changes, so an edit that adds
// no qstr recompiles nothing else.
func (p *Plan) generateStep(scans, cflags []string, compress bool) *build.Step {
	gen := filepath.Join(p.cfg.outDir(), "genhdr")
	outputs := []string{filepath.Join(gen, "qstrdefs.generated.h"), filepath.Join(gen, "moduledefs.h"), filepath.Join(gen, "root_pointers.h")}
	if compress {
		outputs = append(outputs, filepath.Join(gen, "compressed.data.h"))
	}
	pyDefs := filepath.Join(p.cfg.TreeDir, "py", "qstrdefs.h")
	portDefs := p.portQstrDefs
	makeqstrdataPy := filepath.Join(p.cfg.TreeDir, "py", "makeqstrdata.py")
	preIn := filepath.Join(gen, "qstrdefs.in.h")
	preprocessed := filepath.Join(gen, "qstrdefs.preprocessed.h") // mpy-tool's input (frozen.go)
	cpp := func(dep string) []string {
		return slices.Concat([]string{p.cfg.Toolchain.GCC, "-E"}, cflags, []string{"-MD", "-MF", p.rel(dep), "-x", "c", p.rel(preIn)})
	}
	return &build.Step{
		Kind: "GEN", Name: "qstrdefs.generated.h moduledefs.h root_pointers.h",
		Inputs: append([]string{pyDefs, portDefs, makeqstrdataPy}, scans...), Outputs: append(outputs, preIn, preprocessed),
		Command: append(cpp(preIn+".d"), p.cfg.Toolchain.Fingerprint, fmt.Sprint(compress)),
		Run: func(ctx context.Context) ([]string, []byte, error) {
			dep := build.TempName(preIn + ".d")
			defer os.Remove(dep)
			var found []*genhdr.Found
			for _, s := range scans {
				data, err := os.ReadFile(s)
				if err != nil {
					return nil, nil, err
				}
				f := new(genhdr.Found)
				if err := f.UnmarshalBinary(data); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", s, err)
				}
				found = append(found, f)
			}
			collected := genhdr.Collect(found)
			py, err := os.ReadFile(pyDefs)
			if err != nil {
				return nil, nil, err
			}
			port, err := os.ReadFile(portDefs)
			if err != nil {
				return nil, nil, err
			}
			if err := build.WriteFileAtomic(preIn, genhdr.QstrDefsPreprocessInput(py, port, collected)); err != nil {
				return nil, nil, err
			}
			pre, errOut, err := toolchain.Output(ctx, p.cfg.Root, cpp(dep))
			if err != nil {
				return nil, errOut, err
			}
			makeqstrdata, err := os.ReadFile(makeqstrdataPy)
			if err != nil {
				return nil, nil, err
			}
			unquoted := genhdr.QstrDefsUnquote(pre)
			if _, err := build.WriteIfChanged(preprocessed, unquoted); err != nil {
				return nil, nil, err
			}
			qstrs, err := genhdr.QstrDefsGenerated(makeqstrdata, unquoted)
			if err != nil {
				return nil, nil, err
			}
			generators := []func(*genhdr.Collected) ([]byte, error){genhdr.ModuleDefs, genhdr.RootPointers}
			if compress {
				generators = append(generators, genhdr.CompressedData)
			}
			contents := [][]byte{qstrs}
			for _, g := range generators {
				data, err := g(collected)
				if err != nil {
					return nil, nil, err
				}
				contents = append(contents, data)
			}
			for i, c := range contents {
				if _, err := build.WriteIfChanged(outputs[i], c); err != nil {
					return nil, nil, err
				}
			}
			deps, err := p.readDepfile(dep)
			// preIn is this step's own intermediate, not something it reads.
			return slices.DeleteFunc(deps, func(d string) bool { return d == preIn }), errOut, err
		},
	}
}

type compileCommand struct {
	Directory string   `json:"directory"`
	Arguments []string `json:"arguments"`
	File      string   `json:"file"`
	Output    string   `json:"output"`
}

func (p *Plan) compileStep(src string, cflags []string, gen *build.Step) (*build.Step, compileCommand) {
	return p.compile(src, p.objPath(src, ".o"), p.display(src), cflags, gen)
}

// compile is one CC step: src to obj, its depfile beside it, written
// atomically; after are the steps whose outputs it may include.
func (p *Plan) compile(src, obj, name string, cflags []string, after ...*build.Step) (*build.Step, compileCommand) {
	dep := strings.TrimSuffix(obj, ".o") + ".d"
	argv := func(obj, dep string) []string {
		return slices.Concat(p.gcc(), cflags, []string{"-MD", "-MF", p.rel(dep), "-c", p.rel(src), "-o", p.rel(obj)})
	}
	entry := compileCommand{Directory: p.cfg.Root, File: p.rel(src), Output: p.rel(obj),
		Arguments: slices.Concat([]string{p.cfg.Toolchain.GCC}, cflags, []string{"-c", p.rel(src), "-o", p.rel(obj)})}
	return &build.Step{
		Kind: "CC", Name: name, Inputs: []string{src}, Outputs: []string{obj}, After: after,
		Command: append(argv(obj, dep), p.cfg.Toolchain.Fingerprint),
		Run: func(ctx context.Context) ([]string, []byte, error) {
			if err := os.MkdirAll(filepath.Dir(obj), 0o755); err != nil {
				return nil, nil, err
			}
			out, err := toolchain.Run(ctx, p.cfg.Root, argv(build.TempName(obj), build.TempName(dep)))
			if err != nil {
				return nil, out, err
			}
			deps, err := p.readDepfile(build.TempName(dep))
			if err != nil {
				return nil, out, err
			}
			return deps, out, build.Commit(dep, obj)
		},
	}, entry
}

var overflow = regexp.MustCompile("region `([^']+)' overflowed by ([0-9]+) bytes")

// LinkFlags say how the firmware is linked, without where its files are:
// the CPU and board flags, the linker script (the vendor's in SDK mode) and
// the libraries.
func (p *Plan) LinkFlags() []string {
	flags, libs := p.linkFlags()
	return append(flags, libs...)
}

// linkFlags are the link's flags before its objects, and the libraries after them.
func (p *Plan) linkFlags() (flags, libs []string) {
	b := p.cfg.Board
	id := []string{buildIDFlag} // identity.go
	if p.Mode.SDK != "" {
		id = []string{noBuildIDFlag}
	}
	return slices.Concat(b.CPU.Flags, []string{"-mthumb"}, b.Build.LDFlags, id, []string{"-T" + p.rel(b.Link.Script)}), b.Build.Libs
}

func (p *Plan) linkStep(objects []string) *build.Step {
	b := p.cfg.Board
	a := p.Artifacts
	memory := filepath.Join(p.cfg.outDir(), "memory.ld")
	flags, libs := p.linkFlags()
	// commands writes elf, map, bin and hex under the given names.
	commands := func(elf, mapFile, bin, hex string) [][]string {
		link := slices.Concat([]string{p.cfg.Toolchain.GCC}, flags,
			[]string{"-L" + p.rel(p.cfg.outDir()), "-Wl,-Map=" + p.rel(mapFile), "-o", p.rel(elf)})
		for _, o := range objects {
			link = append(link, p.rel(o))
		}
		link = append(link, libs...)
		return [][]string{link,
			{p.cfg.Toolchain.Objcopy, "-O", "binary", p.rel(elf), p.rel(bin)},
			{p.cfg.Toolchain.Objcopy, "-O", "ihex", p.rel(elf), p.rel(hex)}}
	}
	t := build.TempName
	return &build.Step{
		Kind: "LINK", Name: p.rel(a.ELF), Inputs: append([]string{b.Link.Script, memory}, objects...),
		Outputs: []string{a.ELF, a.BIN, a.HEX, a.Map},
		Command: append(slices.Concat(commands(a.ELF, a.Map, a.BIN, a.HEX)...), p.cfg.Toolchain.Fingerprint),
		Run: func(ctx context.Context) ([]string, []byte, error) {
			cmds := commands(t(a.ELF), t(a.Map), t(a.BIN), t(a.HEX))
			// Link, image with the build-id still zero, stamp its digest
			// (identity.go), then the image and the hex with it.
			for i, cmd := range append(cmds[:2:2], cmds[1:]...) {
				out, err := toolchain.Run(ctx, p.cfg.Root, cmd)
				if err != nil {
					return nil, out, explainLinkError(out, err, b)
				}
				if i == 1 {
					if err := stampBuildID(filepath.Join(p.cfg.Root, p.rel(t(a.ELF))), filepath.Join(p.cfg.Root, p.rel(t(a.BIN)))); err != nil {
						return nil, nil, err
					}
				}
			}
			// The map names the file ld wrote; name the one users get, so the map is reproducible.
			m, err := os.ReadFile(t(a.Map))
			if err != nil {
				return nil, nil, err
			}
			if err := os.WriteFile(t(a.Map), bytes.ReplaceAll(m, []byte(p.rel(t(a.ELF))), []byte(p.rel(a.ELF))), 0o644); err != nil {
				return nil, nil, err
			}
			return nil, nil, build.Commit(a.ELF, a.BIN, a.HEX, a.Map)
		},
	}
}

// explainLinkError turns a region overflow into which region and by how much.
func explainLinkError(out []byte, err error, b *boards.Board) error {
	var msgs []string
	for _, m := range overflow.FindAllStringSubmatch(string(out), -1) {
		msg := fmt.Sprintf("%s overflowed by %s bytes", m[1], m[2])
		if r, ok := b.Region(m[1]); ok {
			msg += fmt.Sprintf(" (region is %s; board %s sets heap_size %s, stack_size %s)", r.Length, b.Name, b.Link.HeapSize, b.Link.StackSize)
		}
		msgs = append(msgs, msg)
	}
	if len(msgs) == 0 {
		return err
	}
	return fmt.Errorf("firmware does not fit: %s", strings.Join(msgs, "; "))
}

func (p *Plan) readDepfile(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("depfile: %w", err)
	}
	deps := toolchain.ParseDepfile(data)
	for i, d := range deps {
		if !filepath.IsAbs(d) {
			deps[i] = filepath.Join(p.cfg.Root, d)
		}
	}
	return deps, nil
}

// watchList is every input a change of which calls for a rebuild: the
// sources, the folders their globs read, the board's files and the port.
func (p *Plan) watchList() []string {
	seen := map[string]bool{}
	var list []string
	add := func(path string) {
		if !seen[path] {
			seen[path] = true
			list = append(list, path)
		}
	}
	for _, s := range p.Sources {
		add(filepath.Dir(s))
	}
	add(filepath.Join(p.cfg.Root, "port"))
	for _, f := range p.cfg.Board.Files {
		add(filepath.Dir(f))
	}
	add(filepath.Dir(p.cfg.Board.Link.Script))
	if f := p.cfg.Board.Flash; len(f.Loader) > 0 {
		for _, pat := range f.Loader {
			base, _ := doublestar.SplitPattern(filepath.ToSlash(pat))
			add(filepath.FromSlash(base))
		}
		add(filepath.Dir(f.LoaderScript))
	}
	return list
}
