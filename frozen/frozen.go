// Package frozen knows how Python files become frozen modules of a
// firmware, the way MicroPython's manifest freeze() does: which files a
// list of paths names and under which module names, how the tree's
// mpy-cross compiles one of them, and how the tree's tools/mpy-tool.py
// turns the compiled files into frozen_content.c. The build graph that runs
// these commands lives in package firmware.
package frozen

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Module is one Python file to freeze.
type Module struct {
	Source string // the .py file, absolute
	// Target is its path among the frozen modules, "/"-separated:
	// "regs.py" is `import regs`, "pkg/__init__.py" is `import pkg`.
	Target string
}

// Name is the dotted module name that imports the file.
func (m Module) Name() string {
	name := strings.TrimSuffix(m.Target, ".py")
	name = strings.TrimSuffix(name, "/__init__")
	return strings.ReplaceAll(name, "/", ".")
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Collect expands paths into the modules to freeze, sorted by Target. A
// file is frozen as a top-level module named after it. A folder is a
// library root, like an entry of sys.path (upstream's freeze("folder")):
// each .py file under it is frozen with its path relative to the folder,
// so a package is frozen by naming the folder that contains it. Hidden
// files and folders and __pycache__ are skipped. The same file named twice
// is frozen once; two files that would be the same module are an error.
func Collect(paths []string) ([]Module, error) {
	bySource := map[string]bool{}
	byTarget := map[string]string{}
	var mods []Module
	add := func(source, target string) error {
		if bySource[source] {
			return nil
		}
		if other, dup := byTarget[target]; dup {
			return fmt.Errorf("%s and %s would both be frozen as %s: rename one or freeze only one", other, source, target)
		}
		for _, part := range strings.Split(strings.TrimSuffix(target, ".py"), "/") {
			if !identifier.MatchString(part) {
				return fmt.Errorf("frozen file %s: %q cannot be imported (a module name is letters, digits and _, not starting with a digit); rename it", source, part)
			}
		}
		bySource[source] = true
		byTarget[target] = source
		mods = append(mods, Module{Source: source, Target: target})
		return nil
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("frozen module %s: %w", p, errors.Unwrap(err))
		}
		if !fi.IsDir() {
			if filepath.Ext(abs) != ".py" {
				return nil, fmt.Errorf("frozen module %s: not a .py file; name Python files or folders of them", p)
			}
			if err := add(abs, filepath.Base(abs)); err != nil {
				return nil, err
			}
			continue
		}
		found := false
		err = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if path != abs && (strings.HasPrefix(name, ".") || name == "__pycache__") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || filepath.Ext(name) != ".py" {
				return nil
			}
			rel, err := filepath.Rel(abs, path)
			if err != nil {
				return err
			}
			found = true
			return add(path, filepath.ToSlash(rel))
		})
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("frozen folder %s holds no .py files", p)
		}
	}
	slices.SortFunc(mods, func(a, b Module) int { return strings.Compare(a.Target, b.Target) })
	return mods, nil
}

// ParseList splits a user's list of frozen paths (MPFORGE_FROZEN), separated
// like PATH, and makes relative entries absolute against base.
func ParseList(list, base string) []string {
	var paths []string
	for _, p := range filepath.SplitList(list) {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(base, p)
		}
		paths = append(paths, p)
	}
	return paths
}

// Arch is mpy-cross's -march value for a CPU, given the board's core name
// and compiler flags, so that @micropython.native and @viper functions in a
// frozen module are compiled for the board. It is "" for a core it does not
// know; the modules then hold bytecode only, which every core runs.
func Arch(core string, cpuFlags []string) string {
	hard, doubleFPU, noDSP := false, false, false
	for _, f := range cpuFlags {
		switch {
		case f == "-mfloat-abi=hard":
			hard = true
		case strings.HasPrefix(f, "-mfpu="):
			doubleFPU = !strings.Contains(f, "-sp-") && f != "-mfpu=auto"
		case strings.HasPrefix(f, "-mcpu="):
			cpu := strings.TrimPrefix(f, "-mcpu=")
			core, _, _ = strings.Cut(cpu, "+")
			noDSP = strings.Contains(cpu, "+nodsp")
		}
	}
	switch core {
	case "cortex-m0", "cortex-m0plus", "cortex-m1", "cortex-m23":
		return "armv6m"
	case "cortex-m3":
		return "armv7m"
	case "cortex-m4", "cortex-m7", "cortex-m33", "cortex-m35p":
		switch {
		case noDSP:
			return "armv7m"
		case hard && doubleFPU && core == "cortex-m7":
			return "armv7emdp"
		case hard:
			return "armv7emsp"
		}
		return "armv7em"
	}
	return ""
}

// MpyCrossArgs is the command that compiles m to out with the mpy-cross at
// exe. The module's Target is recorded as its file name, which is how the
// firmware finds it on import.
func MpyCrossArgs(exe string, m Module, arch, out string) []string {
	argv := []string{exe, "-o", out, "-s", m.Target}
	if arch != "" {
		argv = append(argv, "-march="+arch)
	}
	return append(argv, "--", m.Source)
}
