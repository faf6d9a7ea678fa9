package boards

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const family = `
[cpu]
core = "cortex-m33"
flags = ["-mcpu=cortex-m33"]
[build]
cflags = ["-Os"]
[sources]
tree = ["py/*.c"]
[micropython]
rom_level = "EXTRA_FEATURES"
[micropython.settings]
MICROPY_ENABLE_GC = 1
`

const board = `inherit = ["../families/m33.toml"]
description = "test board"
clock_hz = 24000000
[memory.FLASH]
origin = 0x08002000
length = "1016K"
attributes = "rx"
[memory.RAM]
origin = 0x20000000
length = 262144
attributes = "rwx"
[link]
script = "linker.ld"
stack_size = "8K"
heap_size = "64K"
[console]
base = 0x50118000
irq = 23
clock_hz = 24000000
baud = 115200
[sources]
board = ["*.c"]
[micropython.settings]
MICROPY_PY_MATH = true
`

// writeTree lays out a boards folder: files maps relative paths to contents.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		path := filepath.Join(root, "boards", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(root, "boards")
}

func validTree(t testing.TB, extra map[string]string) string {
	files := map[string]string{
		"families/m33.toml": family,
		"b1/board.toml":     board,
		"b1/linker.ld":      "INCLUDE memory.ld\n",
		"b1/startup.c":      "",
	}
	for k, v := range extra {
		files[k] = v
	}
	return writeTree(t, files)
}

func TestLoadResolvesInheritanceAndPaths(t *testing.T) {
	dir := validTree(t, map[string]string{
		"b1-small/board.toml": "inherit = [\"../b1/board.toml\"]\n[micropython]\nrom_level = \"MINIMUM\"\n[link]\nheap_size = \"16K\"\n",
	})
	b, err := Load(dir, "b1-small")
	if err != nil {
		t.Fatal(err)
	}
	if b.MicroPython.ROMLevel != "MINIMUM" || b.Link.HeapSize != 16*1024 || b.Link.StackSize != 8*1024 {
		t.Errorf("child values not laid over parents: %+v", b.Link)
	}
	if got := b.MicroPython.Settings; got["MICROPY_ENABLE_GC"] != int64(1) || got["MICROPY_PY_MATH"] != true {
		t.Errorf("settings tables did not merge: %v", got)
	}
	if want := filepath.Join(dir, "b1", "linker.ld"); b.Link.Script != want {
		t.Errorf("linker script %q, want %q (relative to the file that names it)", b.Link.Script, want)
	}
	if want := filepath.Join(dir, "b1", "*.c"); len(b.Sources.Board) != 1 || b.Sources.Board[0] != want {
		t.Errorf("board sources %v, want [%s]", b.Sources.Board, want)
	}
	if len(b.Files) != 3 || !strings.HasSuffix(b.Files[2], filepath.Join("b1-small", "board.toml")) {
		t.Errorf("files read: %v", b.Files)
	}
	if len(b.Memory) != 2 || b.Memory[0].Name != "FLASH" || b.Memory[0].Length != 1016*1024 || b.Memory[1].Length != 256*1024 {
		t.Errorf("memory: %+v", b.Memory)
	}
}

func TestUnknownBoardListsKnownOnes(t *testing.T) {
	dir := validTree(t, nil)
	_, err := Load(dir, "b2")
	var ub *UnknownBoardError
	if !errors.As(err, &ub) {
		t.Fatalf("want UnknownBoardError, got %v", err)
	}
	if !strings.Contains(err.Error(), "known boards: b1") || !strings.Contains(err.Error(), `did you mean "b1"`) {
		t.Errorf("message: %v", err)
	}
}

func TestBadFieldsNameFileLineAndField(t *testing.T) {
	cases := []struct {
		name, edit, want string
	}{
		{"typo", strings.Replace(board, "baud = 115200", "buad = 115200", 1),
			`boards/b1/board.toml:20: field "console.buad": unknown field (did you mean "console.baud"?)`},
		{"wrong type", strings.Replace(board, "irq = 23", `irq = "23"`, 1),
			`boards/b1/board.toml:18: field "console.irq": cannot decode TOML string`},
		{"bad size", strings.Replace(board, `"64K"`, `"64Q"`, 1),
			`boards/b1/board.toml:15: field "link.heap_size"`},
		{"bad rom level", board + "[micropython]\nrom_level = \"EXTRA\"\n",
			`boards/b1/board.toml:26: field "micropython.rom_level": want one of MINIMUM`},
		{"missing heap", strings.Replace(board, "heap_size = \"64K\"\n", "", 1),
			`boards/b1/board.toml: field "link.heap_size": required`},
		{"overlap", strings.Replace(board, "origin = 0x20000000", "origin = 0x08003000", 1),
			`field "memory.RAM.origin": region RAM overlaps region FLASH`},
		{"missing script", strings.Replace(board, `"linker.ld"`, `"nope.ld"`, 1),
			`boards/b1/board.toml:13: field "link.script": boards/b1/nope.ld does not exist`},
		{"bad setting", board + "MICROPY_py_x = 1\n",
			`field "micropython.settings.MICROPY_py_x"`},
		{"board source typo", strings.Replace(board, `board = ["*.c"]`, `board = ["startp.c"]`, 1),
			`boards/b1/board.toml:22: field "sources.board": boards/b1/startp.c matches no file`},
		{"missing parent", strings.Replace(board, "m33.toml", "m3.toml", 1),
			`boards/b1/board.toml:1: field "inherit[0]": boards/families/m3.toml does not exist`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := validTree(t, map[string]string{"b1/board.toml": c.edit})
			_, err := Load(dir, "b1")
			if want := nativePaths(c.want); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error:\n  %v\nwant it to contain:\n  %s", err, want)
			}
		})
	}
}

// nativePaths writes the repository paths in want (the words that start
// "boards/") with the OS's separator, as the loader prints them.
func nativePaths(want string) string {
	words := strings.Split(want, " ")
	for i, w := range words {
		if strings.HasPrefix(w, "boards/") {
			words[i] = filepath.FromSlash(w)
		}
	}
	return strings.Join(words, " ")
}

func TestInheritLoopIsAnError(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a/board.toml": "inherit = [\"../b/board.toml\"]\n",
		"b/board.toml": "inherit = [\"../a/board.toml\"]\n",
	})
	if _, err := Load(dir, "a"); err == nil || !strings.Contains(err.Error(), "inherit loop") {
		t.Errorf("want an inherit loop error, got %v", err)
	}
}

func TestSizeText(t *testing.T) {
	for in, want := range map[string]Size{"64K": 65536, "1M": 1 << 20, "0x100": 256, "1016K": 1040384} {
		var s Size
		if err := s.UnmarshalText([]byte(in)); err != nil || s != want {
			t.Errorf("%q -> %d, %v; want %d", in, s, err, want)
		}
		if back := new(Size); back.UnmarshalText([]byte(want.String())) != nil || *back != want {
			t.Errorf("%d does not round-trip through %q", want, want.String())
		}
	}
}
