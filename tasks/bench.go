package tasks

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"mpforge/bench"
	"mpforge/frozen"
	"mpforge/internal/copytree"
)

// Bench builds MicroPython's ports/qemu (BOARD=MPS2_AN385) with upstream
// make and our mps2-an385 board with mpforge, from one private copy of the
// tree, through the same scenarios, and prints the figures side by side.
// Our side runs the compiled target binary itself: what `mage` runs after
// its own start-up, and what a compiled `mage -compile` binary costs.
func (e *Env) Bench(ctx context.Context, w io.Writer) error {
	tree, err := e.Tree(ctx)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "mpforge-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	mp, ours := filepath.Join(work, "micropython"), filepath.Join(work, "mpforge")
	for _, dir := range []string{"py", "shared", "extmod", "lib", "drivers", "tools", "mpy-cross", "ports/qemu"} {
		if err := copytree.Copy(filepath.Join(tree.Dir, dir), filepath.Join(mp, dir)); err != nil {
			return err
		}
	}
	for _, dir := range []string{"port", "boards", "python"} {
		if err := copytree.Copy(filepath.Join(e.Root, dir), filepath.Join(ours, dir)); err != nil {
			return err
		}
	}
	if err := copytree.Copy(filepath.Join(e.Root, "go.mod"), filepath.Join(ours, "go.mod")); err != nil {
		return err
	}
	jobs := strconv.Itoa(e.Jobs)
	// Like for like: make freezes what our board freezes, so both build the
	// host mpy-cross and the frozen modules, and a clean build removes make's
	// mpy-cross too.
	manifest, err := e.benchManifest(work, benchBoard)
	if err != nil {
		return err
	}
	// The manifest goes in the port's optional mpconfigport.mk: on make's
	// command line it would reach the mpy-cross sub-make too, which then
	// fails to link. make also insists on a micropython-lib checkout (its
	// README.md), which Debian's source leaves out and the manifest never reads.
	noLib := filepath.Join(work, "no-micropython-lib")
	if err := os.MkdirAll(noLib, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(noLib, "README.md"), nil, 0o644); err != nil {
		return err
	}
	portMk := fmt.Sprintf("FROZEN_MANIFEST = %s\nMPY_LIB_DIR = %s\n", manifest, noLib)
	if err := os.WriteFile(filepath.Join(mp, "ports", "qemu", "mpconfigport.mk"), []byte(portMk), 0o644); err != nil {
		return err
	}
	mk := bench.Builder{
		Name: "make",
		Clean: func() error {
			if err := os.RemoveAll(filepath.Join(mp, "mpy-cross", "build")); err != nil {
				return err
			}
			return os.RemoveAll(filepath.Join(mp, "ports", "qemu", "build-MPS2_AN385"))
		},
		Cmd: func(ctx context.Context) *exec.Cmd {
			cmd := exec.CommandContext(ctx, "make", "-j"+jobs, "BOARD=MPS2_AN385")
			cmd.Dir = filepath.Join(mp, "ports", "qemu")
			return cmd
		},
		Units: bench.MakeUnits,
	}
	mpforge := bench.Builder{
		Name:  "mpforge",
		Clean: bench.RemoveAll(filepath.Join(ours, "out")),
		Cmd: func(ctx context.Context) *exec.Cmd {
			cmd := exec.CommandContext(ctx, self, "build:board", benchBoard)
			cmd.Dir = ours
			// Like make, a clean build builds mpy-cross again.
			cmd.Env = append(os.Environ(), "MICROPY_DIR="+mp, "MPFORGE_JOBS="+jobs, EnvMpyCrossCache+"=off")
			return cmd
		},
		Units: bench.OurUnits,
	}
	objC := filepath.Join(mp, "py", "obj.c")
	scenarios := []bench.Scenario{
		{Name: "clean build", Clean: true},
		{Name: "no-op rebuild"},
		{Name: "touch py/obj.c", Prepare: func() error { return bench.Touch(objC) }},
		{Name: "edit py/obj.c", Prepare: func() error { return bench.AppendLine(objC, "const int mpforge_bench_edit = 1;") }},
		{Name: "edit py/obj.c, new qstr", Prepare: func() error {
			return bench.AppendLine(objC, "const unsigned mpforge_bench_qstr = MP_QSTR_mpforge_bench_qstr;")
		}},
	}
	rows, err := bench.Compare(ctx, scenarios, mk, mpforge, w)
	if err != nil {
		return err
	}
	cached, hits, err := benchSharedCache(ctx, filepath.Join(work, "shared-cache"), mk, mpforge, w)
	if err != nil {
		return err
	}
	rows = append(rows, cached...)
	fmt.Fprintf(w, "\nMicroPython %s, %d cores, make -j%s BOARD=MPS2_AN385 vs mpforge %s\n", tree.Version, runtime.NumCPU(), jobs, benchBoard)
	bench.Table(w, rows, runtime.NumCPU())
	fmt.Fprintln(w, hits)
	return nil
}

