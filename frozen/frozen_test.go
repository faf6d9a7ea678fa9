package frozen_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mpforge/boards"
	"mpforge/frozen"
	"mpforge/internal/testenv"
)

func write(t *testing.T, root string, files ...string) {
	t.Helper()
	for _, f := range files {
		path := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("x = 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCollect(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "lib/a.py", "lib/pkg/__init__.py", "lib/pkg/b.py", "lib/notes.txt",
		"lib/.hidden/x.py", "lib/.y.py", "lib/__pycache__/z.py", "other/c.py")
	mods, err := frozen.Collect([]string{filepath.Join(dir, "lib"), filepath.Join(dir, "other", "c.py"), filepath.Join(dir, "lib", "a.py")})
	if err != nil {
		t.Fatal(err)
	}
	var targets, names []string
	for _, m := range mods {
		targets = append(targets, m.Target)
		names = append(names, m.Name())
		if !filepath.IsAbs(m.Source) {
			t.Errorf("source %s is not absolute", m.Source)
		}
	}
	if want := []string{"a.py", "c.py", "pkg/__init__.py", "pkg/b.py"}; !slices.Equal(targets, want) {
		t.Errorf("targets %v, want %v", targets, want)
	}
	if want := []string{"a", "c", "pkg", "pkg.b"}; !slices.Equal(names, want) {
		t.Errorf("module names %v, want %v", names, want)
	}
}

func TestCollectErrors(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "lib/a.py", "other/a.py", "bad/my-mod.py", "pkgs/pkg-dir/x.py", "notes.txt", "empty/readme.md")
	for _, tc := range []struct {
		name  string
		paths []string
		want  []string // with '/' for the OS's separator
		is    error
	}{
		{"same module twice", []string{"lib", "other/a.py"}, []string{"lib/a.py", "other/a.py", "a.py"}, nil},
		{"file name not a module name", []string{"bad"}, []string{"my-mod.py", `"my-mod"`, "rename"}, nil},
		{"folder name not a package name", []string{"pkgs"}, []string{`"pkg-dir"`}, nil},
		{"missing", []string{"nope.py"}, []string{"nope.py"}, fs.ErrNotExist},
		{"not Python", []string{"notes.txt"}, []string{"notes.txt", "not a .py file"}, nil},
		{"folder without Python", []string{"empty"}, []string{"empty", "no .py files"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var paths []string
			for _, p := range tc.paths {
				paths = append(paths, filepath.Join(dir, p))
			}
			_, err := frozen.Collect(paths)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if w := filepath.FromSlash(w); !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %v", err, tc.is)
			}
		})
	}
}

func TestParseList(t *testing.T) {
	// An absolute path on this OS (C:\... on Windows), and its list separator (';' there).
	base, abs := t.TempDir(), t.TempDir()
	sep := string(os.PathListSeparator)
	got := frozen.ParseList(" lib/helpers.py"+sep+sep+abs+" ", base)
	if want := []string{filepath.Join(base, "lib", "helpers.py"), abs}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := frozen.ParseList("", base); len(got) != 0 {
		t.Errorf("empty list gave %v", got)
	}
}

// TestArchOfOurBoards reads the real board files: each CPU gets the native
// code architecture upstream uses for it.
func TestArchOfOurBoards(t *testing.T) {
	repo, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for board, want := range map[string]string{"mps2-an505": "armv7emsp", "fr30xx": "armv7emsp", "mps2-an385": "armv7m"} {
		b, err := boards.Load(filepath.Join(repo, "boards"), board)
		if err != nil {
			t.Fatal(err)
		}
		if got := frozen.Arch(b.CPU.Core, b.CPU.Flags); got != want {
			t.Errorf("%s (%s %v): arch %q, want %q", board, b.CPU.Core, b.CPU.Flags, got, want)
		}
	}
}

