// Package mptree finds, validates and provisions the MicroPython source tree a build uses:
// the user's own clone named by MICROPY_DIR, or a managed copy of Debian's source package
// kept under the project's .mpforge/ folder.
package mptree

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// EnvDir names the environment variable that points to a user's own MicroPython tree.
const EnvDir = "MICROPY_DIR"

// sourceFile, inside a managed copy, records where the copy came from (Tree.Source).
const sourceFile = ".mpforge-source"

// ErrNoTree is wrapped by Locate's error when neither MICROPY_DIR nor a managed copy exists,
// so a caller can offer to fetch one.
var ErrNoTree = errors.New("no MicroPython tree")

// Tree is a validated MicroPython source tree.
type Tree struct {
	Dir     string  // absolute path of the tree's root
	Version Version // from py/mpconfig.h
	// Source says where the tree came from: "MICROPY_DIR", "debian:micropython=<debian version>"
	// for a managed copy, or "" when Check was given some other directory.
	Source string
	Git    bool // the tree is a git checkout (mpversion.h can then use `git describe`)
}

// requiredPaths are what a build of our port needs from the tree, beyond py/mpconfig.h:
// the core sources, the scripts the header generators follow, the shared REPL runtime,
// CMSIS headers and the in-tree libraries behind the modules the port enables.
var requiredPaths = []string{
	"py/qstrdefs.h",
	"py/obj.c",
	"py/runtime.c",
	"py/gc.c",
	"py/compile.c",
	"py/parse.c",
	"py/lexer.c",
	"py/qstr.c",
	"py/builtinimport.c",
	"py/nlrthumb.c",
	"py/asmthumb.c",
	"py/emitnthumb.c",
	"py/makeqstrdefs.py",
	"py/makeqstrdata.py",
	"py/makemoduledefs.py",
	"py/make_root_pointers.py",
	"py/makecompresseddata.py",
	"py/makeversionhdr.py",
	"shared/runtime/pyexec.c",
	"shared/runtime/interrupt_char.c",
	"shared/runtime/stdout_helpers.c",
	"shared/runtime/sys_stdio_mphal.c",
	"shared/runtime/gchelper_native.c",
	"shared/runtime/gchelper_thumb2.s",
	"shared/readline/readline.c",
	"shared/libc/string0.c",
	"lib/cmsis/inc/core_cm3.h",
	"lib/cmsis/inc/core_cm33.h",
	"lib/cmsis/inc/cmsis_gcc.h",
	"lib/re1.5/re1.5.h",
	"lib/crypto-algorithms/sha256.c",
	"extmod/modmachine.c",
	"extmod/modtime.c",
	"extmod/modjson.c",
	"extmod/modre.c",
}

// Check validates dir as a MicroPython tree mpforge can build with. Its errors name the
// directory and say exactly what is wrong.
func Check(dir string) (Tree, error) {
	return check(dir, dir)
}

// check validates dir; label is how errors name it (the path, or "MICROPY_DIR=<path>").
func check(dir, label string) (Tree, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Tree{}, fmt.Errorf("%s: %w", label, err)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Tree{}, fmt.Errorf("%s: no such directory", label)
	case err != nil:
		return Tree{}, fmt.Errorf("%s: %w", label, err)
	case !fi.IsDir():
		return Tree{}, fmt.Errorf("%s: not a directory", label)
	}
	cfg, err := os.ReadFile(filepath.Join(abs, "py", "mpconfig.h"))
	if errors.Is(err, fs.ErrNotExist) {
		return Tree{}, fmt.Errorf("%s: not a MicroPython tree: py/mpconfig.h missing", label)
	}
	if err != nil {
		return Tree{}, fmt.Errorf("%s: %w", label, err)
	}
	v, err := versionFromConfig(string(cfg))
	if err != nil {
		return Tree{}, fmt.Errorf("%s: not a MicroPython tree: py/mpconfig.h: %w", label, err)
	}
	if !v.Supported() {
		return Tree{}, fmt.Errorf("%s: version %s not supported (need %s)", label, v, supportedText())
	}
	var missing []string
	for _, p := range requiredPaths {
		if _, err := os.Stat(filepath.Join(abs, filepath.FromSlash(p))); err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return Tree{}, fmt.Errorf("%s: incomplete: %s missing (%s)", label, strings.Join(missing, ", "), incompleteHint)
	}
	t := Tree{Dir: abs, Version: v}
	if _, err := os.Stat(filepath.Join(abs, ".git")); err == nil {
		t.Git = true
	}
	if b, err := os.ReadFile(filepath.Join(abs, sourceFile)); err == nil {
		t.Source = strings.TrimSpace(string(b))
	}
	return t, nil
}

// incompleteHint says where missing files come from. Everything required lives in
// MicroPython's own repository (none of it is a submodule), so a tree lacking them is a
// partial copy rather than an un-initialised clone.
const incompleteHint = "a complete git clone and Debian's +ds source tarball have them; is this a partial copy?"

var versionMacro = regexp.MustCompile(`(?m)^\s*#\s*define\s+MICROPY_VERSION_(MAJOR|MINOR|MICRO)\s+(\d+)\b`)

// versionFromConfig reads MICROPY_VERSION_MAJOR/MINOR/MICRO from py/mpconfig.h's text.
func versionFromConfig(text string) (Version, error) {
	found := map[string]int{}
	for _, m := range versionMacro.FindAllStringSubmatch(text, -1) {
		if _, dup := found[m[1]]; dup {
			continue // the first definition is the real one; later ones sit in #if branches at worst
		}
		n, err := strconv.Atoi(m[2])
		if err != nil {
			return Version{}, fmt.Errorf("MICROPY_VERSION_%s: %q is not a number", m[1], m[2])
		}
		found[m[1]] = n
	}
	for _, k := range []string{"MAJOR", "MINOR", "MICRO"} {
		if _, ok := found[k]; !ok {
			return Version{}, fmt.Errorf("MICROPY_VERSION_%s not defined", k)
		}
	}
	return Version{found["MAJOR"], found["MINOR"], found["MICRO"]}, nil
}

// ManagedDir is where Fetch keeps the managed copy of version v.
func ManagedDir(projectRoot string, v Version) string {
	return filepath.Join(projectRoot, ".mpforge", "micropython-"+v.String())
}

// Locate returns the tree a build uses: $MICROPY_DIR when set (and valid), else the managed
// copy of the Pinned version under projectRoot. When neither exists the error wraps ErrNoTree
// and tells the user how to get a tree.
func Locate(projectRoot string) (Tree, error) {
	if dir := os.Getenv(EnvDir); dir != "" {
		t, err := check(dir, EnvDir+"="+dir)
		if err != nil {
			return Tree{}, err
		}
		t.Source = EnvDir
		return t, nil
	}
	dir := ManagedDir(projectRoot, Pinned)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return Tree{}, fmt.Errorf("%w: %s is not set and the managed copy %s does not exist; run `mage setup` (or `go run ./mage setup`) to fetch MicroPython %s, or set %s to your own clone",
			ErrNoTree, EnvDir, dir, Pinned, EnvDir)
	}
	t, err := check(dir, "managed copy "+dir)
	if err != nil {
		return Tree{}, fmt.Errorf("%w; run `mage setup` to replace it", err)
	}
	return t, nil
}
