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

	"mpforge/bench"
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
	mk := bench.Builder{
		Name:  "make",
		Clean: bench.RemoveAll(filepath.Join(mp, "ports", "qemu", "build-MPS2_AN385")),
		Cmd: func() *exec.Cmd {
			// No frozen test modules: mpforge freezes none, and they would need mpy-cross.
			cmd := exec.CommandContext(ctx, "make", "-j"+jobs, "BOARD=MPS2_AN385", "FROZEN_MANIFEST=")
			cmd.Dir = filepath.Join(mp, "ports", "qemu")
			return cmd
		},
		Units: bench.MakeUnits,
	}
	mpforge := bench.Builder{
		Name:  "mpforge",
		Clean: bench.RemoveAll(filepath.Join(ours, "out")),
		Cmd: func() *exec.Cmd {
			cmd := exec.CommandContext(ctx, self, "build:board", "mps2-an385")
			cmd.Dir = ours
			cmd.Env = append(os.Environ(), "MICROPY_DIR="+mp, "MPFORGE_JOBS="+jobs)
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
	fmt.Fprintf(w, "\nMicroPython %s, %d cores, make -j%s BOARD=MPS2_AN385 vs mpforge mps2-an385\n", tree.Version, runtime.NumCPU(), jobs)
	bench.Table(w, rows, runtime.NumCPU())
	return nil
}
