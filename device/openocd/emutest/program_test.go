package emutest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/log"

	"mpforge/boards"
	"mpforge/device/flashalgo"
	"mpforge/device/openocd"
	"mpforge/device/openocd/emutest"
	"mpforge/internal/testfw"
)

const (
	sector = 0x1000
	page   = 0x100
	// What the test programs: the boot-information sector and the first
	// 56K of the app. The whole burn image (~220 KB, 55 sectors) takes about
	// a minute on a loaded 2-core machine through bit-banged JTAG (OpenOCD
	// makes one round trip per JTAG scan, some 6000 per sector);
	// BenchmarkProgramBurnImage measures it.
	testSectors = 16
)

var (
	buildOnce sync.Once
	built     struct {
		image  []byte
		loader *flashalgo.Algorithm
		board  *boards.Board
		err    error
	}
)

// fr30xx builds the board with mpforge (firmware_burn.bin) and returns the
// burn image, our loader and the board.
func fr30xx(t testing.TB) ([]byte, *flashalgo.Algorithm, *boards.Board) {
	t.Helper()
	res, b := testfw.Firmware(t, "fr30xx")
	buildOnce.Do(func() {
		built.board = b
		if built.image, built.err = os.ReadFile(res.FlashImage); built.err != nil {
			return
		}
		if res.Loader == "" {
			built.err = errors.New("boards/fr30xx/board.toml names no [flash] loader: out/fr30xx/flasher.elf is not built")
			return
		}
		built.loader, built.err = flashalgo.Load(res.Loader)
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.image, built.loader, built.board
}

// job is a programming run of image through the algorithm in the board's
// [flash] work area.
func job(b *boards.Board, a *flashalgo.Algorithm, image []byte, progress *[]openocd.Progress) openocd.Job {
	work := openocd.WorkArea{Addr: uint32(b.Flash.WorkArea), Size: uint32(b.Flash.WorkSize)}
	j := openocd.Job{Algorithm: a, Work: work, Image: image, Base: uint32(b.Flash.Base), ClockHz: uint32(b.ClockHz)}
	if progress != nil {
		j.Progress = func(p openocd.Progress) { *progress = append(*progress, p) }
	}
	return j
}

func program(t testing.TB, tg *emutest.Target, j openocd.Job) (*openocd.Summary, error) {
	t.Helper()
	o := tg.Options(t, "fr30xx")
	if os.Getenv("MPFORGE_EMU_DEBUG") != "" {
		o.Logger = log.NewWithOptions(os.Stderr, log.Options{Level: log.DebugLevel})
		o.Timeout = time.Minute
	}
	start := time.Now()
	s, err := openocd.ProgramAlgorithm(context.Background(), o, j)
	t.Logf("%d bytes through real OpenOCD + emulated probe: %v in %.1f s", len(j.Image), s, time.Since(start).Seconds())
	return s, err
}

// flashOps are the erase and program commands the flash model saw, in order.
func flashOps(r *emutest.Report) (erases, programs []int) {
	for _, e := range r.Trace {
		op, _ := e["op"].(float64)
		addr, _ := e["addr"].(float64)
		if e["ignored"] != nil {
			continue
		}
		switch int(op) {
		case 0x20:
			erases = append(erases, int(addr))
		case 0x02:
			programs = append(programs, int(addr))
		}
	}
	return erases, programs
}

// checkWriteEnable: every erase, program and status write was accepted with
// the write-enable latch set (or, for a status write, the volatile enable)
// and none was sent while the part was busy or crossed a page.
func checkWriteEnable(t *testing.T, r *emutest.Report) {
	t.Helper()
	for i, e := range r.Trace {
		op, _ := e["op"].(float64)
		switch int(op) {
		case 0x20, 0x52, 0xD8, 0x60, 0xC7, 0x02, 0x01, 0x31:
		default:
			continue
		}
		if e["ignored"] != nil {
			t.Errorf("trace[%d]: flash ignored command %#x: %v", i, int(op), e["ignored"])
		}
		if e["wel"] != true && e["vwel"] != true {
			t.Errorf("trace[%d]: command %#x without write enable", i, int(op))
		}
		if e["crosses_page"] == true {
			t.Errorf("trace[%d]: page program crosses a page: %v", i, e)
		}
	}
}

// The burn image's first testSectors sectors programmed by OpenOCD 0.12
// running the generated Tcl, our loader running on the emulated core, the
// QSPI model behind it; then again with one byte changed: one sector
// programmed, the rest skipped.
func TestProgramThroughOpenOCD(t *testing.T) {
	full, algo, b := fr30xx(t)
	if len(full) < testSectors*sector {
		t.Fatalf("the burn image has %d bytes, fewer than the %d sectors this test programs", len(full), testSectors)
	}
	image := full[:testSectors*sector]
	pages := testSectors * sector / page

	tg := emutest.Start(t, emutest.Config{Dump: len(image)})
	var progress []openocd.Progress
	s, err := program(t, tg, job(b, algo, image, &progress))
	if err != nil {
		t.Fatal(err)
	}
	r := tg.Stop(t)
	t.Logf("emulator: %d round trips, %d characters; %.1f s decoding JTAG, %.1f s running the core",
		r.Stats.Chunks, r.Stats.BytesIn, r.Stats.FeedS, r.Stats.RunS)
	if !bytes.Equal(r.Flash, image) {
		t.Fatalf("flash does not hold the image after programming (first difference at %#x)", firstDiff(r.Flash, image))
	}
	if s.Programmed != testSectors || s.Skipped != 0 || s.Verified == "" {
		t.Errorf("summary %v: want %d sectors programmed, verified", s, testSectors)
	}
	checkWriteEnable(t, r)
	erases, programs := flashOps(r)
	if len(erases) != testSectors || len(programs) != pages {
		t.Errorf("%d erases and %d page programs, want %d and %d", len(erases), len(programs), testSectors, pages)
	}
	// A progress report after each sector, counting up, and "done" at the end.
	var done []int
	for _, p := range progress {
		if p.Stage == "sectors" && p.Done > 0 {
			done = append(done, p.Done)
		}
	}
	if len(done) != testSectors || done[len(done)-1] != testSectors || progress[len(progress)-1].Stage != "done" {
		t.Errorf("progress: sectors done %v, want 1..%d; last stage %q", done, testSectors, progress[len(progress)-1].Stage)
	}
	if !strings.Contains(strings.Join(r.Events, "\n"), "reset: SYSRESETREQ") {
		t.Errorf("the run did not reset the core through SYSRESETREQ: %q", r.Events)
	}

	// One byte changed in the third sector: that sector alone is erased and programmed.
	changed := bytes.Clone(image)
	changed[2*sector+0x123] ^= 0x5A
	tg2 := emutest.Start(t, emutest.Config{Flash: r.Flash, Dump: len(image)})
	s2, err := program(t, tg2, job(b, algo, changed, nil))
	if err != nil {
		t.Fatal(err)
	}
	r2 := tg2.Stop(t)
	if !bytes.Equal(r2.Flash, changed) {
		t.Fatalf("flash does not hold the changed image (first difference at %#x)", firstDiff(r2.Flash, changed))
	}
	if s2.Programmed != 1 || s2.Skipped != testSectors-1 {
		t.Errorf("re-flash with one byte changed: %v, want 1 sector programmed, %d skipped", s2, testSectors-1)
	}
	erases, programs = flashOps(r2)
	if len(erases) != 1 || erases[0] != 2*sector || len(programs) != sector/page {
		t.Errorf("re-flash erased %#x and programmed %d pages; want the sector at 0x2000 and its 16 pages", erases, len(programs))
	}
	checkWriteEnable(t, r2)
}

// Faults of the flash model come back as classified OpenOCD errors.
func TestProgramFaults(t *testing.T) {
	full, algo, b := fr30xx(t)
	// The app's first sector (0x08002000, after the boot-information sector).
	const at = 2 * sector
	image := full[at : at+sector]
	stuck := 0x100
	for stuck < len(image) && image[stuck] == 0xFF {
		stuck++
	}
	if stuck == len(image) {
		t.Fatal("the app's first sector is all 0xFF past 0x100")
	}
	stuck += at
	for _, tc := range []struct {
		name, arg string
		check     func(*openocd.Error) bool
		want      string
	}{
		// A Macronix MX25L3233F (C2 20 16 on the wire; the model takes the
		// bytes low first), a part the loader has no entry for.
		{"unknown JEDEC ID", "jedec_id=0x1620c2", func(e *openocd.Error) bool {
			return e.Kind == openocd.FlashID && strings.Contains(strings.ToUpper(e.Msg), "0XC22016")
		}, "flash ID unknown, naming 0xC22016"},
		{"busy never clears", "busy_forever=1", func(e *openocd.Error) bool {
			return e.Kind == openocd.FlashTimeout
		}, "the erase/program time-out"},
		// one flash byte the image does not leave erased keeps its 0xFF
		{"a byte that will not program", fmt.Sprintf("stuck=%#x,", stuck), func(e *openocd.Error) bool {
			return e.Kind == openocd.VerifyFailed && strings.Contains(e.Msg, fmt.Sprintf("0x%08x", emutest.FlashBase+stuck))
		}, fmt.Sprintf("a verify mismatch at 0x%08x", emutest.FlashBase+stuck)},
		// the core runs out of its instruction budget inside Init: it never halts
		{"core hangs", "budget=2000", func(e *openocd.Error) bool {
			return e.Kind == openocd.AlgorithmHung && strings.Contains(e.Msg, "Init")
		}, "the algorithm hung in Init"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := emutest.Config{ModelArgs: []string{tc.arg}}
			if n, ok := strings.CutPrefix(tc.arg, "budget="); ok {
				c = emutest.Config{}
				c.Budget, _ = strconv.Atoi(n)
			}
			tg := emutest.Start(t, c)
			j := job(b, algo, image, nil)
			j.Base += at
			_, err := program(t, tg, j)
			var oe *openocd.Error
			if !errors.As(err, &oe) {
				t.Fatalf("got %v (%T), want a classified *openocd.Error", err, err)
			}
			t.Logf("%s: %v", oe.Kind, oe)
			if !tc.check(oe) {
				t.Errorf("got %s %q, want %s", oe.Kind, oe.Msg, tc.want)
			}
			tg.Stop(t)
		})
	}
}

// The vendor's own flash algorithm (a Keil FLM, never in the repository)
// through the same driver: OpenOCD runs it on the emulated core against the
// flash model. It has no Crc32, so sectors are compared with Verify.
func TestProgramVendorFLM(t *testing.T) {
	path := os.Getenv("MPFORGE_TEST_FLM")
	if path == "" {
		t.Skip("set MPFORGE_TEST_FLM=/path/to/FR30xx.FLM (the vendor SDK's components/tools/keil/FR30xx.FLM) to program through the vendor flash algorithm")
	}
	full, _, b := fr30xx(t)
	algo, err := flashalgo.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	image := full[:min(len(full), 4*sector)]
	tg := emutest.Start(t, emutest.Config{Dump: len(image)})
	s, err := program(t, tg, job(b, algo, image, nil))
	if err != nil {
		t.Fatal(err)
	}
	r := tg.Stop(t)
	if !bytes.Equal(r.Flash, image) {
		t.Fatalf("flash does not hold the image after programming (first difference at %#x)", firstDiff(r.Flash, image))
	}
	if s.Programmed != len(image)/sector {
		t.Errorf("summary %v: want every sector programmed", s)
	}
	checkWriteEnable(t, r)
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// The whole burn image through real OpenOCD and the emulated probe.
func BenchmarkProgramBurnImage(b *testing.B) {
	image, algo, bd := fr30xx(b)
	for b.Loop() {
		tg := emutest.Start(b, emutest.Config{})
		if _, err := program(b, tg, job(bd, algo, image, nil)); err != nil {
			b.Fatal(err)
		}
		tg.Stop(b)
	}
	b.ReportMetric(float64(len(image)), "bytes")
}

// A re-flash of the whole burn image with one byte changed: 1 sector
// programmed, the others compared by CRC and skipped.
func BenchmarkReflashOneSector(b *testing.B) {
	image, algo, bd := fr30xx(b)
	changed := bytes.Clone(image)
	changed[len(changed)/2] ^= 1
	for b.Loop() {
		tg := emutest.Start(b, emutest.Config{Flash: image})
		s, err := program(b, tg, job(bd, algo, changed, nil))
		if err != nil {
			b.Fatal(err)
		}
		if s.Programmed != 1 {
			b.Fatalf("programmed %d sectors, want 1", s.Programmed)
		}
		tg.Stop(b)
	}
}
