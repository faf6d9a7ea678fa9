package openocd

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mpforge/device/flashalgo"
)

// algoTcl holds the procs that call a flash algorithm from OpenOCD's Tcl.
//
//go:embed algo.tcl
var algoTcl string

// DefaultBufSize is the RAM data buffer ProgramPage writes from: one 4K
// sector of the common serial NOR flashes.
const DefaultBufSize = 4096

// WorkArea is target RAM the flash algorithm may use while it runs; it must
// be free of anything the programmer needs (OpenOCD's -work-area-phys region).
type WorkArea struct {
	Addr, Size uint32
}

// Job is one programming run: an image for the flash at Base, written through
// a flash algorithm that runs in the work area.
type Job struct {
	Algorithm *flashalgo.Algorithm
	Work      WorkArea
	Image     []byte
	Base      uint32 // flash address of Image[0]; a sector start
	ClockHz   uint32 // Init's clk argument (CMSIS: the core clock); 0 if unknown
	BufSize   uint32 // the data buffer; DefaultBufSize when 0
	// Slowdown multiplies every call's time-out, for an emulated target far
	// slower than silicon; 0 means 1.
	Slowdown uint32
	// Progress, when set, is called after each stage and sector (from the
	// goroutine that reads OpenOCD's output).
	Progress func(Progress)
}

// Progress is how far a programming run is.
type Progress struct {
	Stage      string // connect, reset, init, sectors, verify, run, done
	Done       int    // sectors handled: programmed + skipped
	Sectors    int    // sectors of the image
	Programmed int
	Skipped    int
	Bytes      int64         // bytes programmed
	Elapsed    time.Duration // since the run started
	Rate       float64       // bytes programmed per second of sector work
}

var stageText = map[string]string{
	"connect": "connecting to the probe", "reset": "resetting the chip", "init": "starting the flash algorithm",
	"verify": "checking the whole image", "run": "starting the firmware", "done": "done",
}

func (p Progress) String() string {
	if p.Stage != "sectors" {
		return stageText[p.Stage]
	}
	return fmt.Sprintf("sector %d/%d: %d programmed, %d skipped, %s at %s/s",
		p.Done, p.Sectors, p.Programmed, p.Skipped, kib(p.Bytes), kib(int64(p.Rate)))
}

// Summary is what a successful run did.
type Summary struct {
	Sectors, Programmed, Skipped int
	Bytes                        int64 // bytes programmed
	Elapsed                      time.Duration
	Verified                     string // how the whole image was checked: "crc" (Crc32) or "image" (verify_image)
	Record                       Record // what is now in flash, for the next dry run
}

func (s *Summary) String() string {
	return fmt.Sprintf("programmed %d of %d sectors, %s, in %.1f s; verified", s.Programmed, s.Sectors, kib(s.Bytes), s.Elapsed.Seconds())
}

func kib(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n%1024 == 0 || n >= 100*1024 {
		return fmt.Sprintf("%d KiB", (n+512)/1024)
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/1024)
}

// planned is one sector of the image with the chunks it is loaded in.
type planned struct {
	flashalgo.Sector
	Off, Len uint32 // the image bytes in this sector (Len <= Size)
	CRC      uint32
	Chunks   [][2]uint32 // {offset in image, length}, each at most a buffer
}

// prepare checks the job and splits the image (padded with the erased value
// to whole pages) into sectors and buffer-sized chunks.
func (j *Job) prepare() (image []byte, bufSize uint32, sectors []planned, err error) {
	a := j.Algorithm
	if a == nil {
		return nil, 0, nil, errors.New("no flash algorithm given")
	}
	d := &a.Device
	if len(j.Image) == 0 {
		return nil, 0, nil, errors.New("the image to flash is empty")
	}
	first, ok := d.SectorAt(j.Base)
	if !ok || first.Addr != j.Base {
		return nil, 0, nil, fmt.Errorf("image address 0x%08x is not the start of a sector of %s (0x%08x..0x%08x): erasing would destroy what lies before it in that sector",
			j.Base, d.Name, d.Addr, d.End())
	}
	pages := (uint64(len(j.Image)) + uint64(d.Page) - 1) / uint64(d.Page)
	size := pages * uint64(d.Page)
	if uint64(j.Base)+size > d.End() {
		return nil, 0, nil, fmt.Errorf("the image (%d bytes at 0x%08x) runs past the end of %s at 0x%08x", len(j.Image), j.Base, d.Name, d.End())
	}
	image = make([]byte, size)
	copy(image, j.Image)
	for i := len(j.Image); i < len(image); i++ {
		image[i] = d.Empty
	}
	bufSize = j.BufSize
	if bufSize == 0 {
		bufSize = DefaultBufSize
	}
	// ProgramPage takes whole pages from the buffer.
	bufSize = max(bufSize/d.Page, 1) * d.Page
	for off := uint64(0); off < size; {
		s, _ := d.SectorAt(j.Base + uint32(off))
		p := planned{Sector: s, Off: uint32(off), Len: uint32(min(uint64(s.Size), size-off))}
		p.CRC = crc32.ChecksumIEEE(image[p.Off : p.Off+p.Len])
		for c := uint32(0); c < p.Len; c += bufSize {
			p.Chunks = append(p.Chunks, [2]uint32{p.Off + c, min(bufSize, p.Len-c)})
		}
		sectors = append(sectors, p)
		off += uint64(p.Len)
	}
	return image, bufSize, sectors, nil
}

