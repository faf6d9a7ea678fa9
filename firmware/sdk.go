package firmware

// The vendor-SDK build mode of a board with an [sdk] table (boards/sdk.go):
// the vendor's startup and sources are compiled with their own flags and
// linked with the vendor's linker script; the board's [sdk] board sources
// replace its own bring-up. Both modes share one output folder: MicroPython's
// objects are the same in both, and only what differs (board files, vendor
// objects, link) is rebuilt on a switch because every command says its mode.

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"mpforge/boards"
	"mpforge/build"
	"mpforge/toolchain"
)

// Mode says how a board is built: with its vendor SDK or with its own bring-up.
type Mode struct {
	Env string // the variable that names the SDK; "" for a board without an [sdk] table
	SDK string // the SDK folder, absolute; "" when building without it
}

// String says which mode was chosen and why, for the build's report; it is
// empty for a board that has no SDK mode.
func (m Mode) String() string {
	switch {
	case m.Env == "":
		return ""
	case m.SDK == "":
		return fmt.Sprintf("no SDK configured (set %s to build with the vendor SDK)", m.Env)
	}
	return fmt.Sprintf("vendor SDK at %s (%s)", m.SDK, m.Env)
}

// chooseMode picks SDK mode when the board has an [sdk] table and lookup
// finds its variable set, and checks that the SDK holds what the board needs.
func chooseMode(b *boards.Board, lookup func(string) (string, bool)) (Mode, error) {
	if !b.SDK.Configured() {
		return Mode{}, nil
	}
	dir, _ := lookup(b.SDK.Env)
	if dir == "" {
		return Mode{Env: b.SDK.Env}, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Mode{}, fmt.Errorf("board %s: %s=%s: %w", b.Name, b.SDK.Env, dir, err)
	}
	if err := b.SDK.Check(abs); err != nil {
		return Mode{}, fmt.Errorf("board %s: %w", b.Name, err)
	}
	return Mode{Env: b.SDK.Env, SDK: abs}, nil
}

// board returns the board as this mode builds it: in SDK mode the [sdk]
// board sources replace [sources] board and the vendor's linker script
// replaces the board's (which makes memory.ld unused).
func (m Mode) board(b *boards.Board) *boards.Board {
	if m.SDK == "" {
		return b
	}
	c := *b
	c.Sources.Board = b.SDK.Board
	c.Link.Script = filepath.Join(m.SDK, b.SDK.LDScript)
	return &c
}

// sdkIncludes are the vendor's include folders as -isystem flags: its
// headers are not ours to keep warning-free. CMSIS comes from the tree.
func (p *Plan) sdkIncludes() []string {
	var flags []string
	for _, inc := range p.cfg.Board.SDK.Includes {
		flags = append(flags, "-isystem", p.rel(filepath.Join(p.Mode.SDK, inc)))
	}
	return flags
}

// flagsFor returns the compile flags of one of our sources: in SDK mode the
// board's files also see the vendor's headers.
func (p *Plan) flagsFor(src string, cflags []string) []string {
	if p.Mode.SDK == "" || !p.isSDKBoardSource(src) {
		return cflags
	}
	return slices.Concat(cflags, p.sdkIncludes())
}

func (p *Plan) isSDKBoardSource(src string) bool {
	for _, pat := range p.cfg.Board.SDK.Board {
		if ok, _ := doublestar.PathMatch(pat, src); ok {
			return true
		}
	}
	return false
}

// vendorSteps compiles the vendor's startup and sources in SDK mode, with
// the CPU flags and the [sdk] cflags only, and without a QSTR scan: they
// register nothing with MicroPython. Startup comes first, as crt0 would.
func (p *Plan) vendorSteps() (steps []*build.Step, sources, objects []string, commands []compileCommand) {
	if p.Mode.SDK == "" {
		return nil, nil, nil, nil
	}
	b := p.cfg.Board
	flags := slices.Concat(b.CPU.Flags, []string{"-mthumb"}, b.SDK.CFlags, p.sdkIncludes(),
		[]string{"-isystem", p.rel(filepath.Join(p.cfg.TreeDir, "lib", "cmsis", "inc"))})
	for _, rel := range b.SDK.Compiled() {
		src := filepath.Join(p.Mode.SDK, rel)
		step, entry := p.vendorStep(src, rel, flags)
		steps = append(steps, step)
		sources = append(sources, src)
		objects = append(objects, step.Outputs[0])
		commands = append(commands, entry)
	}
	return steps, sources, objects, commands
}

func (p *Plan) vendorStep(src, rel string, flags []string) (*build.Step, compileCommand) {
	// Under obj/sdk/: no tree or checkout path starts with it.
	obj := filepath.Join(p.cfg.outDir(), "obj", "sdk", strings.TrimSuffix(rel, ".c")) + ".o"
	return p.compile(src, obj, "$"+p.Mode.Env+"/"+rel, flags)
}

// mapRegions reads the memory regions the linker used from the "Memory
// Configuration" table of its map file, so that the size report of an SDK
// build shows the vendor script's layout rather than the board file's.
func mapRegions(mapFile string) ([]toolchain.Region, error) {
	data, err := os.ReadFile(mapFile)
	if err != nil {
		return nil, err
	}
	_, table, ok := bytes.Cut(data, []byte("\nMemory Configuration\n"))
	if !ok {
		return nil, fmt.Errorf("%s: no \"Memory Configuration\" table; was it written by GNU ld -Map?", mapFile)
	}
	var regions []toolchain.Region
	var name string // a long name sits on a line of its own
	sc := bufio.NewScanner(bytes.NewReader(table))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) == 0 && len(regions) > 0:
			return regions, nil // the blank line after the table
		case len(fields) == 0 || fields[0] == "Name":
			continue
		case len(fields) == 1 && name == "":
			name = fields[0]
			continue
		}
		if name != "" {
			fields = append([]string{name}, fields...)
			name = ""
		}
		if fields[0] == "*default*" || len(fields) < 3 {
			continue
		}
		origin, err1 := strconv.ParseUint(fields[1], 0, 64)
		length, err2 := strconv.ParseUint(fields[2], 0, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: unreadable memory region line %q", mapFile, sc.Text())
		}
		regions = append(regions, toolchain.Region{Name: fields[0], Origin: origin, Length: length})
	}
	if len(regions) == 0 {
		return nil, fmt.Errorf("%s: the linker script declares no memory regions", mapFile)
	}
	return regions, nil
}
