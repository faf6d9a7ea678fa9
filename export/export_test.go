package export_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"mpforge/internal/testconsole"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mpforge/boards"
	"mpforge/compdb"
	"mpforge/device/qemu"
	"mpforge/export"
	"mpforge/firmware"
	"mpforge/internal/testenv"
	"mpforge/internal/testfw"
	"mpforge/toolchain"
)

const board = "mps2-an505"

// embedConfig is the library configuration of board from the checkout at
// root; edit may change the loaded board.
func embedConfig(t testing.TB, root, tree string, edit func(*boards.Board)) firmware.Config {
	t.Helper()
	return embedConfigOf(t, root, tree, board, edit)
}

// embedConfigOf is embedConfig for the board called name.
func embedConfigOf(t testing.TB, root, tree, name string, edit func(*boards.Board)) firmware.Config {
	t.Helper()
	b, err := boards.Load(filepath.Join(root, "boards"), name)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(b)
	}
	tc, err := toolchain.Find(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return firmware.Config{Root: root, Board: b, TreeDir: tree, Toolchain: tc, Embed: true}
}

func exportTo(t testing.TB, cfg firmware.Config, dir string) *export.Result {
	t.Helper()
	plan, _, err := firmware.Generate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := export.Write(plan, dir)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func product(t *testing.T) string {
	dir, err := filepath.Abs(filepath.Join("testdata", "product"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func run(t *testing.T, dir string, argv ...string) {
	t.Helper()
	if _, err := exec.LookPath(argv[0]); err != nil {
		t.Fatalf("%s is not installed; the test product builds with it: sudo apt-get install %s", argv[0], argv[0])
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
}

// TestProductsRunMicroPython builds the test product (its own startup,
// UART driver and interrupt, and a cooperative scheduler with MicroPython as
// one task and a counting task as the other) twice: with CMake against the
// exported tree, and with plain make against libmicropython.a. Both run on
// QEMU's mps2-an505 to a REPL that answers while the other task counts on.
func TestProductsRunMicroPython(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tree := testenv.MicroPythonDir(t)
	jobs := strconv.Itoa(runtime.NumCPU())

	t.Run("cmake-export", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "micropython")
		res := exportTo(t, embedConfig(t, root, tree, nil), dir)
		checkExportSet(t, res.Manifest, dir)
		checkKeil(t, res.Manifest, dir)
		build := t.TempDir()
		run(t, build, "cmake", "-S", product(t), "-B", build, "-DMICROPYTHON_EXPORT="+dir)
		run(t, build, "cmake", "--build", build, "-j", jobs)
		session(t, filepath.Join(build, "product.elf"), "PRODUCT: soft reset", "product script: 42 qemu")
		headerOnly(t, root, tree, dir, build)
	})
	t.Run("make-lib", func(t *testing.T) {
		res, err := firmware.Build(context.Background(), embedConfig(t, root, tree, nil))
		if err != nil {
			t.Fatal(err)
		}
		again, err := firmware.Build(context.Background(), embedConfig(t, root, tree, nil))
		if err != nil || len(again.Build.Ran) != 0 {
			t.Errorf("a second library build ran %v (%v); want nothing", again.Build.Ran, err)
		}
		checkDeterministicArchive(t, res.Lib)
		build := t.TempDir()
		run(t, product(t), "make", "BUILD="+build, "MPY_LIB="+res.Lib, "MPY_INCLUDE="+filepath.Dir(res.API))
		session(t, filepath.Join(build, "product.elf"), "MPY: soft reboot", "")
	})
}

// Every board exports, the FR30xx ones too, whose machine.* back-ends are
// board files: the embedded build leaves out the board's peripherals with
// its files (the product has its own drivers, interrupt handlers and
// vector table) and the soft timers with systick.c's tick.
func TestEveryBoardExports(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tree := testenv.MicroPythonDir(t)
	names, err := boards.List(filepath.Join(root, "boards"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if name == board { // exported and run by TestProductsRunMicroPython
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := embedConfigOf(t, root, tree, name, nil)
			cfg.OutDir = filepath.Join(t.TempDir(), "out")
			dir := filepath.Join(t.TempDir(), "micropython")
			res := exportTo(t, cfg, dir)
			for _, src := range res.Manifest.Sources {
				if top, _, _ := strings.Cut(src, "/"); !slices.Contains([]string{"micropython", "port", "frozen"}, top) {
					t.Errorf("export compiles %s: neither MicroPython's, the port's nor frozen code", src)
				}
			}
			periph, err := os.ReadFile(filepath.Join(dir, "genhdr", "board_periph.h"))
			if err != nil {
				t.Fatal(err)
			}
			if m := regexp.MustCompile(`#define MPFORGE_[A-Z_]+ \(1\)`).Find(periph); m != nil {
				t.Errorf("the embedded build has %s: a peripheral of the board (or soft timers without a tick)", m)
			}
			config, err := os.ReadFile(filepath.Join(dir, "genhdr", "mpconfigboard.h"))
			if err != nil {
				t.Fatal(err)
			}
			if m := regexp.MustCompile(`#define MICROPY_PY_MACHINE_(UART|I2C|SPI|WDT|PWM|ADC) \(1\)`).Find(config); m != nil {
				t.Errorf("the embedded build has %s, a front-end without its back-end", m)
			}
		})
	}
}

// headerOnly is the route of a team that keeps its copy of the export and
// adds a C module of its own: genhdr from the export's sources file first
// writes nothing (the export's headers are the same), then, with the module
// listed, exactly the two headers it changes; the product rebuilt with the
// module imports it; and genhdr from CMake's compile_commands.json gives
// the same headers.
func headerOnly(t *testing.T, root, tree, dir, build string) {
	ctx := context.Background()
	cfg := embedConfig(t, root, tree, nil)
	cfg.OutDir = t.TempDir()
	regenerate := func(list, into string) []string {
		t.Helper()
		srcs, err := compdb.Read(list)
		if err != nil {
			t.Fatal(err)
		}
		res, err := firmware.GenerateHeaders(ctx, cfg, srcs, into)
		if err != nil {
			t.Fatal(err)
		}
		return sorted(res.Written)
	}
	list := filepath.Join(dir, compdb.SourcesName)
	if got := regenerate(list, dir); len(got) != 0 {
		t.Errorf("genhdr on an unchanged export rewrote %v", got)
	}
	mod, err := os.ReadFile(filepath.Join("testdata", "usermod", "answer.c"))
	if err != nil {
		t.Fatal(err)
	}
	modPath := filepath.Join(dir, "answer.c")
	if err := os.WriteFile(modPath, mod, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(list, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("answer.c\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if got, want := regenerate(list, dir), []string{"moduledefs.h", "qstrdefs.generated.h"}; !slices.Equal(got, want) {
		t.Errorf("genhdr after adding a module wrote %v; want %v", got, want)
	}
	run(t, build, "cmake", "-DMICROPYTHON_USER_C="+modPath, build)
	run(t, build, "cmake", "--build", build, "-j", strconv.Itoa(runtime.NumCPU()))
	ctxQ, cancel := context.WithCancel(ctx)
	defer cancel()
	inst, err := qemu.StartPipe(ctxQ, qemu.Options{Machine: board, Kernel: filepath.Join(build, "product.elf")})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Stop()
	c := testconsole.New(t, inst.Conn())
	c.Expect(">>> ")
	c.Send("import answer; answer.get_the_answer()\r")
	if got := c.Expect(">>> "); !strings.Contains(got, "\r\n42\r\n") {
		t.Errorf("the team's module answered %q", got)
	}

	other := t.TempDir()
	cfg.OutDir = t.TempDir()
	regenerate(filepath.Join(build, compdb.DatabaseName), other)
	for _, name := range []string{"qstrdefs.generated.h", "moduledefs.h", "root_pointers.h", "mpconfigboard.h", "mpversion.h"} {
		a, errA := os.ReadFile(filepath.Join(dir, "genhdr", name))
		b, errB := os.ReadFile(filepath.Join(other, "genhdr", name))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("genhdr/%s from compile_commands.json differs from the one from %s (%v, %v)", name, compdb.SourcesName, errA, errB)
		}
	}
}

// checkDeterministicArchive: ar's D mode leaves no dates, owners or modes
// in the members, so the archive's bytes depend on the objects alone.
func checkDeterministicArchive(t *testing.T, lib string) {
	t.Helper()
	out, err := exec.Command("arm-none-eabi-ar", "tv", lib).CombinedOutput()
	if err != nil {
		t.Fatalf("ar tv %s: %v\n%s", lib, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 100 {
		t.Fatalf("the library holds %d members", len(lines))
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "rw-r--r-- 0/0 ") || !strings.Contains(l, " Jan  1 00:00 1970 ") {
			t.Errorf("archive member not deterministic: %s", l)
			break
		}
	}
}

// checkExportSet: the sources of the board's MicroPython and our port with
// the embedding API, generated headers and frozen content; nothing of the
// board's own (startup, UART driver, linker script) and none of the port's
// bare-metal files.
func checkExportSet(t *testing.T, m *export.Manifest, dir string) {
	t.Helper()
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
		if _, err := os.Stat(filepath.Join(dir, f.Path)); err != nil {
			t.Errorf("manifest lists %s: %v", f.Path, err)
		}
	}
	for _, want := range []string{"micropython/py/asmthumb.c", "micropython/py/emitnthumb.c", "port/uart_core.c", "port/fifo.c",
		"port/embed/mpforge_embed.c", "port/embed/mpforge_embed.h", "genhdr/qstrdefs.generated.h", "genhdr/moduledefs.h",
		"genhdr/root_pointers.h", "genhdr/mpversion.h", "genhdr/mpconfigboard.h", "frozen/frozen_content.c",
		"micropython/shared/runtime/pyexec.c", "micropython/py/obj.h"} {
		if !slices.Contains(paths, want) {
			t.Errorf("export lacks %s", want)
		}
	}
	for _, p := range paths {
		if base := filepath.Base(p); slices.Contains([]string{"startup.c", "cmsdk_uart.c", "linker.ld", "memory.ld", "py_main.c", "systick.c"}, base) {
			t.Errorf("export holds %s, which a product's firmware does not compile", p)
		}
	}
	for _, src := range m.Sources { // other architectures' headers are included, their code is not
		if slices.Contains([]string{"asmarm.c", "asmrv32.c", "asmx64.c", "asmx86.c", "asmxtensa.c", "emitnarm.c", "emitnrv32.c",
			"emitnx64.c", "emitnx86.c", "emitnxtensa.c", "emitnxtensawin.c"}, path.Base(src)) {
			t.Errorf("export compiles %s, the native emitter of another architecture", src)
		}
	}
}

// checkKeil reads the µVision fragments: every source and include path they
// name exists (for a project file beside the export folder), and the list
// and the group agree with the manifest. µVision itself does not run here.
func checkKeil(t *testing.T, m *export.Manifest, dir string) {
	t.Helper()
	resolve := func(p string) string {
		return filepath.Join(filepath.Dir(dir), filepath.FromSlash(strings.ReplaceAll(strings.TrimPrefix(p, `.\`), `\`, "/")))
	}
	data, err := os.ReadFile(filepath.Join(dir, export.UVGroupName))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Name  string `xml:"GroupName"`
		Files []struct {
			Name string `xml:"FileName"`
			Type int    `xml:"FileType"`
			Path string `xml:"FilePath"`
		} `xml:"Files>File"`
	}
	if err := xml.Unmarshal(data, &g); err != nil {
		t.Fatalf("%s: %v", export.UVGroupName, err)
	}
	if len(g.Files) != len(m.Sources) {
		t.Errorf("µVision group has %d files, the manifest %d sources", len(g.Files), len(m.Sources))
	}
	seen := map[string]bool{}
	for _, f := range g.Files {
		if _, err := os.Stat(resolve(f.Path)); err != nil || f.Type != 1 || filepath.Base(resolve(f.Path)) != f.Name {
			t.Errorf("µVision group entry %+v: not an existing C file (%v)", f, err)
		}
		if seen[f.Name] { // µVision puts every object into one folder, by file name
			t.Errorf("two sources named %s: their objects would collide in µVision", f.Name)
		}
		seen[f.Name] = true
	}
	list, err := os.ReadFile(filepath.Join(dir, export.KeilName))
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string][]string{}
	var section string
	sc := bufio.NewScanner(bytes.NewReader(list))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "" || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			sections[section] = append(sections[section], line)
		}
	}
	if len(sections["sources"]) != len(m.Sources) {
		t.Errorf("%s lists %d sources, the manifest %d", export.KeilName, len(sections["sources"]), len(m.Sources))
	}
	for _, s := range sections["sources"] {
		if _, err := os.Stat(resolve(s)); err != nil {
			t.Errorf("%s source %s: %v", export.KeilName, s, err)
		}
	}
	if len(sections["include_paths"]) != 1 {
		t.Fatalf("%s: want one include path line, got %q", export.KeilName, sections["include_paths"])
	}
	for _, inc := range strings.Split(sections["include_paths"][0], ";") {
		if fi, err := os.Stat(resolve(inc)); err != nil || !fi.IsDir() {
			t.Errorf("%s include path %s is not a folder", export.KeilName, inc)
		}
	}
	if got := strings.Join(sections["defines"], ""); got != strings.Join(m.Defines, ",") {
		t.Errorf("%s defines %q, the manifest %q", export.KeilName, got, m.Defines)
	}
}

// session drives the product's console on QEMU.
func session(t *testing.T, elf, resetMsg, script string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inst, err := qemu.StartPipe(ctx, qemu.Options{Machine: board, Kernel: elf})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Stop()
	c := testconsole.New(t, inst.Conn())
	c.Expect("PRODUCT: blink counter at ")
	addr := c.Expect("\r\n")
	if !regexp.MustCompile(`^0x[0-9a-f]{8}$`).MatchString(addr) {
		t.Fatalf("product printed counter address %q", addr)
	}
	if script != "" {
		c.Expect(script) // mpforge_exec before the REPL
	}
	c.Expect("MicroPython v")
	c.Expect(">>> ")
	c.Send("1+1\r")
	if got := c.Expect(">>> "); !strings.Contains(got, "\r\n2\r\n") {
		t.Errorf("1+1 gave %q", got)
	}
	read := func() int {
		c.Send("machine.mem32[" + addr + "]\r")
		got := strings.TrimSpace(strings.TrimPrefix(c.Expect(">>> "), "machine.mem32["+addr+"]"))
		n, err := strconv.Atoi(got)
		if err != nil {
			t.Fatalf("reading the counter gave %q", got)
		}
		return n
	}
	c.Send("import machine, time\r")
	c.Expect(">>> ")
	// While the REPL waits for input, the other task runs.
	first := read()
	time.Sleep(300 * time.Millisecond)
	second := read()
	if second <= first {
		t.Errorf("the blink task stood still while the REPL waited: %d then %d", first, second)
	}
	// And while Python sleeps (mp_hal_delay_ms yields through mpforge_hook_wait).
	c.Send("a = machine.mem32[" + addr + "]; time.sleep_ms(200); print('counted', machine.mem32[" + addr + "] - a >= 10)\r")
	if got := c.Expect(">>> "); !strings.Contains(got, "counted True") {
		t.Errorf("counter during sleep_ms(200): %q", got)
	}
	// Ctrl-C from the product's UART interrupt stops running code.
	c.Send("while True: pass\r\r")
	time.Sleep(200 * time.Millisecond)
	c.Send("\x03")
	if got := c.Expect(">>> "); !strings.Contains(got, "KeyboardInterrupt") {
		t.Errorf("Ctrl-C gave %q", got)
	}
	c.Send("x = 42\r")
	c.Expect(">>> ")
	c.Send("\x04") // soft reset: a clean interpreter on the same heap
	c.Expect(resetMsg)
	if script != "" {
		c.Expect(script)
	}
	c.Expect(">>> ")
	c.Send("x\r")
	if got := c.Expect(">>> "); !strings.Contains(got, "NameError") {
		t.Errorf("after a soft reset, x gave %q; want a NameError", got)
	}
}

// mtimes records every file's modification time under dir.
func mtimes(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	m := map[string]time.Time{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			m[filepath.ToSlash(rel)] = fi.ModTime()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestReexportRewritesOnlyWhatChanged: a re-export with no change writes
// nothing; one after an edit that adds a qstr writes the edited file, the
// qstr header and the manifest; a file that leaves the port leaves the
// export; a foreign folder is refused.
func TestReexportRewritesOnlyWhatChanged(t *testing.T) {
	root, tree := testfw.Checkout(t)
	// Frozen modules aside: they would build mpy-cross in the private checkout.
	cfg := embedConfig(t, root, tree, func(b *boards.Board) { b.Frozen.Modules = nil })
	dir := filepath.Join(t.TempDir(), "mpy")
	first := exportTo(t, cfg, dir)
	if first.Unchanged != 0 || len(first.Written) != len(first.Manifest.Files)+6 {
		t.Errorf("first export: %d written, %d unchanged, %d files", len(first.Written), first.Unchanged, len(first.Manifest.Files))
	}
	before := mtimes(t, dir)
	time.Sleep(20 * time.Millisecond) // a rewrite would show as a newer mtime

	again := exportTo(t, cfg, dir)
	if len(again.Written) != 0 || len(again.Removed) != 0 {
		t.Errorf("no-op re-export wrote %v, removed %v", again.Written, again.Removed)
	}
	if after := mtimes(t, dir); !mapsEqual(before, after) {
		t.Errorf("no-op re-export touched files")
	}

	edited := filepath.Join(root, "port", "fifo.c")
	data, err := os.ReadFile(edited)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, []byte("\n#include \"py/qstr.h\"\nconst qstr fifo_export_probe = MP_QSTR_mpforge_export_probe;\n")...)
	if err := os.WriteFile(edited, data, 0o644); err != nil {
		t.Fatal(err)
	}
	res := exportTo(t, cfg, dir)
	want := []string{"genhdr/qstrdefs.generated.h", export.ManifestName, "port/fifo.c"}
	if got := sorted(res.Written); !slices.Equal(got, want) || len(res.Removed) != 0 {
		t.Errorf("after adding a qstr to port/fifo.c the export wrote %v and removed %v; want exactly %v", got, res.Removed, want)
	}
	if h, _ := os.ReadFile(filepath.Join(dir, "genhdr", "qstrdefs.generated.h")); !bytes.Contains(h, []byte("mpforge_export_probe")) {
		t.Errorf("the new qstr is not in the exported qstrdefs.generated.h")
	}

	extra := filepath.Join(root, "port", "export_extra.c")
	if err := os.WriteFile(extra, []byte("int export_extra;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := exportTo(t, cfg, dir); !slices.Contains(res.Written, "port/export_extra.c") {
		t.Fatalf("a new port file was not exported: wrote %v", res.Written)
	}
	if err := os.Remove(extra); err != nil {
		t.Fatal(err)
	}
	res = exportTo(t, cfg, dir)
	if !slices.Equal(res.Removed, []string{"port/export_extra.c"}) {
		t.Errorf("removing port/export_extra.c removed %v from the export", res.Removed)
	}
	if _, err := os.Stat(filepath.Join(dir, "port", "export_extra.c")); !os.IsNotExist(err) {
		t.Errorf("port/export_extra.c is still in the export (%v)", err)
	}

	foreign := t.TempDir()
	if err := os.WriteFile(filepath.Join(foreign, "main.c"), []byte("int main;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, _, err := firmware.Generate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := export.Write(plan, foreign); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("export into a folder of other files: %v; want a refusal", err)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func mapsEqual(a, b map[string]time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !w.Equal(v) {
			return false
		}
	}
	return true
}

// BenchmarkNoOpExport times a re-export of fr30xx with nothing changed: the
// engine's up-to-date check of the generation steps, and reading and
// comparing every exported file.
func BenchmarkNoOpExport(b *testing.B) {
	root, err := testenv.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	cfg := embedConfigOf(b, root, testenv.MicroPythonDir(b), "fr30xx", nil)
	dir := filepath.Join(b.TempDir(), "mpy")
	exportTo(b, cfg, dir)
	for b.Loop() {
		if res := exportTo(b, cfg, dir); len(res.Written) != 0 {
			b.Fatalf("no-op export wrote %v", res.Written)
		}
	}
}
