package compdb

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSplitLikeAShell(t *testing.T) {
	for cmd, want := range map[string][]string{
		`gcc -c a.c`:                          {"gcc", "-c", "a.c"},
		`gcc  -DX="a b" -I'my dir' x\ y.c`:    {"gcc", "-DX=a b", "-Imy dir", "x y.c"},
		`gcc "-DS=\"q\"" -o out.o`:            {"gcc", `-DS="q"`, "-o", "out.o"},
		"gcc\t-Os\n-g":                        {"gcc", "-Os", "-g"},
		`cc -DEMPTY="" f.c`:                   {"cc", "-DEMPTY=", "f.c"},
		`arm-none-eabi-gcc -mcpu=cortex-m33 `: {"arm-none-eabi-gcc", "-mcpu=cortex-m33"},
	} {
		got, err := split(cmd)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("split(%q) = %q, %v; want %q", cmd, got, err, want)
		}
	}
	if _, err := split(`gcc "-DX=1`); err == nil {
		t.Error("an unterminated quote was accepted")
	}
}

func TestDatabaseKeepsPreprocessorFlags(t *testing.T) {
	dir := t.TempDir()
	// JSON strings: a Windows folder's backslashes are escaped.
	jdir, err := json.Marshal(dir)
	if err != nil {
		t.Fatal(err)
	}
	jbuild, err := json.Marshal(filepath.Join(dir, "build"))
	if err != nil {
		t.Fatal(err)
	}
	db := `[
 {"directory": ` + string(jbuild) + `, "file": "../src/a.c",
  "arguments": ["arm-none-eabi-gcc", "-Iinc", "-I", "../inc2", "-isystem", "/opt/sys", "-DX=1", "-mcpu=cortex-m33",
                "-MD", "-MF", "a.d", "-o", "a.o", "-c", "../src/a.c"]},
 {"directory": ` + string(jdir) + `, "file": "src/b.c", "command": "gcc -O2 -include cfg.h -Ofast -osomething src/b.c"},
 {"directory": ` + string(jdir) + `, "file": "start.S", "command": "gcc -c start.S"}
]`
	path := filepath.Join(dir, DatabaseName)
	if err := os.WriteFile(path, []byte(db), 0o644); err != nil {
		t.Fatal(err)
	}
	srcs, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 {
		t.Fatalf("got %d sources, want the two C files: %+v", len(srcs), srcs)
	}
	if srcs[0].File != filepath.Join(dir, "src", "a.c") || srcs[1].File != filepath.Join(dir, "src", "b.c") {
		t.Errorf("files %s, %s", srcs[0].File, srcs[1].File)
	}
	want := []string{"-I" + filepath.Join(dir, "build", "inc"), "-I", filepath.Join(dir, "inc2"), "-isystem", filepath.VolumeName(dir) + filepath.FromSlash("/opt/sys"), "-DX=1", "-mcpu=cortex-m33"}
	if !slices.Equal(srcs[0].Flags, want) {
		t.Errorf("flags %q; want %q", srcs[0].Flags, want)
	}
	if want := []string{"-O2", "-include", filepath.Join(dir, "cfg.h"), "-Ofast"}; !slices.Equal(srcs[1].Flags, want) {
		t.Errorf("flags %q; want %q", srcs[1].Flags, want)
	}
}

func TestSourcesFile(t *testing.T) {
	dir := t.TempDir()
	list := "# a comment\n-mcpu=cortex-m33 -Os\n-Iport -I micropython\nmicropython/py/obj.c\n\nmine.c\n-DLATE=1\n"
	path := filepath.Join(dir, SourcesName)
	if err := os.WriteFile(path, []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	srcs, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"-mcpu=cortex-m33", "-Os", "-I" + filepath.Join(dir, "port"), "-I", filepath.Join(dir, "micropython"), "-DLATE=1"}
	if len(srcs) != 2 || srcs[1].File != filepath.Join(dir, "mine.c") || !slices.Equal(srcs[0].Flags, want) || !slices.Equal(srcs[1].Flags, want) {
		t.Errorf("got %+v; want two sources with flags %q", srcs, want)
	}
	if err := os.WriteFile(path, []byte("-Os\nREADME\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a stray line gave %v; want an error naming line 2", err)
	}
	if _, err := Find(t.TempDir()); err == nil || !strings.Contains(err.Error(), "MPFORGE_SOURCES") {
		t.Errorf("Find in an empty folder: %v", err)
	}
}
