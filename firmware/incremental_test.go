package firmware_test

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"mpforge/firmware"
	"mpforge/internal/testfw"
	"mpforge/toolchain"
)

// A test binary started with these variables builds one board and exits:
// the interruption tests kill it at chosen moments.
const (
	envChildRoot = "MPFORGE_TEST_CHILD_ROOT"
	envChildTree = "MPFORGE_TEST_CHILD_TREE"
)

func TestMain(m *testing.M) {
	if root := os.Getenv(envChildRoot); root != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		_, err := testfw.BuildWith(ctx, root, os.Getenv(envChildTree), "mps2-an505")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type checkout struct {
	t          *testing.T
	root, tree string
	board      string
}

func (c *checkout) build() *firmware.Result {
	c.t.Helper()
	res, err := testfw.BuildWith(context.Background(), c.root, c.tree, c.board)
	if err != nil {
		c.t.Fatal(err)
	}
	return res
}

// ran lists the steps of one kind that ran, by name.
func ran(res *firmware.Result, kind string) []string {
	var names []string
	for _, l := range res.Build.Ran {
		if name, ok := strings.CutPrefix(l, kind+" "); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func (c *checkout) edit(path string, f func(string) string) {
	c.t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(f(string(data))), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// dependents lists the sources whose last compile read header, from the
// depfiles the compiler wrote: exactly what must recompile when it changes.
func (c *checkout) dependents(header string) []string {
	c.t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(c.root, "out", c.board, "obj"), func(path string, d os.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".d") || strings.HasSuffix(path, ".qstr.d") {
			return err
		}
		data, _ := os.ReadFile(path)
		deps := toolchain.ParseDepfile(data)
		for _, dep := range deps[1:] {
			if dep == header || filepath.Join(c.root, dep) == header {
				src := deps[0]
				if rel, err := filepath.Rel(c.tree, filepath.Join(c.root, src)); err == nil && !strings.HasPrefix(rel, "..") {
					src = rel
				}
				out = append(out, src)
				break
			}
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// linked reports whether the linker read an object, from its map file.
func linked(t *testing.T, res *firmware.Result, object string) bool {
	data, err := os.ReadFile(res.Map)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(data, []byte(object))
}

func hasSymbol(t *testing.T, path, name string) bool {
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, _ := f.Symbols()
	for _, s := range syms {
		if s.Name == name {
			return true
		}
	}
	return false
}

// TestIncrementalRebuildsExactlyWhatChanged edits a private checkout the
// way a developer does and checks, after each edit, which steps ran.
func TestIncrementalRebuildsExactlyWhatChanged(t *testing.T) {
	root, tree := testfw.Checkout(t)
	c := &checkout{t: t, root: root, tree: tree, board: "mps2-an505"}
	clean := c.build()
	if n := len(ran(clean, "CC")); n != len(clean.Plan.Sources) {
		t.Fatalf("clean build compiled %d of %d sources", n, len(clean.Plan.Sources))
	}
	objC := filepath.Join(tree, "py", "obj.c")
	link := []string{"out/mps2-an505/firmware.elf"}

	t.Run("nothing changed", func(t *testing.T) {
		if res := c.build(); len(res.Build.Ran) != 0 {
			t.Errorf("ran %v", res.Build.Ran)
		}
	})
	t.Run("touch without a change", func(t *testing.T) {
		future := time.Now().Add(time.Hour)
		os.Chtimes(objC, future, future)
		if res := c.build(); len(res.Build.Ran) != 0 {
			t.Errorf("ran %v", res.Build.Ran)
		}
	})
	original, _ := os.ReadFile(objC)
	originalTime := time.Now().Add(-48 * time.Hour)
	os.Chtimes(objC, originalTime, originalTime)
	t.Run("edit without new qstrs", func(t *testing.T) {
		c.edit(objC, func(s string) string { return s + "\nconst int mpforge_edit_marker = 1;\n" })
		res := c.build()
		if got := ran(res, "CC"); !slices.Equal(got, []string{"py/obj.c"}) {
			t.Errorf("compiled %v", got)
		}
		if got := ran(res, "QSTR"); !slices.Equal(got, []string{"py/obj.c"}) {
			t.Errorf("scanned %v", got)
		}
		if got := ran(res, "LINK"); !slices.Equal(got, link) || len(ran(res, "GEN")) != 0 {
			t.Errorf("ran %v", res.Build.Ran)
		}
		if !hasSymbol(t, filepath.Join(root, "out", c.board, "obj", "py", "obj.o"), "mpforge_edit_marker") {
			t.Error("the edit did not reach the object")
		}
	})
	t.Run("edit adding a qstr", func(t *testing.T) {
		users := c.dependents(filepath.Join(root, "out", c.board, "genhdr", "qstrdefs.generated.h"))
		c.edit(objC, func(s string) string { return s + "\nconst unsigned mpforge_qstr_marker = MP_QSTR_mpforge_new_qstr;\n" })
		res := c.build()
		if got := ran(res, "QSTR"); !slices.Equal(got, []string{"py/obj.c"}) {
			t.Errorf("scanned %v, want only py/obj.c", got)
		}
		// frozen_content.c is generated against the firmware's qstrs, so it
		// is regenerated too (and rewritten only if its text changed).
		gens := ran(res, "GEN")
		if !slices.ContainsFunc(gens, func(g string) bool { return strings.HasPrefix(g, "qstrdefs.generated.h") }) {
			t.Errorf("headers not regenerated: %v", res.Build.Ran)
		}
		for _, g := range gens {
			if !strings.HasPrefix(g, "qstrdefs.generated.h") && !strings.HasSuffix(g, "frozen_content.c") {
				t.Errorf("also generated %s", g)
			}
		}
		if got := ran(res, "CC"); !slices.Equal(got, users) {
			t.Errorf("compiled %d files, want the %d that include qstrdefs.generated.h", len(got), len(users))
		}
		gen, _ := os.ReadFile(filepath.Join(root, "out", c.board, "genhdr", "qstrdefs.generated.h"))
		if !bytes.Contains(gen, []byte(`"mpforge_new_qstr"`)) {
			t.Error("new qstr missing from qstrdefs.generated.h")
		}
	})
	t.Run("edit a header", func(t *testing.T) {
		header := filepath.Join(root, "port", "fifo.h")
		users := c.dependents(header)
		if len(users) == 0 || len(users) > 10 {
			t.Fatalf("fifo.h is read by %v", users)
		}
		c.edit(header, func(s string) string { return s + "\n#define MPFORGE_HEADER_EDIT 1\n" })
		res := c.build()
		if got := ran(res, "CC"); !slices.Equal(got, users) {
			t.Errorf("compiled %v, want exactly %v", got, users)
		}
		if len(ran(res, "GEN")) != 0 {
			t.Errorf("regenerated headers for a header edit without qstrs")
		}
	})
	t.Run("change a board setting", func(t *testing.T) {
		users := c.dependents(filepath.Join(root, "out", c.board, "genhdr", "board_config.h"))
		if len(users) == 0 || len(users) == len(clean.Plan.Sources) {
			t.Fatalf("board_config.h is read by %d files", len(users))
		}
		c.edit(filepath.Join(root, "boards", c.board, "board.toml"), func(s string) string {
			return strings.Replace(s, "baud = 115200", "baud = 57600", 1)
		})
		res := c.build()
		if got := ran(res, "CC"); !slices.Equal(got, users) {
			t.Errorf("compiled %v, want exactly %v", got, users)
		}
	})
	t.Run("a source joins and leaves the link", func(t *testing.T) {
		extra := filepath.Join(root, "boards", c.board, "mpforge_extra.c")
		os.WriteFile(extra, []byte("const int mpforge_extra_marker = 7;\n"), 0o644)
		res := c.build()
		if got := ran(res, "CC"); !slices.Equal(got, []string{"boards/mps2-an505/mpforge_extra.c"}) {
			t.Errorf("compiled %v", got)
		}
		if !linked(t, res, "mpforge_extra.o") {
			t.Error("new source not linked")
		}
		os.Remove(extra)
		res = c.build()
		if len(ran(res, "CC")) != 0 || !slices.Equal(ran(res, "LINK"), link) {
			t.Errorf("removing a source ran %v", res.Build.Ran)
		}
		if linked(t, res, "mpforge_extra.o") {
			t.Error("removed source still linked")
		}
	})
	t.Run("restore an older file with an older mtime", func(t *testing.T) {
		os.WriteFile(objC, original, 0o644)
		os.Chtimes(objC, originalTime, originalTime)
		res := c.build()
		if got := ran(res, "CC"); !slices.Contains(got, "py/obj.c") {
			t.Errorf("restored file not recompiled: %v", got)
		}
		if hasSymbol(t, filepath.Join(root, "out", c.board, "obj", "py", "obj.o"), "mpforge_edit_marker") {
			t.Error("object still has the reverted edit")
		}
	})
	t.Run("a compile error keeps the last good firmware", func(t *testing.T) {
		good, _ := os.ReadFile(clean.ELF)
		fifo := filepath.Join(root, "port", "fifo.c")
		before, _ := os.ReadFile(fifo)
		c.edit(fifo, func(s string) string { return s + "\nint mpforge_broken(void) { return }\n" })
		_, err := testfw.BuildWith(context.Background(), c.root, c.tree, c.board)
		if err == nil || !strings.Contains(err.Error(), "fifo.c") || !strings.Contains(err.Error(), "error: expected expression") {
			t.Errorf("want gcc's own message naming port/fifo.c, got %v", err)
		}
		if now, _ := os.ReadFile(clean.ELF); !bytes.Equal(now, good) {
			t.Error("the failed build replaced firmware.elf")
		}
		os.WriteFile(fifo, before, 0o644)
	})
	t.Run("an overflow names the region and the bytes", func(t *testing.T) {
		toml := filepath.Join(root, "boards", c.board, "board.toml")
		before, _ := os.ReadFile(toml)
		c.edit(toml, func(s string) string {
			return strings.Replace(s, `heap_size = "192K"`, `heap_size = "300K"`, 1)
		})
		_, err := testfw.BuildWith(context.Background(), c.root, c.tree, c.board)
		if err == nil || !strings.Contains(err.Error(), "firmware does not fit: RAM overflowed by") {
			t.Errorf("want a RAM overflow with its size, got %v", err)
		}
		os.WriteFile(toml, before, 0o644)
		c.build()
	})
	t.Run("another MicroPython tree rebuilds everything", func(t *testing.T) {
		other := filepath.Join(root, ".mpforge", "other")
		if err := os.Rename(tree, other); err != nil {
			t.Fatal(err)
		}
		c.tree = other
		res := c.build()
		if n := len(ran(res, "CC")); n != len(res.Plan.Sources) {
			t.Errorf("compiled %d of %d sources after switching trees", n, len(res.Plan.Sources))
		}
	})
	t.Run("another compiler rebuilds everything", func(t *testing.T) {
		gcc, _ := exec.LookPath("arm-none-eabi-gcc")
		objcopy, _ := exec.LookPath("arm-none-eabi-objcopy")
		bin := t.TempDir() // an "upgraded" toolchain: same programs, other place
		os.Symlink(gcc, filepath.Join(bin, "arm-none-eabi-gcc"))
		os.Symlink(objcopy, filepath.Join(bin, "arm-none-eabi-objcopy"))
		t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		res := c.build()
		if n := len(ran(res, "CC")); n != len(res.Plan.Sources) {
			t.Errorf("compiled %d of %d sources after changing compilers", n, len(res.Plan.Sources))
		}
	})
}

// TestKilledBuildsResumeToTheCleanResult kills builds at many points (SIGKILL,
// and Ctrl-C), resumes, and requires the firmware of an uninterrupted clean
// build made in another checkout path: byte for byte.
func TestKilledBuildsResumeToTheCleanResult(t *testing.T) {
	rootA, treeA := testfw.Checkout(t)
	ref := (&checkout{t: t, root: rootA, tree: treeA, board: "mps2-an505"}).build()
	refELF, _ := os.ReadFile(ref.ELF)
	refBIN, _ := os.ReadFile(ref.BIN)
	logSize := fileSize(filepath.Join(rootA, "out", "mps2-an505", ".mpforge", "log"))

	rootB, treeB := testfw.Checkout(t)
	logB := filepath.Join(rootB, "out", "mps2-an505", ".mpforge", "log")
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envChildRoot+"="+rootB, envChildTree+"="+treeB)
		return cmd
	}
	// Kill when the log shows a given share of the work done, then start again.
	for _, share := range []float64{0.02, 0.15, 0.35, 0.55, 0.75, 0.9, 0.99} {
		cmd := child()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for fileSize(logB) < int64(share*float64(logSize)) && !exited(cmd) {
			time.Sleep(5 * time.Millisecond)
		}
		cmd.Process.Kill()
		cmd.Wait()
	}
	// Compilers die with a killed build (their driver has a parent-death
	// signal); the ones already past the driver finish within moments.
	waitNoCompiler(t, rootB)
	// Ctrl-C: the build stops, exits non-zero, and leaves no compiler running.
	os.RemoveAll(filepath.Join(rootB, "out", "mps2-an505", "obj", "py"))
	cmd := child()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	before := fileSize(logB)
	cmd.Start()
	for fileSize(logB) == before || !compilerRunningIn(rootB) { // this build is under way
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if err == nil {
		t.Error("interrupted build exited 0")
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("interrupted build said %q", stderr.String())
	}
	if compilerRunningIn(rootB) {
		t.Error("a compiler is still running after the interrupted build exited")
	}

	res := (&checkout{t: t, root: rootB, tree: treeB, board: "mps2-an505"}).build()
	elfB, _ := os.ReadFile(res.ELF)
	binB, _ := os.ReadFile(res.BIN)
	if !bytes.Equal(refBIN, binB) || !bytes.Equal(refELF, elfB) {
		t.Errorf("interrupted and resumed build differs from a clean build in another checkout (bin equal: %v, elf equal: %v)",
			bytes.Equal(refBIN, binB), bytes.Equal(refELF, elfB))
	}
	if again := (&checkout{t: t, root: rootB, tree: treeB, board: "mps2-an505"}).build(); len(again.Build.Ran) != 0 {
		t.Errorf("build after the resumed one ran %v", again.Build.Ran)
	}
}

// waitNoCompiler waits for the compilers of killed builds to end; the
// deadline only guards against a hang.
func waitNoCompiler(t *testing.T, dir string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); compilerRunningIn(dir); {
		if time.Now().After(deadline) {
			t.Fatal("compilers of killed builds still running after a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func exited(cmd *exec.Cmd) bool {
	return cmd.Process.Signal(syscall.Signal(0)) != nil
}

// compilerRunningIn reports whether a compiler process works in dir.
func compilerRunningIn(dir string) bool {
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		cwd, err := os.Readlink(filepath.Join("/proc", p.Name(), "cwd"))
		if err != nil || cwd != dir {
			continue
		}
		comm, _ := os.ReadFile(filepath.Join("/proc", p.Name(), "comm"))
		name := strings.TrimSpace(string(comm))
		if strings.Contains(name, "gcc") || name == "cc1" || name == "as" || name == "ld" || name == "collect2" {
			return true
		}
	}
	return false
}
