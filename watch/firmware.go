package watch

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/charmbracelet/log"

	"mpforge/boards"
	"mpforge/build"
	"mpforge/firmware"
	"mpforge/toolchain"
)

// Firmware is one board's build through mpforge's firmware pipeline, as the
// watcher sees it: Build and Inputs are its Options.Build and Options.Inputs.
type Firmware struct {
	Root  string // the mpforge checkout
	Board string // board name; its board file is read again for each build, since it may change
	// Load reads the board file for a build; nil reads boards/<Board>. The
	// mage targets load it with the user's frozen modules added.
	Load      func() (*boards.Board, error)
	TreeDir   string // the MicroPython tree
	Toolchain *toolchain.Toolchain
	Jobs      int
	Logger    *log.Logger
	Verbose   bool
	Progress  *build.Progress
	Waiting   func(holderPID string) // another build of this board holds its lock

	last Set            // the inputs of the last board file that loaded
	plan *firmware.Plan // the last build's graph: its inputs, without planning again
}

func (f *Firmware) outDir() string { return filepath.Join(f.Root, "out", f.Board) }

func (f *Firmware) config() (firmware.Config, error) {
	load := f.Load
	if load == nil {
		load = func() (*boards.Board, error) { return boards.Load(filepath.Join(f.Root, "boards"), f.Board) }
	}
	b, err := load()
	if err != nil {
		return firmware.Config{}, err
	}
	return firmware.Config{
		Root: f.Root, Board: b, TreeDir: f.TreeDir, Toolchain: f.Toolchain, OutDir: f.outDir(),
		Jobs: f.Jobs, Logger: f.Logger, Verbose: f.Verbose, Progress: f.Progress, Waiting: f.Waiting,
	}, nil
}

// Build builds the firmware; a failed build leaves the previous one in place.
func (f *Firmware) Build(ctx context.Context, _ []string) (*Outcome, error) {
	cfg, err := f.config()
	if err != nil {
		return nil, err
	}
	res, err := firmware.Build(ctx, cfg)
	if res != nil && res.Plan != nil {
		f.plan = res.Plan
	}
	if err != nil {
		return nil, err
	}
	return &Outcome{ELF: res.ELF, Regions: res.Regions, Ran: res.Build.Ran}, nil
}

// Inputs lists what the build reads: the plan's watch list (source folders,
// port/, board folders), the folders its globs read, its include folders,
// the board files, and every header the last compiles read (their depfiles).
// While the board file does not load, the last good list is kept, with all
// of boards/ added so that the fix is seen wherever it is made.
func (f *Firmware) Inputs() (Set, error) {
	s, err := f.inputs()
	if err != nil {
		if f.Logger != nil {
			f.Logger.Debug("keeping the last watch list", "err", err)
		}
		s = f.last
		s.Trees = append(append([]string(nil), s.Trees...), filepath.Join(f.Root, "boards"))
		s.Ignore = f.ignore()
		return s, nil
	}
	f.last = s
	return s, nil
}

func (f *Firmware) inputs() (Set, error) {
	plan := f.plan
	if plan == nil { // before the first build, or a build that failed before planning
		cfg, err := f.config()
		if err != nil {
			return Set{}, err
		}
		if plan, err = firmware.NewPlan(cfg); err != nil {
			return Set{}, err
		}
	}
	f.plan = nil // used once: the next build plans afresh
	b := plan.Board()
	s := Set{Dirs: plan.Watch, Files: append([]string{b.Link.Script}, b.Files...), Ignore: f.ignore()}
	globs := func(base string, patterns []string) {
		for _, p := range patterns {
			dir, rest := doublestar.SplitPattern(filepath.ToSlash(filepath.Join(base, p)))
			if strings.Contains(rest, "/") { // "**" or a wildcard folder: every subfolder counts
				s.Trees = append(s.Trees, filepath.FromSlash(dir))
			} else {
				s.Dirs = append(s.Dirs, filepath.FromSlash(dir))
			}
		}
	}
	globs(f.TreeDir, b.Sources.Tree)
	for _, patterns := range b.Sources.When {
		globs(f.TreeDir, patterns)
	}
	globs(f.Root, b.Sources.Port)
	globs("", b.Sources.Board)           // already absolute
	for _, m := range b.Frozen.Modules { // a folder of modules is read with its subfolders
		if fi, err := os.Stat(f.abs(m)); err == nil && fi.IsDir() {
			s.Trees = append(s.Trees, f.abs(m))
		} else {
			s.Dirs = append(s.Dirs, filepath.Dir(f.abs(m)))
		}
	}
	for _, step := range plan.Steps {
		s.Files = append(s.Files, step.Inputs...)
		for _, arg := range step.Command {
			if inc, ok := strings.CutPrefix(arg, "-I"); ok {
				s.Dirs = append(s.Dirs, f.abs(inc))
			}
		}
	}
	s.Files = append(s.Files, f.headers()...)
	return s, nil
}

// ignore is what the build writes: this board's output folder and out/,
// where host tools such as mpy-cross are built.
func (f *Firmware) ignore() []string {
	return []string{f.outDir(), filepath.Join(f.Root, "out")}
}

func (f *Firmware) abs(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(f.Root, path)
}

// headers are the files the last compiles read, from their depfiles
// (obj/**/*.d); missing before the first build, which is fine: the source
// folders cover the headers next to the sources until then.
func (f *Firmware) headers() []string {
	seen := map[string]bool{}
	var deps []string
	_ = filepath.WalkDir(filepath.Join(f.outDir(), "obj"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".d") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil // replaced by a build right now; the next listing has it
		}
		for _, dep := range toolchain.ParseDepfile(data) {
			if dep = f.abs(dep); !seen[dep] {
				seen[dep] = true
				deps = append(deps, dep)
			}
		}
		return nil
	})
	return deps
}
