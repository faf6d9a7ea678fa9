package firmware_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"mpforge/boards"
	"mpforge/internal/testenv"
	"mpforge/internal/testfw"
)

func boardNames(t *testing.T) []string {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	names, err := boards.List(filepath.Join(root, "boards"))
	if err != nil || len(names) < 4 {
		t.Fatalf("boards: %v %v", names, err)
	}
	return names
}

// TestEveryBoardBuilds builds each board and checks what a build leaves.
func TestEveryBoardBuilds(t *testing.T) {
	for _, name := range boardNames(t) {
		t.Run(name, func(t *testing.T) {
			res, b := testfw.Firmware(t, name)
			for _, f := range []string{res.ELF, res.BIN, res.HEX, res.Map, res.CompileCommands} {
				if fi, err := os.Stat(f); err != nil || fi.Size() == 0 {
					t.Errorf("%s: %v", f, err)
				}
			}
			var entries []struct{ File, Directory, Output string }
			data, _ := os.ReadFile(res.CompileCommands)
			err := json.Unmarshal(data, &entries)
			loader := 0 // the flash loader's sources are compiled too, into out/<board>/flasher/
			for _, e := range entries {
				if strings.Contains(e.Output, "/flasher/obj/") {
					loader++
				}
			}
			if err != nil || len(entries)-loader != len(res.Plan.Sources) || (res.Loader != "") != (loader > 0) {
				t.Errorf("compile_commands.json: %d entries (%d of the loader %q) for %d sources (%v)", len(entries), loader, res.Loader, len(res.Plan.Sources), err)
			}
			for _, u := range res.Regions {
				if u.Used > u.Length {
					t.Errorf("%s uses %d of %d bytes", u.Name, u.Used, u.Length)
				}
			}
			checkELF(t, res.ELF, b)
		})
	}
}

// checkELF holds for every board: sections inside regions, no undefined
// symbols, a vector table at the start of the first code region whose
// initial SP is in RAM and whose reset vector is Thumb code.
func checkELF(t *testing.T, path string, b *boards.Board) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inRegion := func(addr, size uint64) bool {
		for _, r := range b.Memory {
			if addr >= r.Origin && addr+size <= r.End() {
				return true
			}
		}
		return false
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Memsz > 0 && (!inRegion(p.Vaddr, p.Memsz) || !inRegion(p.Paddr, p.Filesz)) {
			t.Errorf("segment at %#x (load %#x, %d bytes) is outside the board's memory", p.Vaddr, p.Paddr, p.Memsz)
		}
	}
	syms, _ := f.Symbols()
	for _, s := range syms {
		if s.Section == elf.SHN_UNDEF && s.Name != "" {
			t.Errorf("undefined symbol %s", s.Name)
		}
	}
	code := b.Memory[0]
	for _, r := range b.Memory {
		if strings.Contains(r.Attributes, "x") && !strings.Contains(r.Attributes, "w") {
			code = r
			break
		}
	}
	vec := make([]byte, 8)
	found := false
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Paddr == code.Origin && p.Filesz >= 8 {
			p.ReadAt(vec, 0)
			found = true
		}
	}
	if !found {
		t.Fatalf("no vector table at %#x (start of %s)", code.Origin, code.Name)
	}
	sp, reset := binary.LittleEndian.Uint32(vec), binary.LittleEndian.Uint32(vec[4:])
	spOK := false
	for _, r := range b.Memory {
		if strings.Contains(r.Attributes, "w") && uint64(sp) > r.Origin && uint64(sp) <= r.End() {
			spOK = true
		}
	}
	if !spOK {
		t.Errorf("initial SP %#x is not inside a RAM region", sp)
	}
	if reset&1 == 0 || !inRegion(uint64(reset&^1), 2) {
		t.Errorf("reset vector %#x: want a Thumb address inside the board's memory", reset)
	}
}

// TestFR30xxIsCortexM33HardFloatAt0x08002000 checks the build attributes of
// the fr30xx firmware with binutils' own reader.
func TestFR30xxIsCortexM33HardFloatAt0x08002000(t *testing.T) {
	res, b := testfw.Firmware(t, "fr30xx")
	if r := b.Memory; len(r) == 0 {
		t.Fatal("no memory")
	}
	flash, ok := b.Region("FLASH")
	if !ok || flash.Origin != 0x08002000 {
		t.Fatalf("FLASH region %+v, want origin 0x08002000", flash)
	}
	out, err := exec.Command("arm-none-eabi-readelf", "-A", res.ELF).CombinedOutput()
	if err != nil {
		t.Fatalf("readelf: %v\n%s", err, out)
	}
	// Cortex-M33 = Armv8-M Mainline with the DSP extension and a single-precision FPv5.
	for _, want := range []string{"Tag_CPU_arch: v8-M.mainline", "Tag_CPU_arch_profile: Microcontroller", "Tag_THUMB_ISA_use: Yes",
		"Tag_DSP_extension: Allowed", "Tag_FP_arch: FPv5/FP-D16 for ARMv8", "Tag_ABI_HardFP_use: SP only", "Tag_ABI_VFP_args: VFP registers"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("readelf -A lacks %q:\n%s", want, out)
		}
	}
	if bytes.Contains(out, []byte("Tag_ARM_ISA_use: Yes")) {
		t.Errorf("firmware contains ARM (non-Thumb) code:\n%s", out)
	}
}

