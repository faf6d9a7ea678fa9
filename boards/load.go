// Package boards loads and validates board files: boards/<name>/board.toml
// and the family files they inherit.
package boards

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// FileName is the name of the board file in each board folder.
const FileName = "board.toml"

// Board is a board file with its inheritance resolved and every path made absolute.
type Board struct {
	Name  string
	Dir   string   // the board's folder
	Files []string // every file read, parents before children

	Description string
	MCU         string
	ClockHz     uint64
	CPU         CPU
	Build       Build
	Memory      []Region // sorted by origin
	Link        Link
	Console     Console
	Sources     Sources
	MicroPython MicroPython
	Frozen      Frozen
	QEMU        QEMU
	OpenOCD     OpenOCD
	SDK         SDK         // optional vendor-SDK build mode (sdk.go)
	Flash       Flash       // optional flash algorithm (flash.go)
	Filesystem  Filesystem  // optional littlefs partition (filesystem.go)
	Peripherals Peripherals // machine.Pin, UART, I2C... (peripherals.go)

	impliedByPeripherals []string // the MicroPython switches [peripherals] turned on
}

// Region returns the memory region with the given name.
func (b *Board) Region(name string) (Region, bool) {
	for _, r := range b.Memory {
		if r.Name == name {
			return r, true
		}
	}
	return Region{}, false
}

// UnknownBoardError is returned for a board name with no folder.
type UnknownBoardError struct {
	Name  string
	Known []string
}

