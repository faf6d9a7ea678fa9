package openocd

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"mpforge/build"
	"mpforge/device/flashalgo"
)

// Record is what a successful ProgramAlgorithm left in flash: per sector the
// CRC-32 of the image bytes, so that a dry run can tell what a new image
// changes without a probe.
type Record struct {
	Device  string         `json:"device"` // the FlashDevice name
	Base    uint32         `json:"base"`
	Size    uint32         `json:"size"` // bytes written (the image padded to whole pages)
	CRC     uint32         `json:"crc"`
	Flashed time.Time      `json:"flashed"`
	Sectors []RecordSector `json:"sectors"`
}

// RecordSector is one programmed (or found equal) sector.
type RecordSector struct {
	Addr uint32 `json:"addr"`
	Len  uint32 `json:"len"`
	CRC  uint32 `json:"crc"`
}

// NewRecord is the record of j's image once it is in flash.
func NewRecord(j Job) (Record, error) {
	image, _, sectors, err := j.prepare()
	if err != nil {
		return Record{}, fmt.Errorf("flash: %w", err)
	}
	return record(&j, image, sectors), nil
}

func record(j *Job, image []byte, sectors []planned) Record {
	r := Record{Device: j.Algorithm.Device.Name, Base: j.Base, Size: uint32(len(image)),
		CRC: crc32.ChecksumIEEE(image), Flashed: time.Now().UTC().Truncate(time.Second)}
	for _, s := range sectors {
		r.Sectors = append(r.Sectors, RecordSector{Addr: s.Addr, Len: s.Len, CRC: s.CRC})
	}
	return r
}

// WriteRecord saves r at path (JSON, written atomically).
func WriteRecord(path string, r Record) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := build.WriteFileAtomic(path, append(b, '\n')); err != nil {
		return fmt.Errorf("flash record: %w", err)
	}
	return nil
}

// ReadRecord reads a record WriteRecord saved; nil without error when there
// is none.
func ReadRecord(path string) (*Record, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("flash record: %w", err)
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("flash record %s: %v; delete it (the next flash writes a new one)", path, err)
	}
	return &r, nil
}

// Plan is what programming an image would do, worked out without a probe.
type Plan struct {
	Algorithm *flashalgo.Algorithm
	Layout    *flashalgo.Layout // where it runs; nil when the job names no work area
	Device    string
	Base      uint32
	Bytes     int // the image padded to whole pages
	Sectors   []PlanSector
	Previous  *Record // what the plan compared against; nil: none recorded
	Program   int     // sectors planned for erase + program
}

// PlanSector is one sector of the plan.
type PlanSector struct {
	Index     int // 1-based, as the progress lines count
	Addr, Len uint32
	Size      uint32 // the sector's size (Len may stop short in the last one)
	CRC       uint32
	Program   bool // false: the recorded image holds the same bytes here
}

// PlanSectors works out which sectors j would erase and program: against
// prev, the record of the last successful flash, when given (a sector whose
// bytes it records equal is planned as a skip); without one, every sector.
// The real run decides by what the chip holds, not by the record. With a
// work area, it also checks that the algorithm fits it.
func PlanSectors(j Job, prev *Record) (*Plan, error) {
	image, bufSize, sectors, err := j.prepare()
	if err != nil {
		return nil, fmt.Errorf("flash: %w", err)
	}
	p := &Plan{Algorithm: j.Algorithm, Device: j.Algorithm.Device.Name, Base: j.Base, Bytes: len(image), Previous: prev}
	if j.Work.Size > 0 {
		l, err := j.Algorithm.Layout(j.Work.Addr, j.Work.Size, bufSize)
		if err != nil {
			return nil, fmt.Errorf("flash: %s: %w", j.Algorithm.Path, err)
		}
		p.Layout = &l
	}
	old := map[RecordSector]bool{}
	if prev != nil {
		for _, s := range prev.Sectors {
			old[s] = true
		}
	}
	for i, s := range sectors {
		ps := PlanSector{Index: i + 1, Addr: s.Addr, Len: s.Len, Size: s.Size, CRC: s.CRC,
			Program: !old[RecordSector{Addr: s.Addr, Len: s.Len, CRC: s.CRC}]}
		if ps.Program {
			p.Program++
		}
		p.Sectors = append(p.Sectors, ps)
	}
	return p, nil
}

// Write prints the plan, runs of equal action on one line each.
func (p *Plan) Write(w io.Writer, recordPath string) {
	a, d := p.Algorithm, &p.Algorithm.Device
	fmt.Fprintf(w, "flash plan: %s at 0x%08x..0x%08x in %d sectors of %s\n",
		kib(int64(p.Bytes)), p.Base, uint64(p.Base)+uint64(p.Bytes), len(p.Sectors), p.Device)
	var sizes []string
	for _, r := range d.Regions {
		sizes = append(sizes, kib(int64(r.Size)))
	}
	check := "no Crc32 or Verify, so every sector is erased and programmed"
	switch {
	case a.Has(flashalgo.Crc32):
		check = "on the chip, its Crc32 finds the sectors that already hold their bytes"
	case a.Has(flashalgo.Verify):
		check = "on the chip, its Verify finds the sectors that already hold their bytes (their data crosses the probe)"
	}
	fmt.Fprintf(w, "algorithm %s: %s, %s at 0x%08x, %s sectors, %d-byte pages; %s\n",
		a.Path, d.Name, kib(int64(d.Size)), d.Addr, strings.Join(sizes, "/"), d.Page, check)
	if l := p.Layout; l != nil {
		fmt.Fprintf(w, "work area 0x%08x..0x%08x: algorithm (%s) at 0x%08x, buffer (%s) at 0x%08x, stack 0x%08x..0x%08x\n",
			l.WorkArea, uint64(l.WorkArea)+uint64(l.WorkSize), kib(int64(len(a.Image))), l.Load, kib(int64(l.BufferSize)), l.Buffer, l.StackLimit, l.Stack)
	}
	if p.Previous == nil {
		fmt.Fprintf(w, "no record of a previous flash (%s): every sector is planned\n", recordPath)
	} else {
		fmt.Fprintf(w, "compared with the image flashed %s (%s): %d of %d sectors change\n",
			p.Previous.Flashed.Local().Format("2006-01-02 15:04:05"), recordPath, p.Program, len(p.Sectors))
	}
	for i := 0; i < len(p.Sectors); {
		k := i
		var n uint64
		for k < len(p.Sectors) && p.Sectors[k].Program == p.Sectors[i].Program {
			n += uint64(p.Sectors[k].Len)
			k++
		}
		first, last := p.Sectors[i], p.Sectors[k-1]
		what := "erase+program"
		if !first.Program {
			what = "skip (unchanged)"
		}
		idx := fmt.Sprintf("sector %d", first.Index)
		if k-i > 1 {
			idx = fmt.Sprintf("sectors %d-%d", first.Index, last.Index)
		}
		fmt.Fprintf(w, "  %-16s %-14s 0x%08x..0x%08x %s\n", what, idx, first.Addr, uint64(last.Addr)+uint64(last.Len), kib(int64(n)))
		i = k
	}
	fmt.Fprintf(w, "dry run: %d sectors to erase and program, %d to skip; nothing was written\n", p.Program, len(p.Sectors)-p.Program)
}
