package boards

import (
	"path/filepath"
	"strings"
	"testing"
)

const flashTable = "[flash]\nbase = 0x08000000\nloader = [\"*.c\"]\nloader_script = \"linker.ld\"\nwork_area = 0x20000000\nwork_size = \"32K\"\n"

func TestFlashTable(t *testing.T) {
	dir := validTree(t, map[string]string{"b1/board.toml": board + flashTable + "image = \"freqchip-burn\"\n"})
	b, err := Load(dir, "b1")
	if err != nil {
		t.Fatal(err)
	}
	if !b.Flash.Configured() || b.FlashBase() != 0x08000000 || b.Flash.WorkSize != 32*1024 {
		t.Errorf("flash %+v, base %#x", b.Flash, b.FlashBase())
	}
	if want := filepath.Join(dir, "b1", "linker.ld"); b.Flash.LoaderScript != want {
		t.Errorf("loader script %q, want %q (relative to the board file)", b.Flash.LoaderScript, want)
	}

	plain := validTree(t, nil)
	if b, err := Load(plain, "b1"); err != nil || b.Flash.Configured() || b.FlashBase() != 0x08002000 {
		t.Errorf("without [flash]: configured %v, base %#x (want the FLASH origin), %v", b.Flash.Configured(), b.FlashBase(), err)
	}
}

func TestFlashTableErrors(t *testing.T) {
	cases := []struct{ name, table, want string }{
		{"image typo", flashTable + "image = \"burn\"\n",
			`boards/b1/board.toml:31: field "flash.image": want one of bin, freqchip-burn, got "burn"`},
		{"loader typo", strings.Replace(flashTable, `"*.c"`, `"flsher.c"`, 1),
			`boards/b1/board.toml:27: field "flash.loader": boards/b1/flsher.c matches no file`},
		{"no loader script", strings.Replace(flashTable, "loader_script = \"linker.ld\"\n", "", 1),
			`field "flash.loader_script": required with [flash] loader`},
		{"loader and algorithm", flashTable + "algorithm = \"$SDK/x.FLM\"\n",
			`field "flash.algorithm": a board names either its own loader`},
		{"bad variable", "[flash]\nalgorithm = \"$sdk/x.FLM\"\nwork_area = 0x20000000\nwork_size = \"32K\"\n",
			`field "flash.algorithm": want $VARIABLE/path`},
		{"work area outside RAM", strings.Replace(flashTable, "work_area = 0x20000000", "work_area = 0x08002000", 1),
			`field "flash.work_area": 0x8002000..0x800a000 lies in no writable memory region`},
		{"no work size", strings.Replace(flashTable, "work_size = \"32K\"\n", "", 1),
			`field "flash.work_size": required with a flash algorithm`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(validTree(t, map[string]string{"b1/board.toml": board + c.table}), "b1")
			if want := nativePaths(c.want); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error:\n  %v\nwant it to contain:\n  %s", err, want)
			}
		})
	}
}

func TestResolveAlgorithm(t *testing.T) {
	// The variable holds a native path (C:\sdk\components on Windows); the
	// board file's tail is always written with '/'.
	env := map[string]string{"FR30XX_SDK": filepath.FromSlash("/sdk/components/")}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	want := filepath.FromSlash("/sdk/components/tools/keil/FR30xx.FLM")
	if p, err := (Flash{Algorithm: "$FR30XX_SDK/tools/keil/FR30xx.FLM"}).ResolveAlgorithm(lookup); err != nil || p != want {
		t.Errorf("got %q, %v; want %q", p, err, want)
	}
	if p, err := (Flash{Algorithm: "/abs/x.FLM"}).ResolveAlgorithm(lookup); err != nil || p != "/abs/x.FLM" {
		t.Errorf("a plain path: got %q, %v", p, err)
	}
	_, err := (Flash{Algorithm: "$OTHER_SDK/x.FLM"}).ResolveAlgorithm(lookup)
	if err == nil || !strings.Contains(err.Error(), "needs OTHER_SDK: set it") {
		t.Errorf("an unset variable: %v", err)
	}
}