func TestArch(t *testing.T) {
	for _, tc := range []struct {
		core  string
		flags []string
		want  string
	}{
		{"", []string{"-mcpu=cortex-m0plus", "-mthumb"}, "armv6m"},
		{"cortex-m4", []string{"-mcpu=cortex-m4", "-mfloat-abi=soft"}, "armv7em"},
		{"cortex-m4", []string{"-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"}, "armv7emsp"},
		{"cortex-m7", []string{"-mcpu=cortex-m7", "-mfpu=fpv5-d16", "-mfloat-abi=hard"}, "armv7emdp"},
		{"cortex-m7", []string{"-mcpu=cortex-m7", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard"}, "armv7emsp"},
		{"cortex-m33", []string{"-mcpu=cortex-m33+nodsp", "-mfloat-abi=soft"}, "armv7m"},
		{"cortex-a9", []string{"-mcpu=cortex-a9"}, ""},
	} {
		if got := frozen.Arch(tc.core, tc.flags); got != tc.want {
			t.Errorf("Arch(%q, %v) = %q, want %q", tc.core, tc.flags, got, tc.want)
		}
	}
}

func TestMpyCrossArgs(t *testing.T) {
	got := frozen.MpyCrossArgs("mpy-cross", frozen.Module{Source: "/x/-odd.py", Target: "odd.py"}, "armv7m", "o.mpy")
	want := []string{"mpy-cross", "-o", "o.mpy", "-s", "odd.py", "-march=armv7m", "--", "/x/-odd.py"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestConfigProbe runs the probe through real preprocessors with the tree's
// mpy-cross configuration (MPZ, 32-bit digits on a 64-bit host, 16 on Arm).
func TestConfigProbe(t *testing.T) {
	tree := testenv.MicroPythonDir(t)
	probe := filepath.Join(t.TempDir(), "probe.c")
	if err := os.WriteFile(probe, []byte(frozen.ConfigProbe), 0o644); err != nil {
		t.Fatal(err)
	}
	for cc, dig := range map[string]int{"gcc": 32, "arm-none-eabi-gcc": 16} {
		out, err := exec.Command(cc, "-E", "-P", "-I", filepath.Join(tree, "mpy-cross"), "-I", tree, probe).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", cc, err, out)
		}
		cfg, err := frozen.ParseConfig(out)
		if err != nil {
			t.Fatalf("%s: %v", cc, err)
		}
		if cfg != (frozen.Config{LongInt: "mpz", MPZDigSize: dig}) {
			t.Errorf("%s: %+v", cc, cfg)
		}
	}
}

func TestParseConfig(t *testing.T) {
	cfg, err := frozen.ParseConfig([]byte("int x;\nmpforge_longint_impl = (0);\nmpforge_mpz_dig_size = (16);\n"))
	if err != nil || cfg.LongInt != "none" {
		t.Errorf("got %+v, %v", cfg, err)
	}
	for text, want := range map[string]string{
		"":                          "no MICROPY_LONGINT_IMPL",
		"mpforge_longint_impl = 7;": "knows 0 (none)",
		"mpforge_longint_impl = MICROPY_LONGINT_IMPL_MPZ;": "not a number",
		"mpforge_longint_impl = (2);":                      "no MPZ_DIG_SIZE",
	} {
		if _, err := frozen.ParseConfig([]byte(text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseConfig(%q) = %v, want an error about %q", text, err, want)
		}
	}
}

func TestToolArgs(t *testing.T) {
	got := frozen.ToolArgs("python3", "/mp", "q.h", frozen.Config{LongInt: "mpz", MPZDigSize: 16}, []string{"a.mpy", "b.mpy"})
	want := []string{"python3", filepath.FromSlash("/mp/tools/mpy-tool.py"), "-f", "-q", "q.h", "-mlongint-impl", "mpz", "-mmpz-dig-size", "16", "a.mpy", "b.mpy"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := frozen.ToolArgs("python3", "/mp", "q.h", frozen.Config{LongInt: "none"}, []string{"a.mpy"}); slices.Contains(got, "-mmpz-dig-size") {
		t.Errorf("digit size given without mpz: %v", got)
	}
}

// TestRegsOnHost runs the regs library's own tests under the host's
// CPython, with a dictionary standing in for machine.mem32.
func TestRegsOnHost(t *testing.T) {
	repo, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	python, err := frozen.Python()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(context.Background(), python, "-B", "-m", "unittest", "-v", "test_regs") // -B: no __pycache__ in the checkout
	cmd.Dir = filepath.Join(repo, "python")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// TestExtraFeatureBoardsFreezeRegs: every board at EXTRA_FEATURES or above
// ships our regs library, so validation scripts can rely on it.
func TestExtraFeatureBoardsFreezeRegs(t *testing.T) {
	repo, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	names, err := boards.List(filepath.Join(repo, "boards"))
	if err != nil {
		t.Fatal(err)
	}
	regs := filepath.Join(repo, "python", "regs.py")
	for _, name := range names {
		b, err := boards.Load(filepath.Join(repo, "boards"), name)
		if err != nil {
			t.Fatal(err)
		}
		switch b.MicroPython.ROMLevel {
		case "EXTRA_FEATURES", "FULL_FEATURES", "EVERYTHING":
			if !slices.Contains(b.Frozen.Modules, regs) {
				t.Errorf("board %s (%s) does not freeze python/regs.py; [frozen] modules = %v", name, b.MicroPython.ROMLevel, b.Frozen.Modules)
			}
		}
	}
}
