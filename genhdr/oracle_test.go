package genhdr

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"mpforge/internal/testenv"
)

// The oracle tests preprocess real MicroPython sources with the real
// cross compiler, then feed the same text to the tree's own scripts and to
// this package, and compare the bytes of every intermediate and final
// header.

var testTmp string // removed after all tests

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "genhdr-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testTmp = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testBuildDate stands for SOURCE_DATE_EPOCH; late in the UTC day, so a
// local-time date would differ in most zones east of UTC.
var testBuildDate = time.Unix(1700000000, 0) // 2023-11-14 22:13:20 UTC

// ppConfig is one build configuration of the oracle tests.
type ppConfig struct {
	name    string
	defines []string
}

var ppConfigs = []ppConfig{
	{"plain", nil},
	{"compressed", []string{"-DMICROPY_ROM_TEXT_COMPRESSION=1"}},
}

// extraSources are the non-py/ sources preprocessed besides py/*.c:
// the REPL and a few extmod modules, some of which include other .c files
// and register root pointers.
var extraSources = []string{
	"shared/runtime/pyexec.c", "shared/readline/readline.c",
	"extmod/modjson.c", "extmod/modre.c", "extmod/modrandom.c", "extmod/modplatform.c",
	"extmod/modbinascii.c", "extmod/modheapq.c", "extmod/moddeflate.c", "extmod/os_dupterm.c",
	"extmod/vfs.c", "extmod/modos.c", "extmod/modtime.c",
}

// preprocessedTree is the QSTR pass of one tree and configuration.
type preprocessedTree struct {
	tree    string   // MicroPython tree
	work    string   // scratch folder for this tree and configuration
	cflags  []string // board flags, without -DNO_QSTR
	sources []string // absolute, in build order
	outputs [][]byte // gcc -E -DNO_QSTR output per source
}

type ppEntry struct {
	once sync.Once
	p    *preprocessedTree
	err  error
}

var ppCache sync.Map // tree + "\x00" + config name -> *ppEntry

// preprocess runs the QSTR pass once per tree and configuration, however
// many tests ask for it.
func preprocess(t testing.TB, tree string, cfg ppConfig) *preprocessedTree {
	t.Helper()
	e, _ := ppCache.LoadOrStore(tree+"\x00"+cfg.name, &ppEntry{})
	entry := e.(*ppEntry)
	entry.once.Do(func() { entry.p, entry.err = runPreprocess(tree, cfg) })
	if entry.err != nil {
		t.Fatal(entry.err)
	}
	return entry.p
}

func runPreprocess(tree string, cfg ppConfig) (*preprocessedTree, error) {
	port, err := filepath.Abs("testdata/port")
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp(testTmp, "tree-")
	if err != nil {
		return nil, err
	}
	// The sources include genhdr/mpversion.h even in the QSTR pass.
	version, err := MPVersion(tree, testBuildDate)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(work, "genhdr"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(work, "genhdr", "mpversion.h"), version, 0o644); err != nil {
		return nil, err
	}
	// Absolute paths, as the build engine passes them: line markers then
	// name files like "/.../py/emitnative.c", never "./py/...".
	if tree, err = filepath.Abs(tree); err != nil {
		return nil, err
	}
	p := &preprocessedTree{
		tree: tree,
		work: work,
		cflags: append([]string{
			"-std=c99", "-Os", "-ffunction-sections", "-fdata-sections", "-fno-common",
			"-Wall", "-Werror", "-Wdouble-promotion", "-Wfloat-conversion",
			"-mthumb", "-mcpu=cortex-m33", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard",
			"-I" + port, "-I" + work, "-I" + tree, "-I" + filepath.Join(tree, "lib", "cmsis", "inc"),
		}, cfg.defines...),
	}
	pyFiles, err := filepath.Glob(filepath.Join(tree, "py", "*.c"))
	if err != nil {
		return nil, err
	}
	sort.Strings(pyFiles)
	p.sources = pyFiles
	for _, src := range extraSources {
		p.sources = append(p.sources, filepath.Join(tree, src))
	}
	p.outputs = make([][]byte, len(p.sources))

	errs := make([]error, len(p.sources))
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for i, src := range p.sources {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			p.outputs[i], errs[i] = p.gcc(nil, append([]string{"-E", "-DNO_QSTR"}, src)...)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

// gcc runs arm-none-eabi-gcc with the board flags in the tree.
func (p *preprocessedTree) gcc(stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command("arm-none-eabi-gcc", append(append([]string{}, p.cflags...), args...)...)
	cmd.Dir = p.tree
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("arm-none-eabi-gcc %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes(), nil
}

func needTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found on PATH: the oracle tests need it to run the upstream pipeline", tool)
		}
	}
}

