package release_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"mpforge/release"
	"mpforge/toolchain"
)

// board makes a board whose artifacts are small files with the given content.
func board(t *testing.T, name, content string, flash uint64) release.Board {
	dir := t.TempDir()
	files := map[string]string{}
	for _, f := range []string{"firmware.elf", "firmware.bin", "firmware.hex", "firmware.map"} {
		p := filepath.Join(dir, f)
		if err := os.WriteFile(p, []byte(content+" "+f), 0o644); err != nil {
			t.Fatal(err)
		}
		files[f] = p
	}
	return release.Board{
		Name:  name,
		Files: files,
		Regions: []toolchain.RegionUse{
			{Region: toolchain.Region{Name: "FLASH", Origin: 0x10000000, Length: 1 << 20}, Used: flash},
			{Region: toolchain.Region{Name: "RAM", Origin: 0x38000000, Length: 256 << 10}, Used: 4096},
		},
		Sections: []toolchain.Section{
			{Name: ".text", Addr: 0x10000000, Load: 0x10000000, Size: flash - 16},
			{Name: ".data", Addr: 0x38000000, Load: 0x10000000 + flash - 16, Size: 16},
			{Name: ".bss", Addr: 0x38000010, Load: 0x38000010, Size: 4080},
		},
		Manifest: release.Manifest{
			MicroPython: release.MicroPython{Version: "1.26.1", Source: "debian:micropython=1.26.1+ds-1"},
			Toolchain:   "arm-none-eabi-gcc (15:12.2.rel1-1) 12.2.1 20221205",
			Revision:    release.Unknown, FlagsSHA256: strings.Repeat("ab", 32),
		},
	}
}

// readTree returns every file under dir by its relative path, '/'-separated.
func readTree(t *testing.T, dir string) map[string]string {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestWriteIsReproducibleAndVerifiable(t *testing.T) {
	boards := []release.Board{board(t, "mps2-an505", "a", 200000), board(t, "fr30xx", "b", 190000)}
	one, two := filepath.Join(t.TempDir(), "dist"), filepath.Join(t.TempDir(), "dist")
	if err := release.Write(one, boards); err != nil {
		t.Fatal(err)
	}
	if err := release.Write(two, boards); err != nil {
		t.Fatal(err)
	}
	a, b := readTree(t, one), readTree(t, two)
	if len(a) != 13 { // 2 boards x (4 firmware files + size.json + manifest.json) + SHA256SUMS
		t.Errorf("dist holds %d files, want 13: %v", len(a), a)
	}
	for name, data := range a {
		if b[name] != data {
			t.Errorf("%s differs between two writes of the same boards", name)
		}
	}
	cmd := exec.Command("sha256sum", "--check", "--strict", release.SumsFile)
	cmd.Dir = one
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum --check: %v\n%s", err, out)
	}
	var m release.Manifest
	if err := json.Unmarshal([]byte(a["fr30xx/manifest.json"]), &m); err != nil {
		t.Fatal(err)
	}
	if m.Board != "fr30xx" || m.MicroPython.Version != "1.26.1" || len(m.Files) != 4 ||
		!strings.Contains(a[release.SumsFile], m.Files["firmware.bin"]+"  fr30xx/firmware.bin\n") {
		t.Errorf("manifest %+v does not describe fr30xx's files as SHA256SUMS does:\n%s", m, a[release.SumsFile])
	}
	var s release.Size
	if err := json.Unmarshal([]byte(a["mps2-an505/size.json"]), &s); err != nil {
		t.Fatal(err)
	}
	if s.Board != "mps2-an505" || len(s.Regions) != 2 || s.Regions[0].Used != 200000 || len(s.Sections) != 3 || s.Sections[1].Load != 0x10000000+200000-16 {
		t.Errorf("size.json: %+v", s)
	}
}

