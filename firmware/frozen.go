package firmware

// Frozen Python modules: the board's [frozen] modules are compiled by the
// tree's mpy-cross (built here for the host, once per checkout) into .mpy
// files, which the tree's tools/mpy-tool.py turns into frozen_content.c,
// compiled and linked like any other source. Each .py has its own step, so
// an edit recompiles one .mpy, frozen_content.c and its object, and the link.

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"mpforge/boards"
	"mpforge/build"
	"mpforge/frozen"
	"mpforge/genhdr"
	"mpforge/toolchain"
)

// withFrozenSettings returns the board with the settings frozen modules need
// added (a copy; the caller's board is left alone), so that they land in
// genhdr/mpconfigboard.h with the board's other settings.
func withFrozenSettings(b *boards.Board) *boards.Board {
	if len(b.Frozen.Modules) == 0 {
		return b
	}
	c := *b
	c.MicroPython.Settings = maps.Clone(b.MicroPython.Settings)
	if c.MicroPython.Settings == nil {
		c.MicroPython.Settings = map[string]any{}
	}
	for k, v := range frozen.Defines {
		c.MicroPython.Settings[k] = v
	}
	return &c
}

// mpyCrossDir holds the host mpy-cross shared by every board of the checkout.
func mpyCrossDir(root string) string { return filepath.Join(root, "out", "host", "mpy-cross") }

// frozenSteps adds the frozen-module steps and frozen_content.c to the plan
// and returns the object to link and its compile_commands entry; nothing
// when the board freezes nothing. frozen_content.c is not scanned for
// qstrs: mpy-tool numbers the qstrs only frozen code uses after the
// firmware's, in a pool of their own.
func (p *Plan) frozenSteps(cflags []string, gen *build.Step) ([]string, []compileCommand, error) {
	b := p.cfg.Board
	if len(b.Frozen.Modules) == 0 {
		return nil, nil, nil
	}
	mods, err := frozen.Collect(b.Frozen.Modules)
	if err != nil {
		return nil, nil, fmt.Errorf("board %s: [frozen] modules: %w", b.Name, err)
	}
	python, err := frozen.Python()
	if err != nil {
		return nil, nil, err
	}
	dir := filepath.Join(p.cfg.outDir(), "frozen")
	exe := filepath.Join(mpyCrossDir(p.cfg.Root), "mpy-cross")
	arch := frozen.Arch(b.CPU.Core, b.CPU.Flags)
	p.Steps = append(p.Steps, &build.Step{
		Kind: "HOST", Name: "mpy-cross", Outputs: []string{exe},
		Sub: func(ctx context.Context, opts build.Options) (*build.Result, error) {
			return buildMpyCross(ctx, p.cfg, opts)
		},
	})
	var mpys []string
	for _, m := range mods {
		mpy := filepath.Join(dir, "mpy", filepath.FromSlash(strings.TrimSuffix(m.Target, ".py")+".mpy"))
		mpys = append(mpys, mpy)
		p.Steps = append(p.Steps, p.mpyStep(exe, m, arch, mpy))
	}
	probe := filepath.Join(dir, "config_probe.c")
	if _, err := build.WriteIfChanged(probe, []byte(frozen.ConfigProbe)); err != nil {
		return nil, nil, err
	}
	content := filepath.Join(dir, "frozen_content.c")
	p.Steps = append(p.Steps, p.frozenContentStep(mods, mpys, probe, python, content, cflags))
	cc, entry := p.compileStep(content, cflags, gen)
	p.Steps = append(p.Steps, cc)
	p.Sources = append(p.Sources, content) // compiled, though never scanned for qstrs
	p.frozenContent = content
	return cc.Outputs, []compileCommand{entry}, nil
}