// TestGeneratedHeadersMatchUpstream runs MicroPython's own scripts on each
// board's sources and compares their headers with the ones mpforge wrote.
func TestGeneratedHeadersMatchUpstream(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is needed to run MicroPython's generator scripts")
	}
	tree := testenv.MicroPythonDir(t)
	for _, name := range boardNames(t) {
		t.Run(name, func(t *testing.T) {
			res, _ := testfw.Firmware(t, name)
			out := filepath.Dir(res.ELF)
			var cmds []struct {
				Directory string
				Arguments []string
				File      string
				Output    string
			}
			data, _ := os.ReadFile(res.CompileCommands)
			if err := json.Unmarshal(data, &cmds); err != nil {
				t.Fatal(err)
			}
			work := t.TempDir()
			// makeqstrdefs.py pp: every source preprocessed with NO_QSTR into one file.
			var pp bytes.Buffer
			var cflags []string
			for _, c := range cmds {
				if strings.HasPrefix(c.File, filepath.Join("out", name)+"/") {
					continue // generated C (frozen modules) is not a qstr source, as upstream
				}
				if strings.Contains(c.Output, "/flasher/obj/") {
					continue // the flash loader runs on its own, outside MicroPython
				}
				args := absIncludes(c.Arguments[:len(c.Arguments)-4], c.Directory) // drop "-c src -o obj"
				cflags = args[1:]
				src := c.File
				if !filepath.IsAbs(src) {
					src = filepath.Join(c.Directory, src) // absolute: the script skips hidden paths
				}
				cmd := exec.Command(args[0], append(append([]string{"-E", "-DNO_QSTR"}, args[1:]...), src)...)
				cmd.Dir = c.Directory
				o, err := cmd.Output()
				if err != nil {
					t.Fatalf("preprocess %s: %v", src, err)
				}
				pp.Write(o)
			}
			ppFile := filepath.Join(work, "qstr.i.last")
			os.WriteFile(ppFile, pp.Bytes(), 0o644)
			py := func(args ...string) []byte {
				cmd := exec.Command("python3", args...)
				cmd.Dir = work
				o, err := cmd.Output()
				if err != nil {
					t.Fatalf("python3 %v: %v", args, err)
				}
				return o
			}
			script := func(name string) string { return filepath.Join(tree, "py", name) }
			for _, mode := range []string{"qstr", "module", "root_pointer"} {
				py(script("makeqstrdefs.py"), "split", mode, ppFile, filepath.Join(work, mode), "_")
				py(script("makeqstrdefs.py"), "cat", mode, "_", filepath.Join(work, mode), filepath.Join(work, mode+".collected"))
			}
			// The qstrdefs chain of py/mkrules.mk: quote, preprocess with the board's flags, unquote.
			var defs bytes.Buffer
			for _, f := range []string{filepath.Join(tree, "py", "qstrdefs.h"), filepath.Join(cmds[0].Directory, "port", "qstrdefsport.h"), filepath.Join(work, "qstr.collected")} {
				d, _ := os.ReadFile(f)
				defs.Write(d)
			}
			quoted := regexpReplace(defs.String(), true)
			cpp := exec.Command(cflagsCompiler(cmds[0].Arguments), append(append([]string{"-E"}, cflags...), "-")...)
			cpp.Dir = cmds[0].Directory
			cpp.Stdin = strings.NewReader(quoted)
			pre, err := cpp.Output()
			if err != nil {
				t.Fatalf("cpp: %v", err)
			}
			os.WriteFile(filepath.Join(work, "qstrdefs.preprocessed.h"), []byte(regexpReplace(string(pre), false)), 0o644)
			want := map[string][]byte{
				"qstrdefs.generated.h": py(script("makeqstrdata.py"), "qstrdefs.preprocessed.h"),
				"moduledefs.h":         py(script("makemoduledefs.py"), "module.collected"),
				"root_pointers.h":      py(script("make_root_pointers.py"), "root_pointer.collected"),
			}
			for name, w := range want {
				got, err := os.ReadFile(filepath.Join(out, "genhdr", name))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, w) {
					t.Errorf("genhdr/%s differs from MicroPython's script output (%d vs %d bytes)", name, len(got), len(w))
				}
			}
		})
	}
}

func cflagsCompiler(args []string) string { return args[0] }

// absIncludes makes -I paths absolute: makeqstrdefs.py collects its split
// files with glob("*"), which skips names starting with a dot, so a header
// found through "-I.mpforge/..." would silently drop out of its output.
// (mpforge's own Collect keeps them.)
func absIncludes(args []string, dir string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if p, ok := strings.CutPrefix(a, "-I"); ok && !filepath.IsAbs(p) {
			a = "-I" + filepath.Join(dir, p)
		}
		out[i] = a
	}
	return out
}

// regexpReplace is the pair of sed commands in py/mkrules.mk: quote lines
// starting with Q( before the preprocessor, and unquote them after.
func regexpReplace(s string, quote bool) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		switch {
		case quote && strings.HasPrefix(l, "Q("):
			lines[i] = `"` + l + `"`
		case !quote && strings.HasPrefix(l, `"Q(`) && strings.HasSuffix(l, `"`):
			lines[i] = l[1 : len(l)-1]
		}
	}
	return strings.Join(lines, "\n")
}
