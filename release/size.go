package release

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"mpforge/toolchain"
)

// LoadSizes reads a baseline to compare against: a dist/ folder (every
// <board>/size.json in it), one board's folder, a size.json, or a
// manifest.json (the size.json beside it). Sizes come back sorted by board.
func LoadSizes(path string) ([]Size, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("size baseline: %w", err)
	}
	var files []string
	switch {
	case fi.IsDir():
		if _, err := os.Stat(filepath.Join(path, "size.json")); err == nil {
			files = []string{filepath.Join(path, "size.json")}
		} else if files, err = filepath.Glob(filepath.Join(path, "*", "size.json")); err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("size baseline %s: no size.json in it or in its board folders; name a previous dist/, a board folder in it, or a size.json or manifest.json", path)
		}
	case filepath.Base(path) == "manifest.json":
		files = []string{filepath.Join(filepath.Dir(path), "size.json")}
	default:
		files = []string{path}
	}
	var sizes []Size
	for _, f := range files {
		s, err := readSize(f)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(sizes, func(o Size) bool { return o.Board == s.Board }) {
			return nil, fmt.Errorf("size baseline %s: board %s appears twice", path, s.Board)
		}
		sizes = append(sizes, s)
	}
	slices.SortFunc(sizes, func(a, b Size) int { return strings.Compare(a.Board, b.Board) })
	return sizes, nil
}

func readSize(file string) (Size, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) && filepath.Base(file) == "size.json" {
		return Size{}, fmt.Errorf("size baseline: %s is missing; a manifest.json is read together with the size.json that mage ci writes beside it", file)
	}
	if err != nil {
		return Size{}, fmt.Errorf("size baseline: %w", err)
	}
	var s Size
	if err := json.Unmarshal(data, &s); err != nil {
		return Size{}, fmt.Errorf("size baseline %s: %w", file, err)
	}
	if s.Board == "" || s.Regions == nil {
		return Size{}, fmt.Errorf("size baseline %s: not a size.json written by mage ci (no board or regions)", file)
	}
	return s, nil
}

// table lays out rows in columns; the first two (names) are left-aligned
// and the others right-aligned, since they hold numbers.
func table(rows [][]string) string {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], len(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		var line strings.Builder
		for i, c := range r {
			switch {
			case i < 2:
				fmt.Fprintf(&line, "%-*s  ", widths[i], c)
			default:
				fmt.Fprintf(&line, "%*s  ", widths[i], c)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	return b.String()
}

// Table shows each board's memory regions: bytes used and free, the
// region's size and how full it is.
func Table(sizes []Size) string {
	rows := [][]string{{"BOARD", "REGION", "USED", "FREE", "SIZE", "USE"}}
	for _, s := range sizes {
		for i, r := range s.Regions {
			name := s.Board
			if i > 0 {
				name = ""
			}
			free := "-"
			if r.Length >= r.Used {
				free = fmt.Sprint(r.Length - r.Used)
			}
			rows = append(rows, []string{name, r.Name, fmt.Sprint(r.Used), free, toolchain.FormatBytes(r.Length), fmt.Sprintf("%.1f%%", r.Percent())})
		}
	}
	return table(rows)
}

// Diff shows how each board's regions and sections changed from base to
// now, in bytes, like `idf.py size-diff` or bloaty: every region, then the
// sections that changed, largest change first. Boards on one side only
// are named as new or gone.
func Diff(base, now []Size) string {
	rows := [][]string{{"BOARD", "REGION/SECTION", "BEFORE", "AFTER", "CHANGE", ""}}
	var notes []string
	changed := false
	for _, s := range now {
		i := slices.IndexFunc(base, func(b Size) bool { return b.Board == s.Board })
		if i < 0 {
			notes = append(notes, s.Board+": new (not in the baseline)")
			continue
		}
		b := base[i]
		for j, r := range s.Regions {
			name := s.Board
			if j > 0 {
				name = ""
			}
			k := slices.IndexFunc(b.Regions, func(o toolchain.RegionUse) bool { return o.Name == r.Name })
			if k < 0 {
				rows = append(rows, []string{name, r.Name, "-", fmt.Sprint(r.Used), "new", ""})
				changed = true
				continue
			}
			rows = append(rows, append([]string{name, r.Name}, change(b.Regions[k].Used, r.Used)...))
			changed = changed || b.Regions[k].Used != r.Used
		}
		for _, sec := range sectionChanges(b.Sections, s.Sections) {
			rows = append(rows, append([]string{"", "  " + sec.name}, change(sec.before, sec.after)...))
			changed = true
		}
	}
	for _, b := range base {
		if !slices.ContainsFunc(now, func(s Size) bool { return s.Board == b.Board }) {
			notes = append(notes, b.Board+": gone (only in the baseline)")
		}
	}
	out := table(rows)
	if !changed {
		out += "no size change\n"
	}
	for _, n := range notes {
		out += n + "\n"
	}
	return out
}

// change is the BEFORE, AFTER, CHANGE and percentage columns.
func change(before, after uint64) []string {
	d := int64(after) - int64(before)
	pct := ""
	if d != 0 && before != 0 {
		pct = fmt.Sprintf("(%+.2f%%)", 100*float64(d)/float64(before))
	}
	sign := ""
	if d > 0 {
		sign = "+"
	}
	return []string{fmt.Sprint(before), fmt.Sprint(after), fmt.Sprintf("%s%d", sign, d), pct}
}

type sectionChange struct {
	name          string
	before, after uint64
}

// sectionChanges pairs sections by name and keeps those whose size differs.
func sectionChanges(base, now []toolchain.Section) []sectionChange {
	sizes := map[string]*sectionChange{}
	var names []string
	get := func(name string) *sectionChange {
		if c, ok := sizes[name]; ok {
			return c
		}
		names = append(names, name)
		sizes[name] = &sectionChange{name: name}
		return sizes[name]
	}
	for _, s := range base {
		get(s.Name).before += s.Size
	}
	for _, s := range now {
		get(s.Name).after += s.Size
	}
	var out []sectionChange
	for _, n := range names {
		if c := sizes[n]; c.before != c.after {
			out = append(out, *c)
		}
	}
	abs := func(c sectionChange) int64 {
		d := int64(c.after) - int64(c.before)
		return max(d, -d)
	}
	slices.SortStableFunc(out, func(a, b sectionChange) int {
		if d := abs(b) - abs(a); d != 0 {
			return int(max(-1, min(1, d)))
		}
		return strings.Compare(a.name, b.name)
	})
	return out
}