// mpyStep compiles one module with mpy-cross; the binary is an input, so a
// rebuilt mpy-cross that compiles differently recompiles the modules.
func (p *Plan) mpyStep(exe string, m frozen.Module, arch, mpy string) *build.Step {
	argv := func(out string) []string {
		return frozen.MpyCrossArgs(p.rel(exe), frozen.Module{Source: p.rel(m.Source), Target: m.Target}, arch, p.rel(out))
	}
	return &build.Step{
		Kind: "MPY", Name: m.Target, Inputs: []string{m.Source, exe}, Outputs: []string{mpy},
		Command: argv(mpy),
		Run: func(ctx context.Context) ([]string, []byte, error) {
			if err := os.MkdirAll(filepath.Dir(mpy), 0o755); err != nil {
				return nil, nil, err
			}
			out, err := toolchain.Run(ctx, p.cfg.Root, argv(build.TempName(mpy)))
			if err != nil {
				return nil, out, fmt.Errorf("%s: %w", p.rel(m.Source), err)
			}
			return nil, out, build.Commit(mpy)
		},
	}
}

// frozenContentStep writes frozen_content.c with mpy-tool, against the
// firmware's qstrs (the GEN step's qstrdefs.preprocessed.h) and its
// long-int settings, read by preprocessing the probe with the firmware's
// flags. The file is rewritten only when its text changes.
func (p *Plan) frozenContentStep(mods []frozen.Module, mpys []string, probe, python, content string, cflags []string) *build.Step {
	tree := p.cfg.TreeDir
	qstrs := filepath.Join(p.cfg.outDir(), "genhdr", "qstrdefs.preprocessed.h")
	mpyTool := filepath.Join(tree, "tools", "mpy-tool.py")
	cpp := func(dep string) []string {
		return slices.Concat([]string{p.cfg.Toolchain.GCC, "-E", "-P"}, cflags, []string{"-MD", "-MF", p.rel(dep), p.rel(probe)})
	}
	relMpys := make([]string, len(mpys))
	for i, m := range mpys {
		relMpys[i] = p.rel(m)
	}
	tool := func(cfg frozen.Config) []string {
		return frozen.ToolArgs(python, p.rel(tree), p.rel(qstrs), cfg, relMpys)
	}
	return &build.Step{
		Kind: "GEN", Name: p.rel(content),
		Inputs:  slices.Concat([]string{qstrs, mpyTool, filepath.Join(tree, "py", "makeqstrdata.py"), probe}, mpys),
		Outputs: []string{content},
		// The long-int settings come from the probe, whose headers are discovered inputs.
		Command: slices.Concat(cpp(content+".d"), tool(frozen.Config{LongInt: "(from the probe)"}), []string{p.cfg.Toolchain.Fingerprint}),
		Run: func(ctx context.Context) ([]string, []byte, error) {
			dep := build.TempName(content + ".d")
			defer os.Remove(dep)
			pre, errOut, err := toolchain.Output(ctx, p.cfg.Root, cpp(dep))
			if err != nil {
				return nil, errOut, err
			}
			cfg, err := frozen.ParseConfig(pre)
			if err != nil {
				return nil, errOut, err
			}
			code, errOut, err := toolchain.Output(ctx, p.cfg.Root, tool(cfg))
			if err != nil {
				return nil, errOut, fmt.Errorf("tools/mpy-tool.py: %w", err)
			}
			if _, err := build.WriteIfChanged(content, frozen.Content(mods, code)); err != nil {
				return nil, nil, err
			}
			deps, err := p.readDepfile(dep)
			return deps, errOut, err
		},
	}
}

