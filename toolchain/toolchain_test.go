package toolchain

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestParseDepfile(t *testing.T) {
	in := "obj/py/obj.o.tmp: py/obj.c py/obj.h \\\n  /abs/with\\ space.h port/mp\\#x.h \\\n genhdr/q$$.h\npy/obj.h:\n"
	want := []string{"py/obj.c", "py/obj.h", "/abs/with space.h", "port/mp#x.h", "genhdr/q$.h"}
	if got := ParseDepfile([]byte(in)); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestRealCompilerDepfileAndSizes compiles and links a tiny program with the
// real cross compiler and reads back its depfile and section sizes.
func TestRealCompilerDepfileAndSizes(t *testing.T) {
	tc, err := Find(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "h.h"), []byte("#define N 40\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.c"), []byte("#include \"h.h\"\nint data[N] = {1};\nint bss[100];\nvoid _start(void){ for(;;) bss[0] = data[1]; }\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "l.ld"), []byte("MEMORY { FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 4K\n RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 1K }\nENTRY(_start)\nSECTIONS { .text : { *(.text*) } > FLASH\n .data : { *(.data*) } > RAM AT > FLASH\n .bss : { *(.bss*) } > RAM }\n"), 0o644)
	out, err := Run(context.Background(), dir, []string{tc.GCC, "-mthumb", "-mcpu=cortex-m3", "-Os", "-MD", "-MF", "a.d", "-c", "a.c", "-o", "a.o"})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	dep, _ := os.ReadFile(filepath.Join(dir, "a.d"))
	if got := ParseDepfile(dep); !slices.Equal(got, []string{"a.c", "h.h"}) {
		t.Errorf("depfile deps %q", got)
	}
	out, err = Run(context.Background(), dir, []string{tc.GCC, "-mthumb", "-mcpu=cortex-m3", "-nostdlib", "-Tl.ld", "a.o", "-o", "a.elf"})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	uses, sections, err := Sizes(filepath.Join(dir, "a.elf"), []Region{{"FLASH", 0x08000000, 4096}, {"RAM", 0x20000000, 1024}})
	if err != nil {
		t.Fatal(err)
	}
	var text, data, bss uint64
	for _, s := range sections {
		switch s.Name {
		case ".text":
			text = s.Size
		case ".data":
			data = s.Size
			if s.Load < 0x08000000 || s.Load >= 0x08001000 {
				t.Errorf(".data loads at %#x, want inside FLASH", s.Load)
			}
		case ".bss":
			bss = s.Size
		}
	}
	if data != 160 || bss != 400 || text == 0 {
		t.Errorf("sections: text %d data %d bss %d", text, data, bss)
	}
	if uses[0].Used != text+data || uses[1].Used != data+bss {
		t.Errorf("FLASH used %d (want %d), RAM used %d (want %d)", uses[0].Used, text+data, uses[1].Used, data+bss)
	}
	_, err = Run(context.Background(), dir, []string{tc.GCC, "-c", "missing.c"})
	if err == nil || !strings.Contains(err.Error(), "exited with status 1") {
		t.Errorf("failing compile: %v", err)
	}
}

func TestMissingToolchainSaysHowToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Find(context.Background())
	hint := "apt-get install" // Debian's packages
	if runtime.GOOS != "linux" {
		hint = DownloadURL // Arm's installer, e.g. on Windows
	}
	if err == nil || !strings.Contains(err.Error(), hint) || !strings.Contains(err.Error(), "arm-none-eabi-gcc not found") {
		t.Errorf("got %v, want it to say %q", err, hint)
	}
}
