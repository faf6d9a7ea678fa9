package emutest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"mpforge/device/flashalgo"
	"mpforge/internal/testenv"
	"mpforge/internal/testfw"
	"mpforge/suite"
)

const (
	flashBase  = 0x08000000
	sectorSize = 0x1000
	pageSize   = 0x100
	workArea   = 0x20000000 // the vendor's JLinkDevices.xml work area: 32K of SRAM
	workSize   = 0x8000
	bufSize    = 0x1000
	// HAL driver_flash.c FLASH_ID_PUYA_P25Q32 (status 2 written with 0x31)
	idP25Q32 = 0x00166085
)

// loaderELF is out/fr30xx/flasher.elf, built by mpforge from board.toml's
// [flash] loader tables (once per checkout and test run, shared with other tests).
func loaderELF(t testing.TB) string {
	t.Helper()
	res, _ := testfw.Firmware(t, "fr30xx")
	if res.Loader == "" {
		t.Fatal("boards/fr30xx/board.toml has no [flash] loader: the RAM flash loader (boards/fr30xx/flasher) is not built; " +
			"add loader, loader_script and loader_cflags to its [flash] table")
	}
	return res.Loader
}

func loadAlgo(t testing.TB, path string) *flashalgo.Algorithm {
	t.Helper()
	a, err := flashalgo.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// python is the interpreter with python3-unicorn: $MPFORGE_PYTHON or Debian's.
func python() string {
	if p := os.Getenv("MPFORGE_PYTHON"); p != "" {
		return p
	}
	return suite.DefaultPython
}

// --- the runner's request and result (emu/algo_runner.py documents them) ---

type blob struct {
	Hex    string `json:"hex,omitempty"`
	File   string `json:"file,omitempty"`
	Offset int    `json:"offset,omitempty"`
	Size   int    `json:"size,omitempty"`
}

type call struct {
	Name string   `json:"name"`
	Args []uint32 `json:"args"`
	Data *blob    `json:"data,omitempty"`
}

type content struct {
	Offset uint32 `json:"offset"`
	blob
}

type flashConfig struct {
	JedecID        uint32      `json:"jedec_id,omitempty"`
	SR1            uint8       `json:"sr1"`
	SR2            uint8       `json:"sr2"`
	BusyPolls      *int        `json:"busy_polls,omitempty"`
	EraseBusyPolls *int        `json:"erase_busy_polls,omitempty"`
	BusyForever    bool        `json:"busy_forever,omitempty"`
	Stuck          []uint32    `json:"stuck,omitempty"`
	ProtectStuck   bool        `json:"protect_stuck,omitempty"`
	ClocksOn       *bool       `json:"clocks_on,omitempty"`
	Content        []content   `json:"content,omitempty"`
	PrefillCache   [][2]uint32 `json:"prefill_cache,omitempty"`
}

type request struct {
	Image      blob              `json:"image"`
	Load       uint32            `json:"load"`
	Entries    map[string]uint32 `json:"entries"`
	StaticBase uint32            `json:"static_base"`
	StackTop   uint32            `json:"stack_top"`
	Trap       uint32            `json:"trap"`
	Buffer     uint32            `json:"buffer"`
	Budget     float64           `json:"budget,omitempty"`
	Count      *bool             `json:"count,omitempty"`
	Flash      flashConfig       `json:"flash"`
	Calls      []call            `json:"calls"`
	Ranges     [][2]uint32       `json:"ranges,omitempty"`
	Window     [][2]uint32       `json:"window,omitempty"`
}

type callResult struct {
	Name         string `json:"name"`
	R0           uint32 `json:"r0"`
	Instructions int64  `json:"instructions"`
	Hung         bool   `json:"hung"`
	Fault        string `json:"fault"`
}

type traceEntry struct {
	Op          int     `json:"op"`
	Addr        *uint32 `json:"addr"`
	Len         int     `json:"len"`
	Busy        bool    `json:"busy"`
	WEL         bool    `json:"wel"`
	VWEL        bool    `json:"vwel"`
	Source      string  `json:"source"`
	Ignored     string  `json:"ignored"`
	CrossesPage bool    `json:"crosses_page"`
	Volatile    bool    `json:"volatile"`
	Repeat      int     `json:"repeat"`
}

type span struct {
	Addr uint32 `json:"addr"`
	Hex  string `json:"hex"`
}

type result struct {
	Calls  []callResult `json:"calls"`
	Trace  []traceEntry `json:"trace"`
	CRC32  uint32       `json:"crc32"`
	Ranges []span       `json:"ranges"`
	Window []span       `json:"window"`
	Status struct {
		SR1  uint8 `json:"sr1"`
		SR2  uint8 `json:"sr2"`
		NV1  uint8 `json:"nv_sr1"`
		NV2  uint8 `json:"nv_sr2"`
		WEL  bool  `json:"wel"`
		Busy bool  `json:"busy"`
	} `json:"status"`
	Gated   int  `json:"gated_accesses"`
	CacheOn bool `json:"cache_on"`
}

// bytes of range i of the result
func (r *result) rangeBytes(t testing.TB, i int) []byte {
	t.Helper()
	b, err := hex.DecodeString(r.Ranges[i].Hex)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// emulator runs one algorithm at one place in the work area.
type emulator struct {
	algo   *flashalgo.Algorithm
	layout flashalgo.Layout
	// uncounted runs without counting instructions (a third faster), for long runs
	// whose count nobody reads.
	uncounted bool
	// budget is the instruction limit per call (the runner's default when 0).
	budget float64
}

func newEmulator(t testing.TB, a *flashalgo.Algorithm, area uint32) *emulator {
	t.Helper()
	l, err := a.Layout(area, workSize, bufSize)
	if err != nil {
		t.Fatal(err)
	}
	return &emulator{algo: a, layout: l}
}

// run sends the calls to algo_runner.py with the flash set up as cfg.
func (e *emulator) run(t testing.TB, cfg flashConfig, calls []call, ranges, window [][2]uint32) *result {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	entries := make(map[string]uint32, len(e.algo.Entries))
	for k, v := range e.algo.Entries {
		entries[k] = v
	}
	req := request{
		Image: blob{Hex: hex.EncodeToString(e.algo.Image)}, Load: e.layout.Load, Entries: entries,
		StaticBase: e.layout.StaticBase, StackTop: e.layout.Stack, Trap: e.layout.Trap,
		Buffer: e.layout.Buffer, Flash: cfg, Calls: calls, Ranges: ranges, Window: window,
	}
	if e.uncounted {
		req.Count = boolp(false)
	}
	req.Budget = e.budget
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python(), filepath.Join(root, "emu", "algo_runner.py"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
			t.Fatalf("%s lacks unicorn: %s (or set MPFORGE_PYTHON to a python3 that has it)", python(), msg)
		}
		t.Fatalf("%s emu/algo_runner.py: %v\n%s", python(), err, msg)
	}
	var res result
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("algo_runner.py output: %v", err)
	}
	if len(res.Calls) != len(calls) {
		last := res.Calls[len(res.Calls)-1]
		t.Fatalf("only %d of %d calls ran: %s hung=%v fault=%q", len(res.Calls), len(calls), last.Name, last.Hung, last.Fault)
	}
	return &res
}