// buildMpyCross brings the host mpy-cross up to date under its own lock. It
// is a build of its own (own log, own steps), so that boards share it, run
// as a Sub step of the firmware's build, so that its compiles share the job
// slots with the firmware's; the MPY steps take the binary as an input.
func buildMpyCross(ctx context.Context, cfg Config, opts build.Options) (*build.Result, error) {
	out := mpyCrossDir(cfg.Root)
	unlock, err := build.Lock(ctx, filepath.Join(out, ".mpforge", "lock"), func(pid string) {
		if cfg.Logger != nil {
			cfg.Logger.Info("another build is building mpy-cross; waiting for it", "pid", pid)
		}
	})
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := build.RemoveStaleTemps(out); err != nil {
		return nil, err
	}
	hostCC, err := frozen.HostCompiler(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.Toolchain != nil {
		hostCC.Launcher = cfg.Toolchain.Launcher // ccache serves both compilers
	}
	hcfg := Config{Root: cfg.Root, TreeDir: cfg.TreeDir, Toolchain: hostCC, OutDir: out, MpyCrossCache: cfg.MpyCrossCache, Logger: cfg.Logger}
	steps, err := mpyCrossSteps(hcfg)
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(out, ".mpforge", "log")
	key, hit, err := fromMpyCrossCache(hcfg, logPath) // mpycross_cache.go
	if err != nil || hit {
		return &build.Result{}, err
	}
	res, err := build.Run(ctx, logPath, steps, opts)
	if err != nil {
		return res, fmt.Errorf("building mpy-cross (for frozen modules) from %s: %w", cfg.TreeDir, err)
	}
	publishLocalMpyCross(hcfg, key, res)
	return res, nil
}

// mpyCrossSteps is the graph of the host mpy-cross: the firmware's own QSTR,
// GEN and CC steps with the host compiler and mpy-cross's flags and
// qstrdefsport.h, then a host link. Kinds carry a HOST prefix so that
// progress lines tell them from the firmware's.
func mpyCrossSteps(cfg Config) ([]*build.Step, error) {
	tree := cfg.TreeDir
	h := &Plan{cfg: cfg, portQstrDefs: filepath.Join(tree, frozen.MpyCrossDir, "qstrdefsport.h")}
	sources, err := frozen.MpyCrossSources(tree)
	if err != nil {
		return nil, err
	}
	version, err := genhdr.MPVersion(tree, treeDate(tree))
	if err != nil {
		return nil, err
	}
	if _, err := build.WriteIfChanged(filepath.Join(cfg.OutDir, "genhdr", "mpversion.h"), version); err != nil {
		return nil, err
	}
	var cflags []string
	for _, inc := range []string{filepath.Join(tree, frozen.MpyCrossDir), cfg.OutDir, tree} {
		cflags = append(cflags, "-I"+h.rel(inc))
	}
	cflags = append(cflags, frozen.MpyCrossCFlags...)

	var steps []*build.Step
	var scans, objects []string
	for _, src := range sources {
		s := h.scanStep(src, cflags)
		steps = append(steps, s)
		scans = append(scans, s.Outputs[0])
	}
	gen := h.generateStep(scans, cflags, false)
	steps = append(steps, gen)
	for _, src := range sources {
		cc, _ := h.compileStep(src, cflags, gen)
		steps = append(steps, cc)
		objects = append(objects, cc.Outputs[0])
	}
	steps = append(steps, h.hostLinkStep(objects, filepath.Join(cfg.OutDir, "mpy-cross")))
	for _, s := range steps {
		s.Kind = "HOST" + s.Kind
	}
	return steps, nil
}

func (p *Plan) hostLinkStep(objects []string, exe string) *build.Step {
	argv := func(out string) []string {
		cmd := []string{p.cfg.Toolchain.GCC, "-o", p.rel(out)}
		for _, o := range objects {
			cmd = append(cmd, p.rel(o))
		}
		return append(cmd, frozen.MpyCrossLinkFlags...)
	}
	return &build.Step{
		Kind: "LINK", Name: p.rel(exe), Inputs: objects, Outputs: []string{exe},
		Command: append(argv(exe), p.cfg.Toolchain.Fingerprint),
		Run: func(ctx context.Context) ([]string, []byte, error) {
			if out, err := toolchain.Run(ctx, p.cfg.Root, argv(build.TempName(exe))); err != nil {
				return nil, out, err
			}
			return nil, nil, build.Commit(exe)
		},
	}
}
