package fstest

import (
	"bytes"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"mpforge/internal/testenv"
	"mpforge/internal/testfw"
	"mpforge/suite"
)

type ramCode struct {
	elf         string
	addr, size  uint64
	fileOff     uint64
	entry       uint64 // fs_flash_op's address
	fsOrigin    uint64
	fsBlockSize uint64
}

func firmware(t *testing.T) ramCode {
	t.Helper()
	res, b := testfw.Firmware(t, "fr30xx")
	if b.Filesystem.Size == 0 {
		t.Fatal("fr30xx has no [filesystem]")
	}
	f, err := elf.Open(res.ELF)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := f.Section(".ram_code")
	if s == nil {
		t.Fatal("firmware.elf has no .ram_code section")
	}
	rc := ramCode{elf: res.ELF, addr: s.Addr, size: s.Size, fileOff: s.Offset, fsOrigin: b.Filesystem.Origin, fsBlockSize: uint64(b.Filesystem.BlockSize)}
	pram, ok := b.Region("PRAM")
	if !ok || s.Addr < pram.Origin || s.Addr+s.Size > pram.End() {
		t.Fatalf(".ram_code at 0x%x+0x%x is not in PRAM (%+v)", s.Addr, s.Size, pram)
	}
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, sym := range syms {
		if sym.Name == "fs_flash_op" {
			rc.entry = sym.Value &^ 1
		}
	}
	if rc.entry < s.Addr || rc.entry >= s.Addr+s.Size {
		t.Fatalf("fs_flash_op at 0x%x is not in .ram_code", rc.entry)
	}
	return rc
}

var branch = regexp.MustCompile(`^\s*([0-9a-f]+):\s.*\s(b|bl|blx|b\.[nw]|b[a-z]{2}(\.[nw])?|cb n?z)\s+(?:r\d+,\s*)?([0-9a-f]+)\s+<`)

// Every branch and call of the write path stays in PRAM: code in flash cannot
// run while the flash erases or programs.
func TestWritePathRunsFromPRAMOnly(t *testing.T) {
	rc := firmware(t)
	out, err := exec.Command("arm-none-eabi-objdump", "-d", "-j", ".ram_code", rc.elf).CombinedOutput()
	if err != nil {
		t.Fatalf("objdump: %v\n%s", err, out)
	}
	n := 0
	for _, line := range bytes.Split(out, []byte("\n")) {
		m := branch.FindSubmatch(line)
		if m == nil {
			continue
		}
		n++
		target, _ := strconv.ParseUint(string(m[4]), 16, 64)
		if target < rc.addr || target >= rc.addr+rc.size {
			t.Errorf("branch out of PRAM: %s", line)
		}
	}
	if n < 20 {
		t.Fatalf("found only %d branches in .ram_code; is the objdump pattern still right?\n%s", n, out)
	}
}

type call struct {
	Name string `json:"name"`
	Args []any  `json:"args"`
	Data *struct {
		Hex string `json:"hex"`
	} `json:"data,omitempty"`
}

// The driver's write path, run from firmware.elf on the emulated flash:
// erase a block, program across a page boundary, with the flash protected
// and its cache on and holding the old bytes.
func TestEraseAndProgramOnEmulatedFlash(t *testing.T) {
	rc := firmware(t)
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	python := suite.DefaultPython
	if out, err := exec.Command(python, "-c", "import unicorn").CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import unicorn (Debian: apt install python3-unicorn): %v\n%s", python, err, out)
	}
	const (
		trap, buffer, stack = 0x20000000, 0x20001000, 0x20010000
		opOK                = 0
	)
	part := rc.fsOrigin - 0x08000000 // offset in the flash
	payload := make([]byte, 300)
	for i := range payload {
		payload[i] = byte(i*7 + 1)
	}
	at := part + rc.fsBlockSize + 0x10 // 0x10 into the second block: 240 + 60 bytes over two pages
	old := bytes.Repeat([]byte{0x5A}, int(rc.fsBlockSize))
	req := map[string]any{
		"image": map[string]any{"file": rc.elf, "offset": rc.fileOff, "size": rc.size},
		"load":  rc.addr,
		"entries": map[string]any{
			"fs_flash_op": rc.entry - rc.addr,
		},
		"stack_top": stack, "trap": trap, "buffer": buffer,
		"flash": map[string]any{
			// P25Q32 (status 2 written apart), BP bits set as the parts ship.
			"jedec_id": 0x00166085, "sr1": 0x1C, "clocks_on": true, "cache_on": true,
			"content":       []any{map[string]any{"offset": part + rc.fsBlockSize, "hex": hex.EncodeToString(old)}},
			"prefill_cache": [][]uint64{{rc.fsOrigin + rc.fsBlockSize, 0x200}},
		},
		"calls": []any{
			// erase the second block
			call{Name: "fs_flash_op", Args: []any{part + rc.fsBlockSize, 0, 0, rc.fsBlockSize}},
			// program 300 bytes at 0x10 into it
			call{Name: "fs_flash_op", Args: []any{at, buffer, len(payload), 0}, Data: &struct {
				Hex string `json:"hex"`
			}{hex.EncodeToString(payload)}},
		},
		"ranges": [][]uint64{{rc.fsOrigin + rc.fsBlockSize, 0x200}},
		"window": [][]uint64{{rc.fsOrigin + rc.fsBlockSize, 0x200}},
	}
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, filepath.Join(root, "emu", "algo_runner.py"))
	cmd.Stdin = bytes.NewReader(body)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("algo_runner: %v", err)
	}
	var res struct {
		Calls []struct {
			Name  string `json:"name"`
			R0    uint32 `json:"r0"`
			Hung  bool   `json:"hung"`
			Fault string `json:"fault"`
		} `json:"calls"`
		Ranges []struct{ Hex string } `json:"ranges"`
		Window []struct{ Hex string } `json:"window"`
		Status struct {
			SR1 int `json:"sr1"`
		} `json:"status"`
		CacheOn bool             `json:"cache_on"`
		Trace   []map[string]any `json:"trace"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(res.Calls) != 2 {
		t.Fatalf("calls: %+v", res.Calls)
	}
	for _, c := range res.Calls {
		if c.Fault != "" || c.Hung || c.R0 != opOK {
			t.Fatalf("call %+v (a fault: the write path left PRAM or touched what it must not)", c)
		}
	}
	want := bytes.Repeat([]byte{0xFF}, 0x200)
	copy(want[0x10:], payload)
	for what, got := range map[string]string{"flash": res.Ranges[0].Hex, "CPU view through the cache": res.Window[0].Hex} {
		b, _ := hex.DecodeString(got)
		if !bytes.Equal(b, want) {
			t.Errorf("%s after erase + program:\n got %x\nwant %x", what, b, want)
		}
	}
	if res.Status.SR1&0x7C != 0x1C {
		t.Errorf("status 1 = %#x: the protection bits were not restored", res.Status.SR1)
	}
	if !res.CacheOn {
		t.Error("the flash cache is off after the write")
	}
	// The page programs never cross a page: two of them, 240 and 60 bytes.
	var progs []string
	for _, e := range res.Trace {
		if op, _ := e["op"].(float64); op == 0x02 {
			progs = append(progs, strconv.Itoa(int(e["len"].(float64))))
		}
	}
	if len(progs) != 2 || progs[0] != "240" || progs[1] != "60" {
		t.Errorf("page programs of %v bytes, want [240 60]", progs)
	}
}