func TestWriteReplacesOnlyOnSuccess(t *testing.T) {
	dist := filepath.Join(t.TempDir(), "dist")
	if err := release.Write(dist, []release.Board{board(t, "old", "x", 1000)}); err != nil {
		t.Fatal(err)
	}
	broken := board(t, "new", "y", 1000)
	broken.Files["firmware.bin"] = filepath.Join(t.TempDir(), "missing.bin")
	if err := release.Write(dist, []release.Board{broken}); err == nil || !strings.Contains(err.Error(), "missing.bin") {
		t.Fatalf("write with a missing artifact: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dist, "old", "firmware.bin")); err != nil {
		t.Errorf("a failed write touched the previous dist/: %v", err)
	}
	if err := release.Write(dist, []release.Board{board(t, "new", "y", 1000)}); err != nil {
		t.Fatal(err)
	}
	files := readTree(t, dist)
	if _, ok := files["old/firmware.bin"]; ok || files["new/firmware.bin"] != "y firmware.bin" {
		t.Errorf("dist/ after replacing: %v", files)
	}
	// SHA256SUMS names files with '/' on every OS, so one written on
	// Windows verifies with sha256sum -c on Linux.
	sums := strings.TrimSuffix(files[release.SumsFile], "\n")
	if n := strings.Count(sums, "\n") + 1; n != len(files)-1 {
		t.Errorf("SHA256SUMS has %d lines for %d files:\n%s", n, len(files)-1, sums)
	}
	for _, line := range strings.Split(sums, "\n") {
		sum, name, _ := strings.Cut(line, "  ")
		data, ok := files[name]
		if digest := sha256.Sum256([]byte(data)); !ok || hex.EncodeToString(digest[:]) != sum {
			t.Errorf("SHA256SUMS line %q does not name a file of dist/ by its '/'-separated path and digest", line)
		}
	}
	if entries, _ := filepath.Glob(dist + ".*"); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
	for _, name := range []string{"", "..", "a/b"} {
		if err := release.Write(dist, []release.Board{board(t, name, "z", 1)}); err == nil {
			t.Errorf("board name %q accepted", name)
		}
	}
}

func TestLoadSizes(t *testing.T) {
	dist := filepath.Join(t.TempDir(), "dist")
	if err := release.Write(dist, []release.Board{board(t, "b2", "x", 2000), board(t, "b1", "y", 1000)}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]string{
		dist:                                   {"b1", "b2"},
		filepath.Join(dist, "b2"):              {"b2"},
		filepath.Join(dist, "b1", "size.json"): {"b1"},
		filepath.Join(dist, "b2", "manifest.json"): {"b2"},
	} {
		sizes, err := release.LoadSizes(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var got []string
		for _, s := range sizes {
			got = append(got, s.Board)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: boards %v, want %v", path, got, want)
		}
	}
	lone := filepath.Join(t.TempDir(), "manifest.json")
	os.WriteFile(lone, []byte(`{"board":"b1"}`), 0o644)
	notSize := filepath.Join(t.TempDir(), "other.json")
	os.WriteFile(notSize, []byte(`{"hello":1}`), 0o644)
	for path, want := range map[string]string{
		t.TempDir(): "no size.json in it",
		lone:        "size.json that mage ci writes beside it",
		notSize:     "not a size.json written by mage ci",
	} {
		if _, err := release.LoadSizes(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", path, err, want)
		}
	}
	if _, err := release.LoadSizes(filepath.Join(dist, "nothere")); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "nothere") {
		t.Errorf("a missing baseline: %v, want a not-exist error that names it", err)
	}
}

func TestTable(t *testing.T) {
	got := release.Table([]release.Size{release.SizeOf(board(t, "mps2-an505", "a", 209715))})
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	want := [][]string{
		{"BOARD", "REGION", "USED", "FREE", "SIZE", "USE"},
		{"mps2-an505", "FLASH", "209715", "838861", toolchain.FormatBytes(1 << 20), "20.0%"},
		{"RAM", "4096", "258048", toolchain.FormatBytes(256 << 10), "1.6%"},
	}
	if len(lines) != len(want) {
		t.Fatalf("table has %d lines, want %d:\n%s", len(lines), len(want), got)
	}
	for i, cells := range want {
		if f, w := strings.Fields(lines[i]), strings.Fields(strings.Join(cells, " ")); strings.Join(f, "|") != strings.Join(w, "|") {
			t.Errorf("line %d: %q, want cells %q", i, lines[i], cells)
		}
	}
	// Numbers are right-aligned: the used bytes of both regions end in the same column.
	if a, b := strings.Index(lines[1], "209715")+6, strings.Index(lines[2], "4096")+4; a != b {
		t.Errorf("USED column not right-aligned:\n%s", got)
	}
}

func TestDiff(t *testing.T) {
	base := []release.Size{release.SizeOf(board(t, "a", "", 100000)), release.SizeOf(board(t, "gone", "", 5000))}
	grown := board(t, "a", "", 100256)
	grown.Sections = append(grown.Sections, toolchain.Section{Name: ".rodata.new", Size: 8})
	now := []release.Size{release.SizeOf(grown), release.SizeOf(board(t, "fresh", "", 7000))}
	got := release.Diff(base, now)
	want := "" +
		"BOARD  REGION/SECTION  BEFORE   AFTER  CHANGE\n" +
		"a      FLASH           100000  100256    +256  (+0.26%)\n" +
		"       RAM               4096    4096       0\n" +
		"         .text          99984  100240    +256  (+0.26%)\n" +
		"         .rodata.new        0       8      +8\n" +
		"fresh: new (not in the baseline)\n" +
		"gone: gone (only in the baseline)\n"
	if got != want {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want)
	}
	same := release.Diff(base[:1], base[:1])
	if !strings.HasSuffix(same, "no size change\n") {
		t.Errorf("diff of equal sizes:\n%s", same)
	}
}

