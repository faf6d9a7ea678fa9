package boards

import (
	"strings"
	"testing"
)

const fsTable = `[filesystem]
driver = "ram"
origin = 0x20040000
size = "64K"
block_size = "1K"
`

func TestFilesystemTable(t *testing.T) {
	dir := validTree(t, map[string]string{"b1/board.toml": board + fsTable})
	b, err := Load(dir, "b1")
	if err != nil {
		t.Fatal(err)
	}
	want := Filesystem{Driver: "ram", Origin: 0x20040000, Size: 64 << 10, BlockSize: 1 << 10}
	if b.Filesystem != want {
		t.Errorf("filesystem = %+v, want %+v", b.Filesystem, want)
	}
	if v := b.MicroPython.Settings["MICROPY_VFS_LFS2"]; v != int64(1) {
		t.Errorf("MICROPY_VFS_LFS2 = %v, want 1 (implied by the table)", v)
	}

	// Without the table: no filesystem, no littlefs.
	dir = validTree(t, nil)
	if b, err = Load(dir, "b1"); err != nil {
		t.Fatal(err)
	}
	if b.Filesystem != (Filesystem{}) || b.MicroPython.Settings["MICROPY_VFS_LFS2"] != nil {
		t.Errorf("board without [filesystem]: %+v, MICROPY_VFS_LFS2 = %v", b.Filesystem, b.MicroPython.Settings["MICROPY_VFS_LFS2"])
	}

	// block_size defaults to 4K.
	dir = validTree(t, map[string]string{"b1/board.toml": board + strings.Replace(fsTable, "block_size = \"1K\"\n", "", 1)})
	if b, err = Load(dir, "b1"); err != nil {
		t.Fatal(err)
	}
	if b.Filesystem.BlockSize != 4096 {
		t.Errorf("default block size = %v, want 4K", b.Filesystem.BlockSize)
	}
}

func TestFilesystemTableErrors(t *testing.T) {
	cases := []struct{ name, table, want string }{
		{"typo", strings.Replace(fsTable, "size =", "sise =", 1),
			`field "filesystem.sise": unknown field (did you mean "filesystem.size"?)`},
		{"driver", strings.Replace(fsTable, `"ram"`, `"nand"`, 1),
			`field "filesystem.driver": want one of ram, board, got "nand"`},
		{"no size", strings.Replace(fsTable, "size = \"64K\"\n", "", 1),
			`field "filesystem.size": required`},
		{"block size", strings.Replace(fsTable, `"1K"`, `"1000"`, 1),
			`field "filesystem.block_size": want a power of two`},
		{"not a multiple", strings.Replace(fsTable, `"64K"`, `"65000"`, 1),
			`field "filesystem.size": want a multiple of block_size (1K)`},
		{"too few blocks", strings.Replace(fsTable, `"64K"`, `"4K"`, 1),
			`of at least 8 blocks`},
		{"no origin", strings.Replace(fsTable, "origin = 0x20040000\n", "", 1),
			`field "filesystem.origin": required`},
		{"overlaps RAM", strings.Replace(fsTable, "0x20040000", "0x20030000", 1),
			`field "filesystem.origin": the partition 0x20030000-0x20040000 overlaps memory region RAM`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := validTree(t, map[string]string{"b1/board.toml": board + c.table})
			_, err := Load(dir, "b1")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error:\n  %v\nwant it to contain:\n  %s", err, c.want)
			}
		})
	}
}