func (e *UnknownBoardError) Error() string {
	msg := fmt.Sprintf("unknown board %q; known boards: %s", e.Name, strings.Join(e.Known, ", "))
	if s := closest(e.Name, e.Known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// FieldError points at one field of one board file.
type FieldError struct {
	File  string // as shown to the user
	Line  int    // 0 when the field is missing altogether
	Field string // dotted TOML key
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: field %q: %s", e.File, e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: field %q: %s", e.File, e.Field, e.Msg)
}

// List returns the names of the boards in boardsDir, sorted.
func List(boardsDir string) ([]string, error) {
	entries, err := os.ReadDir(boardsDir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(boardsDir, e.Name(), FileName)); err == nil {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// Load reads boards/<name>/board.toml with everything it inherits and checks every field.
func Load(boardsDir, name string) (*Board, error) {
	boardsDir, err := filepath.Abs(boardsDir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(boardsDir, name, FileName)
	if name == "" || strings.ContainsAny(name, `/\`) || !fileExists(path) {
		known, _ := List(boardsDir)
		return nil, &UnknownBoardError{Name: name, Known: known}
	}
	l := &loader{root: filepath.Dir(boardsDir), origins: map[string]origin{}}
	merged, err := l.load(path, nil)
	if err != nil {
		return nil, err
	}
	var f file
	text, err := toml.Marshal(merged)
	if err != nil {
		return nil, fmt.Errorf("board %s: %w", name, err)
	}
	if err := toml.Unmarshal(text, &f); err != nil {
		return nil, fmt.Errorf("board %s: %w", name, err)
	}
	b := &Board{
		Name: name, Dir: filepath.Dir(path), Files: l.files,
		Description: f.Description, MCU: f.MCU, ClockHz: f.ClockHz, CPU: f.CPU, Build: f.Build,
		Link: f.Link, Console: f.Console, Sources: f.Sources, MicroPython: f.MicroPython,
		Frozen: f.Frozen, QEMU: f.QEMU, OpenOCD: f.OpenOCD, SDK: f.SDK, Flash: f.Flash, Filesystem: f.Filesystem, Peripherals: f.Peripherals,
	}
	b.Filesystem.defaults()
	if b.Filesystem.Size != 0 {
		// The partition is littlefs: the setting turns on extmod/vfs_lfs.c and
		// selects lib/littlefs through [sources.when].
		if b.MicroPython.Settings == nil {
			b.MicroPython.Settings = map[string]any{}
		}
		if _, set := b.MicroPython.Settings["MICROPY_VFS_LFS2"]; !set {
			b.MicroPython.Settings["MICROPY_VFS_LFS2"] = int64(1)
		}
	}
	for regionName, r := range f.Memory {
		r.Name = regionName
		b.Memory = append(b.Memory, r)
	}
	sort.Slice(b.Memory, func(i, j int) bool { return b.Memory[i].Origin < b.Memory[j].Origin })
	if err := l.validate(b); err != nil {
		return nil, err
	}
	applyPeripheralSettings(b)
	return b, nil
}

// origin is where a key got its final value.
type origin struct {
	file string
	line int
}

type loader struct {
	root    string // repository root, for the file names shown in errors
	files   []string
	origins map[string]origin
}

func (l *loader) show(path string) string {
	if rel, err := filepath.Rel(l.root, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

// pathKeys are the keys whose values are paths relative to the file that sets them.
// A value that starts with "$" names an environment variable's folder and is left as it is.
var pathKeys = map[string]bool{"link.script": true, "sources.board": true, "frozen.modules": true, "sdk.board": true,
	"flash.loader": true, "flash.loader_script": true, "flash.algorithm": true, "peripherals.pin.pins_file": true}

func (l *loader) load(path string, chain []string) (map[string]any, error) {
	if slices.Contains(chain, path) {
		return nil, fmt.Errorf("%s: inherit loop: %s", l.show(path), strings.Join(append(chain, path), " -> "))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.show(path), err)
	}
	if err := l.checkStrict(path, data); err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", l.show(path), err)
	}
	lines := keyLines(data)

	merged := map[string]any{}
	parents, _ := doc["inherit"].([]any)
	for i, p := range parents {
		ps, _ := p.(string)
		parent := filepath.Join(filepath.Dir(path), ps)
		if !fileExists(parent) {
			return nil, &FieldError{File: l.show(path), Line: lines["inherit"], Field: fmt.Sprintf("inherit[%d]", i),
				Msg: fmt.Sprintf("%s does not exist", l.show(parent))}
		}
		pm, err := l.load(parent, append(chain, path))
		if err != nil {
			return nil, err
		}
		mergeInto(merged, pm)
	}
	delete(doc, "inherit")
	absolutize(doc, "", filepath.Dir(path))
	mergeInto(merged, doc)
	for key, line := range lines {
		l.origins[key] = origin{file: l.show(path), line: line}
	}
	l.files = append(l.files, path)
	return merged, nil
}

// checkStrict decodes one file on its own so that unknown fields and wrong
// types are reported with that file's name and line.
func (l *loader) checkStrict(path string, data []byte) error {
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	err := dec.Decode(&f)
	var missing *toml.StrictMissingError
	var decErr *toml.DecodeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &missing):
		var errs []error
		for _, e := range missing.Errors {
			line, _ := e.Position()
			field := strings.Join(e.Key(), ".")
			msg := "unknown field"
			if s := closest(field, knownFields()); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			errs = append(errs, &FieldError{File: l.show(path), Line: line, Field: field, Msg: msg})
		}
		return errors.Join(errs...)
	case errors.As(err, &decErr):
		line, _ := decErr.Position()
		field := strings.Join(decErr.Key(), ".")
		msg := strings.TrimPrefix(decErr.Error(), "toml: ")
		if i := strings.Index(msg, " into struct field"); i > 0 {
			msg = msg[:i] // the Go type name means nothing to the board's author
		}
		if field == "" {
			return fmt.Errorf("%s:%d: %s", l.show(path), line, msg)
		}
		return &FieldError{File: l.show(path), Line: line, Field: field, Msg: msg}
	default:
		return fmt.Errorf("%s: %w", l.show(path), err)
	}
}

// absolutize rewrites the path-valued keys of one file relative to its folder.
func absolutize(m map[string]any, prefix, dir string) {
	for k, v := range m {
		key := strings.TrimPrefix(prefix+"."+k, ".")
		switch val := v.(type) {
		case map[string]any:
			absolutize(val, key, dir)
		case string:
			if pathKeys[key] && !strings.HasPrefix(val, "$") {
				m[k] = filepath.Join(dir, val)
			}
		case []any:
			if pathKeys[key] {
				for i, e := range val {
					if s, ok := e.(string); ok {
						val[i] = filepath.Join(dir, s)
					}
				}
			}
		}
	}
}

// mergeInto lays src over dst: tables merge key by key, anything else is replaced.
func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		sm, srcIsMap := v.(map[string]any)
		dm, dstIsMap := dst[k].(map[string]any)
		if srcIsMap && dstIsMap {
			mergeInto(dm, sm)
			continue
		}
		if srcIsMap {
			cp := map[string]any{}
			mergeInto(cp, sm)
			v = cp
		}
		dst[k] = v
	}
}

// keyLines maps each dotted key that a document sets to its line.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	p := unstable.Parser{}
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		n := p.Expression()
		switch n.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(n.Key())
			lines[strings.Join(table, ".")] = p.Shape(n.Raw).Start.Line
		case unstable.KeyValue:
			it := n.Key()
			it.Next()
			start := p.Shape(it.Node().Raw).Start.Line
			key := append(slices.Clone(table), keyParts(n.Key())...)
			lines[strings.Join(key, ".")] = start
		}
	}
	return lines
}

func keyParts(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

var (
	romLevels  = []string{"MINIMUM", "CORE_FEATURES", "BASIC_FEATURES", "EXTRA_FEATURES", "FULL_FEATURES", "EVERYTHING"}
	settingKey = regexp.MustCompile(`^MICROPY_[A-Z0-9_]+$`)
	regionName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

func (l *loader) validate(b *Board) error {
	var errs []error
	fail := func(field, format string, args ...any) {
		o, ok := l.origins[field]
		if !ok {
			o = origin{file: l.show(filepath.Join(b.Dir, FileName))}
		}
		errs = append(errs, &FieldError{File: o.file, Line: o.line, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if b.ClockHz == 0 {
		fail("clock_hz", "required: the core clock in Hz")
	}
	if len(b.CPU.Flags) == 0 {
		fail("cpu.flags", "required: the compiler flags that select the core, e.g. [\"-mcpu=cortex-m33\"]")
	}
	for _, f := range b.CPU.Flags {
		if f == "-marm" {
			fail("cpu.flags", "-marm: MicroPython for Cortex-M is built for Thumb only")
		}
	}
	if len(b.Memory) == 0 {
		fail("memory", "required: at least one region, e.g. [memory.FLASH] origin = 0x08000000, length = \"512K\"")
	}
	for i, r := range b.Memory {
		key := "memory." + r.Name
		if !regionName.MatchString(r.Name) {
			fail(key, "region name must be a linker identifier (letters, digits, _)")
		}
		if r.Length == 0 {
			fail(key+".length", "required and non-zero")
		}
		if r.Attributes == "" || strings.Trim(r.Attributes, "rwxail!") != "" {
			fail(key+".attributes", "want linker attributes such as \"rx\" or \"rwx\", got %q", r.Attributes)
		}
		if i > 0 && b.Memory[i-1].End() > r.Origin {
			fail(key+".origin", "region %s overlaps region %s", r.Name, b.Memory[i-1].Name)
		}
	}
	if b.Link.Script == "" {
		fail("link.script", "required: the board's linker script")
	} else if !fileExists(b.Link.Script) {
		fail("link.script", "%s does not exist", l.show(b.Link.Script))
	}
	if b.Link.HeapSize == 0 {
		fail("link.heap_size", "required: the MicroPython heap size, e.g. \"64K\"")
	}
	if b.Link.StackSize == 0 {
		fail("link.stack_size", "required: the main stack size, e.g. \"8K\"")
	}
	if b.Console.Base == 0 {
		fail("console.base", "required: the console UART's base address")
	}
	if b.Console.Baud <= 0 {
		fail("console.baud", "required: the console baud rate, e.g. 115200")
	}
	if b.Console.ClockHz == 0 {
		fail("console.clock_hz", "required: the console UART's input clock in Hz")
	}
	if !slices.Contains(romLevels, b.MicroPython.ROMLevel) {
		fail("micropython.rom_level", "want one of %s, got %q", strings.Join(romLevels, ", "), b.MicroPython.ROMLevel)
	}
	for _, k := range slices.Sorted(maps.Keys(b.MicroPython.Settings)) {
		key := "micropython.settings." + k
		if !settingKey.MatchString(k) {
			fail(key, "setting names are MicroPython macros: MICROPY_ followed by capitals, digits and _")
		}
		switch b.MicroPython.Settings[k].(type) {
		case int64, bool, string:
		default:
			fail(key, "want an integer, a boolean or a C expression in a string")
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b.Sources.When)) {
		if !settingKey.MatchString(k) {
			fail("sources.when."+k, "keys are MicroPython settings: MICROPY_ followed by capitals, digits and _")
		}
	}
	if len(b.Sources.Tree) == 0 {
		fail("sources.tree", "required: globs of the MicroPython sources, e.g. [\"py/*.c\"]")
	}
	l.checkGlobs("sources.board", b.Sources.Board, fail)
	l.validateSDK(b.SDK, fail)
	l.validateFlash(b, fail)
	validateFilesystem(b, fail)
	l.readPinsFile(b.Peripherals.Pin, fail)
	validatePeripherals(b.Peripherals, fail)
	return errors.Join(errs...)
}

// checkGlobs fails field for each of its globs (board-file paths, made
// absolute) that matches no file: a typo would otherwise drop a source
// silently and surface later as a link error.
func (l *loader) checkGlobs(field string, globs []string, fail func(field, format string, args ...any)) {
	for _, pat := range globs {
		if m, err := doublestar.FilepathGlob(pat); err != nil || len(m) == 0 {
			fail(field, "%s matches no file", l.show(pat))
		}
	}
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}
