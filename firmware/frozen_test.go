package firmware_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"mpforge/boards"
	"mpforge/device/qemu"
	"mpforge/device/rawrepl"
	"mpforge/firmware"
	"mpforge/internal/copytree"
	"mpforge/internal/testenv"
	"mpforge/internal/testfw"
	"mpforge/toolchain"
)

// frozenTwin is mps2-an505 freezing our regs library and a test library
// with a package, in a private checkout.
const frozenTwin = `inherit = ["../mps2-an505/board.toml"]
description = "mps2-an505 with frozen test modules"

[frozen]
modules = ["../../python/regs.py", "../../frozenlib"]
`

// hello uses qstrs the firmware lacks, constants that become objects (a
// float, a big int, a tuple, bytes), a class, a generator, a closure, and
// native and viper code (mpy-cross's -march for the board's CPU).
const hello = `import micropython

FACTOR = 2.5
BIG = 1 << 40


def greet_the_frozen_board(who):
    return "hello " + who


class Counter:
    def __init__(self):
        self.n = 0

    def frozen_bump(self, by=1):
        self.n += by
        return self.n


def evens(limit):
    for i in range(limit):
        if i % 2 == 0:
            yield i


def adder(k):
    return lambda x: x + k


@micropython.native
def native_sum(n):
    s = 0
    for i in range(n):
        s += i
    return s


@micropython.viper
def viper_add(a: int, b: int) -> int:
    return a + b


def report():
    c = Counter()
    c.frozen_bump()
    c.frozen_bump(4)
    return (greet_the_frozen_board("board"), FACTOR * 2, BIG + 1, c.n, list(evens(7)),
            adder(3)(4), (1, "two", b"three"), native_sum(10), viper_add(2, 40))
`

// onBoard is what the firmware runs; its output is compared whole.
const onBoard = `import hello, pkg.sub, regs, uctypes
print(hello.report())
print(pkg.sub.where(), pkg.VERSION)
print(__import__('hello').__name__, 'hello' in __import__('sys').modules)

buf = bytearray(8)
a = uctypes.addressof(buf)
regs.write(a, 0x12345678)
print(hex(regs.read(a)))
print(hex(regs.modify(a, clear=0xFF, set=0x80000001)), hex(regs.read(a)))
print(hex(regs.set_field(a, 15, 8, 0xAB)), regs.get_field(a, 15, 8) == 0xAB)
print(hex(regs.clear_bits(a, 0x80000000)), hex(regs.set_bits(a, 0x2)))
r = regs.Register("RAM", a, {"lo": (7, 0), "top": 31, "mid": (23, 16)})
print(hex(r.set(lo=0x5A, top=1)), r.get("lo"), r.get("top"), r.get("mid"))
try:
    r.set(lo=0x100)
except ValueError as e:
    print("ValueError", e)
print(hex(regs.wait_for(a, 0x5A)))
try:
    regs.wait_for(a, 0x1, 0x1, timeout_ms=20)
except OSError as e:
    print("OSError timeout")

CPUID = regs.Register("CPUID", 0xE000ED00, {"implementer": (31, 24), "variant": (23, 20),
    "architecture": (19, 16), "partno": (15, 4), "revision": (3, 0)})
print(hex(CPUID.get("partno")), hex(CPUID.get("implementer")))
regs.write(a, 0x410FD213)
regs.Register("WORD", a, CPUID.fields).show()
print(regs.bits(0xA5, 8))
`

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rawREPLOnTwin boots elf on the board's QEMU twin (with extra QEMU
// arguments after the board's) and enters its raw REPL; QEMU stops when
// the test ends.
func rawREPLOnTwin(ctx context.Context, t *testing.T, b *boards.Board, elf string, extra ...string) *rawrepl.Client {
	t.Helper()
	inst, err := qemu.StartPipe(ctx, qemu.Options{Machine: b.QEMU.Machine, Kernel: elf, Args: append(slices.Clone(b.QEMU.Args), extra...)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Stop() })
	c := rawrepl.New(inst.Conn(), rawrepl.Options{})
	t.Cleanup(c.Close)
	if err := c.Enter(ctx); err != nil {
		t.Fatalf("raw REPL: %v", err)
	}
	return c
}