func writeCommands(t *testing.T, root, tree string, extra ...string) string {
	args := append([]string{"/usr/bin/arm-none-eabi-gcc", "-Os", "-I" + tree, "-Iport"}, extra...)
	entries := []map[string]any{
		{"directory": root, "file": tree + "/py/obj.c", "output": "out/b/obj/py/obj.o",
			"arguments": append(append([]string{}, args...), "-c", tree+"/py/obj.c", "-o", "out/b/obj/py/obj.o")},
		{"directory": root, "file": "port/main.c", "output": "out/b/obj/port/main.o",
			"arguments": append(append([]string{}, args...), "-c", "port/main.c", "-o", root+"/elsewhere/main.o")},
	}
	data, _ := json.Marshal(entries)
	p := filepath.Join(t.TempDir(), "compile_commands.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeNativeCommands is writeCommands' database as this OS writes it:
// native separators, the compiler with the OS's executable suffix.
func writeNativeCommands(t *testing.T, root, tree string) string {
	compiler := filepath.Join(filepath.FromSlash("/usr/bin"), "arm-none-eabi-gcc")
	if runtime.GOOS == "windows" {
		compiler += ".exe"
	}
	obj := filepath.Join(tree, "py", "obj.c")
	args := []string{compiler, "-Os", "-I" + tree, "-Iport"}
	entries := []map[string]any{
		{"directory": root, "file": obj, "output": filepath.FromSlash("out/b/obj/py/obj.o"),
			"arguments": append(append([]string{}, args...), "-c", obj, "-o", filepath.FromSlash("out/b/obj/py/obj.o"))},
		{"directory": root, "file": filepath.FromSlash("port/main.c"), "output": filepath.FromSlash("out/b/obj/port/main.o"),
			"arguments": append(append([]string{}, args...), "-c", filepath.FromSlash("port/main.c"), "-o", filepath.Join(root, "elsewhere", "main.o"))},
	}
	data, _ := json.Marshal(entries)
	p := filepath.Join(t.TempDir(), "compile_commands.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A build on Windows (backslashes, arm-none-eabi-gcc.exe) and the same
// build on Linux have one digest. (On Linux both databases are the same;
// test:wine runs this where they differ.)
func TestFlagsDigestIsTheSameOnEveryOS(t *testing.T) {
	link := []string{"-mcpu=cortex-m33", "-T" + "/home/a/mpforge/boards/b/link.ld"}
	slash, err := release.FlagsDigest(writeCommands(t, "/home/a/mpforge", "/home/a/micropython"), "/home/a/mpforge", "/home/a/micropython", link)
	if err != nil {
		t.Fatal(err)
	}
	root, tree := filepath.FromSlash("/home/a/mpforge"), filepath.FromSlash("/home/a/micropython")
	nativeLink := []string{link[0], "-T" + filepath.Join(root, "boards", "b", "link.ld")}
	native, err := release.FlagsDigest(writeNativeCommands(t, root, tree), root, tree, nativeLink)
	if err != nil {
		t.Fatal(err)
	}
	if native != slash {
		t.Errorf("the same build written with %s's paths has another flags digest: %s, want %s", runtime.GOOS, native, slash)
	}
}

func TestFlagsDigest(t *testing.T) {
	link := []string{"-mcpu=cortex-m33", "--specs=nano.specs"}
	digest := func(root, tree string, link []string, extra ...string) string {
		d, err := release.FlagsDigest(writeCommands(t, root, tree, extra...), root, tree, link)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	here := digest("/home/a/mpforge", "/home/a/micropython", link)
	if len(here) != 64 {
		t.Fatalf("digest %q is not a SHA-256", here)
	}
	if moved := digest("/srv/ci/mpforge", "/opt/micropython", link); moved != here {
		t.Error("moving the checkout and the tree changed the digest")
	}
	if flag := digest("/home/a/mpforge", "/home/a/micropython", link, "-DNDEBUG"); flag == here {
		t.Error("a new compile flag left the digest unchanged")
	}
	if l := digest("/home/a/mpforge", "/home/a/micropython", link[:1]); l == here {
		t.Error("a changed link flag left the digest unchanged")
	}
	if _, err := release.FlagsDigest(filepath.Join(t.TempDir(), "none.json"), "/r", "/t", nil); err == nil {
		t.Error("no error for a missing compile_commands.json")
	}
}

func TestGitRevision(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-c", "user.name=mpforge", "-c", "user.email=mpforge@example.com", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(bytes.TrimSpace(out))
	}
	if got := release.GitRevision(ctx, dir); got != release.Unknown {
		t.Errorf("outside git: %q", got)
	}
	git("init", "-q")
	if got := release.GitRevision(ctx, dir); got != release.Unknown {
		t.Errorf("repository without commits: %q", got)
	}
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a"), 0o644)
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "b.txt"), []byte("b"), 0o644)
	os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("dist/\n"), 0o644)
	git("add", ".")
	git("commit", "-q", "-m", "one")
	head := git("rev-parse", "HEAD")
	if got := release.GitRevision(ctx, dir); got != head {
		t.Errorf("clean checkout: %q, want %q", got, head)
	}
	os.MkdirAll(filepath.Join(dir, "dist"), 0o755)
	os.WriteFile(filepath.Join(dir, "dist", "x"), []byte("ignored"), 0o644)
	if got := release.GitRevision(ctx, dir); got != head {
		t.Errorf("with an ignored file: %q, want %q", got, head)
	}
	if got := release.GitRevision(ctx, filepath.Join(dir, "sub")); got != release.Unknown {
		t.Errorf("a folder inside a repository: %q", got)
	}
	os.WriteFile(filepath.Join(dir, "new.c"), []byte("int x;"), 0o644)
	if got := release.GitRevision(ctx, dir); got != head+"-dirty" {
		t.Errorf("with an untracked file: %q", got)
	}
	os.Remove(filepath.Join(dir, "new.c"))
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("changed"), 0o644)
	if got := release.GitRevision(ctx, dir); got != head+"-dirty" {
		t.Errorf("with a changed file: %q", got)
	}
}