// programCalls erases and programs image at flashBase sector by sector, the way
// the host driver does (data from file, one page per ProgramPage), then checks
// it with Verify per sector and Crc32 over all of it.
func programCalls(file string, size int) []call {
	calls := []call{{Name: "Init", Args: []uint32{flashBase, 24000000, 2}}}
	calls = append(calls, sectorCalls(file, 0, size)...)
	calls = append(calls, call{Name: "Crc32", Args: []uint32{flashBase, uint32(size)}})
	return append(calls, call{Name: "UnInit", Args: []uint32{2}})
}

// sectorCalls: EraseSector + ProgramPage per page + Verify for the sectors from
// offset off up to size.
func sectorCalls(file string, off, size int) []call {
	var calls []call
	for s := off; s < size; s += sectorSize {
		calls = append(calls, call{Name: "EraseSector", Args: []uint32{flashBase + uint32(s)}})
		end := min(s+sectorSize, size)
		for p := s; p < end; p += pageSize {
			n := min(pageSize, end-p)
			calls = append(calls, call{Name: "ProgramPage", Args: []uint32{flashBase + uint32(p), uint32(n)},
				Data: &blob{File: file, Offset: p, Size: n}})
		}
		calls = append(calls, call{Name: "Verify", Args: []uint32{flashBase + uint32(s), uint32(end - s)},
			Data: &blob{File: file, Offset: s, Size: end - s}})
	}
	return calls
}

func intp(v int) *int    { return &v }
func boolp(v bool) *bool { return &v }