// ProgramAlgorithm programs j.Image into flash at j.Base through the flash
// algorithm, in one OpenOCD run: reset halt, load the algorithm, Init, then
// per sector skip it when the chip already holds its bytes, else erase and
// program it; check the whole image, UnInit, reset run.
func ProgramAlgorithm(ctx context.Context, o Options, j Job) (*Summary, error) {
	image, bufSize, sectors, err := j.prepare()
	if err != nil {
		return nil, fmt.Errorf("flash: %w", err)
	}
	a := j.Algorithm
	l, err := a.Layout(j.Work.Addr, j.Work.Size, bufSize)
	if err != nil {
		return nil, fmt.Errorf("flash: %s: %w", a.Path, err)
	}
	dir, err := os.MkdirTemp("", "mpforge-flash-")
	if err != nil {
		return nil, fmt.Errorf("flash: %w", err)
	}
	defer os.RemoveAll(dir)
	script, err := writeScript(dir, &j, l, image, sectors)
	if err != nil {
		return nil, fmt.Errorf("flash: %w", err)
	}
	cmd, err := tclWord(filepath.ToSlash(script))
	if err != nil {
		return nil, fmt.Errorf("flash: temporary folder: %w", err)
	}
	if o.Timeout <= 0 {
		// wait_halt bounds every call; this only stops an OpenOCD that hangs.
		o.Timeout = (2*time.Minute + time.Duration(len(sectors))*time.Second) * time.Duration(max(j.Slowdown, 1))
	}
	p := newProgressParser(len(sectors), j.Progress)
	text, runErr := run(ctx, o, p.line, "script "+cmd)
	if p.err != nil {
		// OpenOCD's lines, without the script's own report Msg already holds.
		for _, l := range errorLines(text) {
			if !strings.Contains(l, marker) {
				p.err.Output = append(p.err.Output, l)
			}
		}
		return nil, p.err
	}
	if runErr != nil {
		return nil, runErr
	}
	if !p.done {
		return nil, &Error{Kind: Unknown, Output: errorLines(text),
			Msg:  "OpenOCD ended before the flash script finished",
			Hint: "run with debug logging to see OpenOCD's full output"}
	}
	return &Summary{Sectors: len(sectors), Programmed: p.prog.Programmed, Skipped: p.prog.Skipped, Bytes: p.prog.Bytes,
		Elapsed: time.Since(p.start), Verified: p.verified, Record: record(&j, image, sectors)}, nil
}

// writeScript writes the algorithm, the image, its chunks and the Tcl that
// programs them into dir and returns the script's path.
//
// Each buffer-sized chunk is a file of its own rather than a slice of the
// image file (load_image file buf-offset bin buf len): load_image reads the
// whole file on every call, and buf-offset would be negative for a chunk
// that lies further into the flash than the buffer's address.
func writeScript(dir string, j *Job, l flashalgo.Layout, image []byte, sectors []planned) (string, error) {
	a, d := j.Algorithm, &j.Algorithm.Device
	var b strings.Builder
	b.WriteString("# Written by mpforge for one flash run; removed afterwards.\n")
	b.WriteString(algoTcl)
	set := func(name, value string) { fmt.Fprintf(&b, "set mpf(%s) %s\n", name, value) }
	hex := func(v uint32) string { return fmt.Sprintf("0x%08x", v) }
	file := func(name string, data []byte) (string, error) {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return "", err
		}
		return tclWord(filepath.ToSlash(path)) // OpenOCD takes / on Windows too
	}
	algo, err := file("algorithm.bin", a.Image)
	if err != nil {
		return "", err
	}
	img, err := file("image.bin", image)
	if err != nil {
		return "", err
	}
	set("algo", algo)
	set("image", img)
	set("trap", hex(l.Trap))
	set("trap_insn", hex(flashalgo.TrapInsn))
	set("load", hex(l.Load))
	set("sb", hex(l.StaticBase))
	set("sp", hex(l.Stack))
	set("buf", hex(l.Buffer))
	set("dev", hex(d.Addr))
	set("clk", fmt.Sprint(j.ClockHz))
	set("base", hex(j.Base))
	set("bytes", fmt.Sprint(len(image)))
	set("sectors", fmt.Sprint(len(sectors)))
	set("page", fmt.Sprint(d.Page))
	set("to_erase", fmt.Sprint(uint64(d.EraseTimeout)*3/2+500))
	set("to_prog", fmt.Sprint(uint64(d.ProgramTimeout)*3/2+500))
	set("loaded", "{}")
	set("slow", fmt.Sprint(max(j.Slowdown, 1)))
	for _, name := range []string{flashalgo.Crc32, flashalgo.Verify} {
		set("has,"+name, map[bool]string{false: "0", true: "1"}[a.Has(name)])
	}
	for name, addr := range l.Entries {
		set("entry,"+name, hex(addr))
	}
	b.WriteString("mpf_begin\n")
	for i, s := range sectors {
		var chunks []string
		for k, c := range s.Chunks {
			f, err := file(fmt.Sprintf("s%05d-%d.bin", i, k), image[c[0]:c[0]+c[1]])
			if err != nil {
				return "", err
			}
			chunks = append(chunks, fmt.Sprintf("{%s %s %d}", f, hex(j.Base+c[0]), c[1]))
		}
		fmt.Fprintf(&b, "mpf_sector %d %s %d %s {%s}\n", i+1, hex(s.Addr), s.Len, hex(s.CRC), strings.Join(chunks, " "))
	}
	fmt.Fprintf(&b, "mpf_end %s\nshutdown\n", hex(crc32.ChecksumIEEE(image)))
	path := filepath.Join(dir, "flash.tcl")
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}
