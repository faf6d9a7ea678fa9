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

	"github.com/charmbracelet/log"

	"mpforge/boards"
	"mpforge/build"
	"mpforge/genhdr"
	"mpforge/toolchain"
)

// Config says what to build and where.
type Config struct {
	Root      string // the mpforge checkout: port/ and boards/ live here
	Board     *boards.Board
	TreeDir   string // the MicroPython tree
	Toolchain *toolchain.Toolchain
	OutDir    string // default Root/out/<board>
	Jobs      int
	Logger    *log.Logger
	Verbose   bool
	Progress  *build.Progress
	// Waiting is called when another build of the same board holds the lock.
	Waiting func(holderPID string)
}

// Artifacts are the files a good build leaves in the output folder.
type Artifacts struct {
	ELF, BIN, HEX, Map, CompileCommands string
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
}

// Board is the board the plan builds (with the settings the build added).
func (p *Plan) Board() *boards.Board { return p.cfg.Board }

func (c *Config) outDir() string {
	if c.OutDir != "" {
		return c.OutDir
	}
	return filepath.Join(c.Root, "out", c.Board.Name)
}

// Build plans and runs the build under the board's lock.
func Build(ctx context.Context, cfg Config) (*Result, error) {
	out := cfg.outDir()
	unlock, err := build.Lock(ctx, filepath.Join(out, ".mpforge", "lock"), cfg.Waiting)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := build.RemoveStaleTemps(out); err != nil {
		return nil, err
	}
	plan, err := NewPlan(cfg)
	if err != nil {
		return nil, err
	}
	res, err := build.Run(ctx, filepath.Join(out, ".mpforge", "log"), plan.Steps,
		build.Options{Jobs: cfg.Jobs, Logger: cfg.Logger, Verbose: cfg.Verbose, Progress: cfg.Progress})
	if err != nil {
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

// NewPlan writes the board's generated files and returns the graph.
func NewPlan(cfg Config) (*Plan, error) {
	mode, err := chooseMode(cfg.Board, os.LookupEnv) // sdk.go
	if err != nil {
		return nil, err
	}
	cfg.Board = mode.board(cfg.Board)
	cfg.Board = withFrozenSettings(cfg.Board) // frozen.go
	b := cfg.Board
	out := cfg.outDir()
	gen := filepath.Join(out, "genhdr")
	sources, err := collectSources(cfg.Root, cfg.TreeDir, b)
	if err != nil {
		return nil, fmt.Errorf("board %s: %w", b.Name, err)
	}
	version, err := genhdr.MPVersion(cfg.TreeDir, treeDate(cfg.TreeDir))
	if err != nil {
		return nil, err
	}
	for name, data := range map[string][]byte{
		filepath.Join(gen, "mpconfigboard.h"): mpconfigBoardH(b),
		filepath.Join(gen, "board_config.h"):  boardConfigH(b),
		filepath.Join(gen, "mpversion.h"):     version,
		filepath.Join(out, "memory.ld"):       memoryLD(b),
	} {
		if _, err := build.WriteIfChanged(name, data); err != nil {
			return nil, err
		}
	}

	p := &Plan{cfg: cfg, Mode: mode, Sources: sources, portQstrDefs: filepath.Join(cfg.Root, "port", "qstrdefsport.h"), Artifacts: Artifacts{
		ELF: filepath.Join(out, "firmware.elf"), BIN: filepath.Join(out, "firmware.bin"),
		HEX: filepath.Join(out, "firmware.hex"), Map: filepath.Join(out, "firmware.map"),
		CompileCommands: filepath.Join(out, "compile_commands.json"),
	}}
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
	p.Steps = append(p.Steps, p.linkStep(objects))
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
	for _, f := range b.Files {
		if dir := filepath.Dir(f); filepath.Base(filepath.Dir(dir)) == "boards" && !slices.Contains(incs, dir) {
			incs = append(incs, dir) // board folders, parents first; not the families folder
		}
	}
	slices.Reverse(incs[1:]) // the board's own folder before the ones it inherits
	incs = append(incs, p.cfg.outDir(), p.cfg.TreeDir, filepath.Join(p.cfg.TreeDir, "lib", "cmsis", "inc"))
	for _, inc := range incs {
		flags = append(flags, "-I"+p.rel(inc))
	}
	// Debug info (DW_AT_comp_dir) and __FILE__ must not depend on where the
	// checkout or the tree lives; the later map wins for the tree inside the checkout.
	flags = append(flags, "-ffile-prefix-map="+p.cfg.Root+"=.")
	if p.rel(p.cfg.TreeDir) == p.cfg.TreeDir {
		flags = append(flags, "-ffile-prefix-map="+p.cfg.TreeDir+"=micropython")
	}
	return flags
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
	return slices.Concat(b.CPU.Flags, []string{"-mthumb"}, b.Build.LDFlags, []string{"-T" + p.rel(b.Link.Script)}), b.Build.Libs
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
			for _, cmd := range commands(t(a.ELF), t(a.Map), t(a.BIN), t(a.HEX)) {
				out, err := toolchain.Run(ctx, p.cfg.Root, cmd)
				if err != nil {
					return nil, out, explainLinkError(out, err, b)
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
	return list
}
