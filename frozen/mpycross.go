package frozen

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"mpforge/toolchain"
)

// The host build of the tree's mpy-cross, as mpy-cross/Makefile builds it:
// the whole of py/, the program's own files, and a generic GC register
// helper, with the folder of its mpconfigport.h first on the include path.

// MpyCrossDir is the program's folder in the MicroPython tree.
const MpyCrossDir = "mpy-cross"

// MpyCrossSources lists the C files of mpy-cross in tree, absolute.
func MpyCrossSources(tree string) ([]string, error) {
	srcs, err := filepath.Glob(filepath.Join(tree, "py", "*.c"))
	if err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("%s has no py/*.c: not a MicroPython tree", tree)
	}
	for _, f := range []string{"mpy-cross/main.c", "mpy-cross/gccollect.c", "shared/runtime/gchelper_generic.c"} {
		path := filepath.Join(tree, f)
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("the MicroPython tree %s has no %s, which mpy-cross needs for frozen modules", tree, f)
		}
		srcs = append(srcs, path)
	}
	return srcs, nil
}

// MpyCrossCFlags are the host compiler flags of mpy-cross/Makefile, without
// -Werror: a newer host compiler's new warning in MicroPython's code should
// not stop a firmware build. Include folders come first (the caller's).
var MpyCrossCFlags = []string{
	"-std=gnu99", "-Os", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wpointer-arith",
	"-fdata-sections", "-ffunction-sections", "-fno-asynchronous-unwind-tables",
}

// MpyCrossLinkFlags go after the objects on the host link.
var MpyCrossLinkFlags = []string{"-Wl,--gc-sections", "-lm"}

// HostCompiler finds the host's C compiler (gcc, else cc) for mpy-cross.
// Its fingerprint changes when the compiler does, so that an upgrade
// rebuilds mpy-cross.
func HostCompiler(ctx context.Context) (*toolchain.Toolchain, error) {
	var path string
	for _, name := range []string{"gcc", "cc"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		return nil, &toolchain.MissingError{Tool: "host C compiler (gcc or cc, to build mpy-cross for frozen modules)",
			Hint: "sudo apt-get install gcc"}
	}
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --version: %w", path, err)
	}
	version, _, _ := strings.Cut(string(out), "\n")
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	return &toolchain.Toolchain{
		GCC: path, Version: version,
		Fingerprint: fmt.Sprintf("%s %s %d %d", path, version, fi.Size(), fi.ModTime().UnixNano()),
	}, nil
}

// EnvPython names the Python 3 interpreter mpforge runs (the same variable
// as the test suite's), for a python3 that is not on PATH.
const EnvPython = "MPFORGE_PYTHON"

// Python finds the python3 that runs tools/mpy-tool.py: EnvPython, else
// python3 on PATH, else python (what python.org's Windows installer puts there).
func Python() (string, error) {
	if p := os.Getenv(EnvPython); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("%s=%q: %w; point it at a Python 3 interpreter", EnvPython, p, err)
		}
		return path, nil
	}
	names := []string{"python3"}
	if runtime.GOOS == "windows" {
		names = append(names, "python")
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", &toolchain.MissingError{Tool: "python3 (runs the tree's tools/mpy-tool.py for frozen modules)",
		Hint: "sudo apt-get install python3 (elsewhere: Python 3 from python.org, or set " + EnvPython + " to its interpreter)"}
}