// execOK runs src in the raw REPL and returns what it printed, with '\n'
// line ends; an error or anything raised fails the test.
func execOK(ctx context.Context, t *testing.T, c *rawrepl.Client, src string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := c.Exec(ctx, []byte(src), &out, &errOut); err != nil {
		t.Fatalf("%s\n%v\nstdout:\n%s\nstderr:\n%s", src, err, out.String(), errOut.String())
	}
	if errOut.Len() > 0 {
		t.Fatalf("%s\nraised:\n%s\nafter printing:\n%s", src, errOut.String(), out.String())
	}
	return strings.ReplaceAll(out.String(), "\r\n", "\n")
}

// runOnBoard boots the firmware under QEMU and runs src in the raw REPL.
func runOnBoard(t *testing.T, b *boards.Board, elf, src string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := rawREPLOnTwin(ctx, t, b, elf)
	var out, errOut bytes.Buffer
	if err := c.Exec(ctx, []byte(src), &out, &errOut); err != nil {
		t.Fatalf("script: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	return strings.ReplaceAll(out.String(), "\r\n", "\n")
}

// TestFrozenModules freezes our regs library and a test library into the
// mps2-an505 twin, runs them under QEMU, and checks that an edit to one
// frozen file rebuilds only what it must.
func TestFrozenModules(t *testing.T) {
	root, tree := testfw.Checkout(t)
	repo, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	// What freezing needs, should Checkout not copy it: our Python library,
	// and the tree's mpy-cross and tools/.
	copies := map[string]string{filepath.Join(repo, "python"): filepath.Join(root, "python")}
	for _, dir := range []string{"mpy-cross", "tools"} {
		copies[filepath.Join(testenv.MicroPythonDir(t), dir)] = filepath.Join(tree, dir)
	}
	for from, to := range copies {
		if _, err := os.Stat(to); err == nil {
			continue
		}
		if err := copytree.Copy(from, to); err != nil {
			t.Fatal(err)
		}
	}
	helloPy := filepath.Join(root, "frozenlib", "hello.py")
	writeFile(t, helloPy, hello)
	writeFile(t, filepath.Join(root, "frozenlib", "pkg", "__init__.py"), "VERSION = (1, 2)\n")
	writeFile(t, filepath.Join(root, "frozenlib", "pkg", "sub.py"), "def where():\n    return __name__\n")
	writeFile(t, filepath.Join(root, "boards", "frozen-twin", "board.toml"), frozenTwin)
	b, err := boards.Load(filepath.Join(root, "boards"), "frozen-twin")
	if err != nil {
		t.Fatal(err)
	}
	c := &checkout{t: t, root: root, tree: tree, board: "frozen-twin"}

	res := c.build()
	if got, want := ran(res, "MPY"), []string{"hello.py", "pkg/__init__.py", "pkg/sub.py", "regs.py"}; !slices.Equal(got, want) {
		t.Errorf("compiled modules %v, want %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(root, "out", "host", "mpy-cross", "mpy-cross")); err != nil {
		t.Errorf("no shared host mpy-cross: %v", err)
	}
	// The buffer's address varies; everything else is exact.
	out := regexp.MustCompile(`WORD @ 0x[0-9A-F]{8}`).ReplaceAllString(runOnBoard(t, b, res.ELF, onBoard), "WORD @ 0x<buf>")
	want := `('hello board', 5.0, 1099511627777, 5, [0, 2, 4, 6], 7, (1, 'two', b'three'), 45, 42)
pkg.sub (1, 2)
hello True
0x12345678
0x92345601 0x92345601
0x9234ab01 True
0x1234ab01 0x1234ab03
0x9234ab5a 90 1 52
ValueError 0x100 does not fit field [7:0] (8 bits)
0x9234ab5a
OSError timeout
0xd21 0x41
WORD @ 0x<buf> = 0x410FD213
  implementer  [31:24] = 0x41 (65)
  variant      [23:20] = 0x0 (0)
  architecture [19:16] = 0xF (15)
  partno        [15:4] = 0xD21 (3361)
  revision       [3:0] = 0x3 (3)
1010_0101
`
	if out != want {
		t.Errorf("on the board:\n%s\nwant:\n%s", out, want)
	}

	t.Run("nothing changed", func(t *testing.T) {
		if res := c.build(); len(res.Build.Ran) != 0 {
			t.Errorf("ran %v", res.Build.Ran)
		}
	})
	t.Run("edit that compiles to the same module", func(t *testing.T) {
		c.edit(helloPy, func(s string) string { return s + "# a comment changes no bytecode\n" })
		if res := c.build(); !slices.Equal(res.Build.Ran, []string{"MPY hello.py"}) {
			t.Errorf("ran %v, want only MPY hello.py", res.Build.Ran)
		}
	})
	t.Run("edit one frozen file", func(t *testing.T) {
		c.edit(helloPy, func(s string) string { return strings.Replace(s, `"hello "`, `"hi there "`, 1) })
		res := c.build()
		content := "out/frozen-twin/frozen/frozen_content.c"
		want := []string{"CC " + content, "GEN " + content, "LINK out/frozen-twin/firmware.elf", "MPY hello.py"}
		got := slices.Sorted(slices.Values(res.Build.Ran))
		if !slices.Equal(got, want) {
			t.Errorf("ran %v, want %v", got, want)
		}
		if out := runOnBoard(t, b, res.ELF, "import hello\nprint(hello.greet_the_frozen_board('x'))\n"); out != "hi there x\n" {
			t.Errorf("after the edit the board printed %q", out)
		}
	})
	t.Run("a broken module fails the build and keeps the firmware", func(t *testing.T) {
		before, _ := os.ReadFile(res.ELF)
		c.edit(helloPy, func(s string) string { return s + "def broken(:\n" })
		_, err := testfw.BuildWith(context.Background(), root, tree, "frozen-twin")
		if err == nil || !strings.Contains(err.Error(), "hello.py") || !strings.Contains(err.Error(), "SyntaxError") {
			t.Errorf("build error %v; want the file and the SyntaxError", err)
		}
		if after, _ := os.ReadFile(res.ELF); !bytes.Equal(before, after) {
			t.Error("the failed build replaced the firmware")
		}
	})
}

// TestFrozenPlan checks what freezing adds to a plan: the settings in
// mpconfigboard.h and three steps per module set; and that a board without
// frozen modules gets neither.
func TestFrozenPlan(t *testing.T) {
	repo, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := boards.Load(filepath.Join(repo, "boards"), "mps2-an505")
	if err != nil {
		t.Fatal(err)
	}
	tc, err := toolchain.Find(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	plan := func(modules []string) (*firmware.Plan, string) {
		b.Frozen.Modules = modules
		out := t.TempDir()
		p, err := firmware.NewPlan(firmware.Config{Root: repo, Board: b, TreeDir: testenv.MicroPythonDir(t), Toolchain: tc, OutDir: out})
		if err != nil {
			t.Fatal(err)
		}
		h, err := os.ReadFile(filepath.Join(out, "genhdr", "mpconfigboard.h"))
		if err != nil {
			t.Fatal(err)
		}
		return p, string(h)
	}
	frozenSteps := func(p *firmware.Plan) (n int) {
		for _, s := range p.Steps {
			if s.Kind == "MPY" || strings.Contains(s.Name, "frozen_content") {
				n++
			}
		}
		return n
	}

	with, header := plan([]string{filepath.Join(repo, "python", "regs.py")})
	if n := frozenSteps(with); n != 3 {
		t.Errorf("one frozen module gave %d frozen steps, want 3 (MPY, GEN, CC)", n)
	}
	for _, def := range []string{"#define MICROPY_MODULE_FROZEN_MPY (1)", "#define MICROPY_QSTR_EXTRA_POOL (mp_qstr_frozen_const_pool)"} {
		if !strings.Contains(header, def) {
			t.Errorf("mpconfigboard.h lacks %q:\n%s", def, header)
		}
	}
	if _, ok := b.MicroPython.Settings["MICROPY_MODULE_FROZEN_MPY"]; ok {
		t.Error("NewPlan changed the caller's board settings")
	}

	without, header := plan(nil)
	if n := frozenSteps(without); n != 0 {
		t.Errorf("a board without frozen modules has %d frozen steps", n)
	}
	if strings.Contains(header, "FROZEN") || strings.Contains(header, "EXTRA_POOL") {
		t.Errorf("a board without frozen modules has frozen settings:\n%s", header)
	}
}