// benchSharedCache times both builders with ccache in front of every
// compiler and a redis-server as its remote storage: a clean build that
// fills the shared cache, then a clean build on what stands for another
// machine (an empty local ccache), which takes every object from redis.
// Without ccache or redis-server the rows are left out, and the returned
// line says why.
func benchSharedCache(ctx context.Context, dir string, mk, ours bench.Builder, progress io.Writer) ([]bench.Row, string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", err
	}
	c, err := bench.StartSharedCache(dir)
	if err != nil {
		return nil, "shared-cache rows left out: " + err.Error(), nil
	}
	defer c.Stop()
	masquerade, err := c.Masquerade("gcc", "cc", "arm-none-eabi-gcc")
	if err != nil {
		return nil, "", err
	}
	mk = bench.WithEnv(mk, "PATH="+masquerade+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CCACHE_DIR="+c.LocalDir(mk.Name), "CCACHE_REMOTE_STORAGE="+c.URL)
	ours = bench.WithEnv(ours, "MPFORGE_CC_LAUNCHER=ccache", EnvCacheURL+"="+c.URL, "CCACHE_DIR="+c.LocalDir(ours.Name))
	rows, err := bench.Compare(ctx, []bench.Scenario{
		{Name: "clean build, cold shared cache", Clean: true, Prepare: c.WipeLocal},
		{Name: "clean build, warm shared cache", Clean: true, Prepare: c.WipeLocal},
	}, mk, ours, progress)
	if err != nil {
		return nil, "", err
	}
	hits := "warm shared cache (redis through ccache):"
	for _, name := range []string{mk.Name, ours.Name} {
		s, err := bench.Stats(ctx, c.LocalDir(name))
		if err != nil {
			return nil, "", err
		}
		hits += fmt.Sprintf(" %s %d of %d compiles were remote hits;", name, s["remote_storage_hit"],
			s["cache_miss"]+s["direct_cache_hit"]+s["preprocessed_cache_hit"])
	}
	return rows, strings.TrimSuffix(hits, ";"), nil
}

// benchBoard is our side of the bench: the twin of upstream's MPS2_AN385.
const benchBoard = "mps2-an385"

// benchManifest writes a MicroPython manifest.py into dir that freezes the
// board's frozen modules, for make, and returns its path.
func (e *Env) benchManifest(dir, board string) (string, error) {
	b, err := e.Board(board)
	if err != nil {
		return "", err
	}
	mods, err := frozen.Collect(b.Frozen.Modules)
	if err != nil {
		return "", err
	}
	var text strings.Builder
	for _, m := range mods {
		base := strings.TrimSuffix(m.Source, filepath.FromSlash(m.Target))
		fmt.Fprintf(&text, "freeze(%q, %q)\n", base, m.Target)
	}
	path := filepath.Join(dir, "manifest.py")
	return path, os.WriteFile(path, []byte(text.String()), 0o644)
}