func treeName(t *testing.T, tree string) string {
	v, err := mpconfigVersion(tree)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestOracle runs the whole header pipeline through the tree's scripts and
// through this package, for every tree and configuration.
func TestOracle(t *testing.T) {
	python3(t)
	needTools(t, "arm-none-eabi-gcc", "sed")
	for _, tree := range testenv.MicroPythonDirs(t) {
		for _, cfg := range ppConfigs {
			t.Run(treeName(t, tree)+"/"+cfg.name, func(t *testing.T) {
				t.Parallel()
				checkPipeline(t, preprocess(t, tree, cfg), cfg)
			})
		}
	}
}

func checkPipeline(t *testing.T, p *preprocessedTree, cfg ppConfig) {
	script := func(name string) string { return filepath.Join(p.tree, "py", name) }

	// makeqstrdefs.py pp concatenates all outputs into qstr.i.last; split
	// and cat then run once per mode.
	last := filepath.Join(p.work, "qstr.i.last")
	if err := os.WriteFile(last, bytes.Join(p.outputs, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	upSplit := map[string]string{}
	upCollected := map[mode][]byte{}
	for m := range numModes {
		name := modeNames[m]
		dir := filepath.Join(p.work, "split-"+name)
		collected := filepath.Join(p.work, name+".collected")
		runPython(t, p.work, nil, nil, script("makeqstrdefs.py"), "split", name, last, dir, "_")
		runPython(t, p.work, nil, nil, script("makeqstrdefs.py"), "cat", name, "_", dir, collected)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			upSplit[e.Name()] = string(data)
		}
		if upCollected[m], err = os.ReadFile(collected); err != nil {
			t.Fatal(err)
		}
	}

	found := make([]*Found, len(p.outputs))
	for i, out := range p.outputs {
		found[i] = Scan(out)
	}
	t.Run("split", func(t *testing.T) {
		got := splitFiles(found)
		for name, want := range upSplit {
			if got[name] != want {
				t.Errorf("split file %s:\n want %q\n  got %q", name, want, got[name])
			}
		}
		for name := range got {
			if _, ok := upSplit[name]; !ok {
				t.Errorf("split file %s is not written by makeqstrdefs.py", name)
			}
		}
		if len(upSplit) < 50 {
			t.Errorf("only %d split files: the preprocessing found too little to be a real test", len(upSplit))
		}
	})
	c := Collect(found)
	t.Run("cat", func(t *testing.T) {
		diffText(t, "qstrdefs.collected.h", upCollected[modeQstr], c.Qstr)
		diffText(t, "moduledefs.collected", upCollected[modeModule], c.Module)
		diffText(t, "root_pointers.collected", upCollected[modeRootPointer], c.RootPointer)
		diffText(t, "compressed.collected", upCollected[modeCompress], c.Compress)
		// One scan of the whole stream, as the script sees it, agrees too.
		whole := Collect([]*Found{Scan(bytes.Join(p.outputs, nil))})
		diffText(t, "qstrs from one scan of all sources", c.Qstr, whole.Qstr)
		diffText(t, "modules from one scan of all sources", c.Module, whole.Module)
	})
	t.Run("marshal", func(t *testing.T) {
		again := make([]*Found, len(found))
		for i, f := range found {
			data, err := f.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			again[i] = &Found{}
			if err := again[i].UnmarshalBinary(data); err != nil {
				t.Fatalf("%s: %v", p.sources[i], err)
			}
			data2, _ := again[i].MarshalBinary()
			if !bytes.Equal(data, data2) {
				t.Fatalf("%s: encoding is not stable", p.sources[i])
			}
		}
		c2 := Collect(again)
		diffText(t, "qstrs after a marshal round trip", c.Qstr, c2.Qstr)
		diffText(t, "compressed messages after a marshal round trip", c.Compress, c2.Compress)
	})

	t.Run("qstrdefs", func(t *testing.T) {
		checkQstrDefs(t, p, upCollected[modeQstr], c, nil)
		if cfg.name == "plain" {
			// Other hash and length sizes change the QCFG values only.
			for _, d := range []string{"-DMICROPY_QSTR_BYTES_IN_HASH=1", "-DMICROPY_QSTR_BYTES_IN_HASH=0", "-DMICROPY_QSTR_BYTES_IN_LEN=2"} {
				checkQstrDefs(t, p, upCollected[modeQstr], c, []string{d})
			}
		}
	})
	t.Run("moduledefs", func(t *testing.T) {
		want := runPython(t, p.work, nil, nil, script("makemoduledefs.py"), filepath.Join(p.work, "module.collected"))
		got, err := ModuleDefs(c)
		if err != nil {
			t.Fatal(err)
		}
		diffText(t, "moduledefs.h", want, got)
		if !bytes.Contains(got, []byte("MICROPY_MODULE_DELEGATIONS")) {
			t.Error("moduledefs.h has no module delegation: the test config no longer covers that path")
		}
	})
	t.Run("root_pointers", func(t *testing.T) {
		want := runPython(t, p.work, nil, nil, script("make_root_pointers.py"), filepath.Join(p.work, "root_pointer.collected"))
		got, err := RootPointers(c)
		if err != nil {
			t.Fatal(err)
		}
		diffText(t, "root_pointers.h", want, got)
	})
	t.Run("compressed", func(t *testing.T) {
		want := runPython(t, p.work, nil, nil, script("makecompresseddata.py"), filepath.Join(p.work, "compress.collected"))
		got, err := CompressedData(c)
		if err != nil {
			t.Fatal(err)
		}
		if !pythonZlibIsClassic(t) {
			// Only the size comments at the end depend on the zlib build.
			t.Logf("python3's zlib is %q: comparing compressed.data.h up to its gzip/zlib size comments", zlibVersion)
			want, _, _ = bytes.Cut(want, []byte("\n// gzip length:"))
			got, _, _ = bytes.Cut(got, []byte("\n// gzip length:"))
		}
		diffText(t, "compressed.data.h", want, got)
		if cfg.name == "compressed" && bytes.Count(got, []byte("MP_MATCH_COMPRESSED")) < 100 {
			t.Errorf("only %d compressed messages: ROM text compression did not take effect", bytes.Count(got, []byte("MP_MATCH_COMPRESSED")))
		}
	})
}

// checkQstrDefs runs py.mk's recipe for qstrdefs.generated.h (cat | sed |
// cpp | sed, then makeqstrdata.py) against ours.
func checkQstrDefs(t *testing.T, p *preprocessedTree, upCollected []byte, c *Collected, defines []string) {
	t.Helper()
	pyDefs, err := os.ReadFile(filepath.Join(p.tree, "py", "qstrdefs.h"))
	if err != nil {
		t.Fatal(err)
	}
	portDefs, err := os.ReadFile("testdata/port/qstrdefsport.h")
	if err != nil {
		t.Fatal(err)
	}
	upIn := sed(t, `s/^Q(.*)/"&"/`, bytes.Join([][]byte{pyDefs, portDefs, upCollected}, nil))
	in := QstrDefsPreprocessInput(pyDefs, portDefs, c)
	diffText(t, "preprocessor input", upIn, in)

	cppOut, err := p.gcc(in, append(append([]string{}, defines...), "-E", "-")...)
	if err != nil {
		t.Fatal(err)
	}
	upPre := sed(t, `s/^\"\(Q(.*)\)\"/\1/`, cppOut)
	pre := QstrDefsUnquote(cppOut)
	diffText(t, "qstrdefs.preprocessed.h", upPre, pre)

	name := "qstrdefs.preprocessed" + strings.Join(defines, "") + ".h"
	if err := os.WriteFile(filepath.Join(p.work, name), upPre, 0o644); err != nil {
		t.Fatal(err)
	}
	scriptPath := filepath.Join(p.tree, "py", "makeqstrdata.py")
	want := runPython(t, p.work, nil, nil, scriptPath, name)
	script, err := os.ReadFile(scriptPath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := QstrDefsGenerated(script, pre)
	if err != nil {
		t.Fatal(err)
	}
	diffText(t, "qstrdefs.generated.h "+strings.Join(defines, " "), want, got)
}

// sed runs GNU sed with one script on input.
func sed(t *testing.T, script string, input []byte) []byte {
	t.Helper()
	cmd := exec.Command("sed", script)
	cmd.Stdin = bytes.NewReader(input)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sed %s: %v", script, err)
	}
	return out
}

// splitFiles is what makeqstrdefs.py split leaves in its output folders
// for these results, file name to content.
func splitFiles(found []*Found) map[string]string {
	files := map[string]string{}
	for _, f := range found {
		for m := range numModes {
			for name, lines := range f.files[m] {
				files[name+"."+modeNames[m]] = strings.Join(lines, "\n") + "\n"
			}
		}
	}
	return files
}

// BenchmarkScan scans the QSTR pass output of a whole build (about 140
// sources, 11 MB), which the engine does for every changed source.
func BenchmarkScan(b *testing.B) {
	needTools(b, "arm-none-eabi-gcc")
	p := preprocess(b, testenv.MicroPythonDir(b), ppConfigs[1])
	size := 0
	for _, out := range p.outputs {
		size += len(out)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		found := make([]*Found, len(p.outputs))
		for i, out := range p.outputs {
			found[i] = Scan(out)
		}
		Collect(found)
	}
}
