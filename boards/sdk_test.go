package boards

import (
	"path/filepath"
	"strings"
	"testing"
)

const sdkTable = `
[sdk]
env = "VENDOR_SDK"
board = ["sdk/*.c"]
startup = "device/gcc/startup.S"
sources = ["device/system.c", "drivers/uart.c"]
includes = ["device", "drivers/inc"]
cflags = ["-w"]
ldscript = "gcc/layout.ld"
`

func TestSDKTableLoadsAndInherits(t *testing.T) {
	dir := validTree(t, map[string]string{
		"b1/board.toml":       board + sdkTable,
		"b1/sdk/vendor.c":     "",
		"b1-small/board.toml": "inherit = [\"../b1/board.toml\"]\n[micropython]\nrom_level = \"MINIMUM\"\n",
	})
	for _, name := range []string{"b1", "b1-small"} {
		b, err := Load(dir, name)
		if err != nil {
			t.Fatal(err)
		}
		s := b.SDK
		if !s.Configured() || s.Env != "VENDOR_SDK" || s.LDScript != "gcc/layout.ld" || len(s.Includes) != 2 {
			t.Errorf("%s: [sdk] %+v", name, s)
		}
		// board globs are relative to the file that names them, the rest to the SDK
		if want := filepath.Join(dir, "b1", "sdk", "*.c"); len(s.Board) != 1 || s.Board[0] != want {
			t.Errorf("%s: sdk.board %v, want [%s]", name, s.Board, want)
		}
		if got := s.Compiled(); len(got) != 3 || got[0] != "device/gcc/startup.S" || got[2] != "drivers/uart.c" {
			t.Errorf("%s: compiled %v, want the startup first, then the sources", name, got)
		}
	}
	b, err := Load(validTree(t, nil), "b1")
	if err != nil || b.SDK.Configured() {
		t.Errorf("a board without [sdk]: %+v %v", b.SDK, err)
	}
}

func TestBadSDKTableNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		name, table string
		want        []string
	}{
		{"no env", "[sdk]\nboard = [\"sdk/*.c\"]\nstartup = \"s.S\"\nldscript = \"l.ld\"\n",
			[]string{`field "sdk.env": required`}},
		{"env not a variable name", strings.Replace(sdkTable, `"VENDOR_SDK"`, `"vendor sdk"`, 1),
			[]string{`field "sdk.env": want an environment variable name`}},
		{"missing pieces", "[sdk]\nenv = \"VENDOR_SDK\"\n",
			[]string{`"sdk.board": required`, `"sdk.startup": required`, `"sdk.ldscript": required`}},
		{"board file that does not exist", strings.Replace(sdkTable, `"sdk/*.c"`, `"sdk/nope.c"`, 1),
			[]string{`"sdk.board": boards/b1/sdk/nope.c matches no file`}},
		{"paths outside the SDK", strings.NewReplacer(`"device/system.c"`, `"../system.c"`, `"gcc/layout.ld"`, `"/gcc/layout.ld"`,
			`"drivers/inc"`, `"/usr/include"`).Replace(sdkTable),
			[]string{`"sdk.sources": "../system.c": want a path inside the SDK`, `"sdk.ldscript": "/gcc/layout.ld": want a path inside the SDK`,
				`"sdk.includes": "/usr/include": want a path inside the SDK`}},
		{"not a source file", strings.Replace(sdkTable, `"device/gcc/startup.S"`, `"device/startup.h"`, 1),
			[]string{`"sdk.startup": "device/startup.h": want a C (.c) or assembler (.s, .S) file`}},
		{"unknown key", sdkTable + "linker = \"x.ld\"\n", []string{`"sdk.linker": unknown field`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := validTree(t, map[string]string{"b1/board.toml": board + tc.table, "b1/sdk/vendor.c": ""})
			_, err := Load(dir, "b1")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if w := nativePaths(w); !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if !strings.Contains(err.Error(), filepath.Join("boards", "b1", "board.toml")+":") {
				t.Errorf("error does not name the board file:\n%v", err)
			}
		})
	}
}
