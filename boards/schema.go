package boards

import (
	"fmt"
	"strconv"
	"strings"
)

// file is one board or family TOML file as written. Every field is optional
// here; required fields are checked after inheritance is resolved.
type file struct {
	Inherit     []string          `toml:"inherit"`
	Description string            `toml:"description"`
	MCU         string            `toml:"mcu"`
	ClockHz     uint64            `toml:"clock_hz"`
	CPU         CPU               `toml:"cpu"`
	Build       Build             `toml:"build"`
	Memory      map[string]Region `toml:"memory"`
	Link        Link              `toml:"link"`
	Console     Console           `toml:"console"`
	Sources     Sources           `toml:"sources"`
	MicroPython MicroPython       `toml:"micropython"`
	Frozen      Frozen            `toml:"frozen"`
	QEMU        QEMU              `toml:"qemu"`
	OpenOCD     OpenOCD           `toml:"openocd"`
	SDK         SDK               `toml:"sdk"`         // sdk.go
	Flash       Flash             `toml:"flash"`       // flash.go
	Filesystem  Filesystem        `toml:"filesystem"`  // filesystem.go
	Peripherals Peripherals       `toml:"peripherals"` // peripherals.go
}

// CPU holds the core and the flags that select it; every compile and the link use them.
type CPU struct {
	Core  string   `toml:"core"`
	Flags []string `toml:"flags"`
}

// Build holds flags common to every compile and link of the board.
type Build struct {
	CFlags  []string `toml:"cflags"`
	LDFlags []string `toml:"ldflags"`
	Libs    []string `toml:"libs"`
}

// Region is one memory region of the chip, as the linker script names it.
type Region struct {
	Name       string `toml:"-"`
	Origin     uint64 `toml:"origin"`
	Length     Size   `toml:"length"`
	Attributes string `toml:"attributes"`
}

// End is the first address after the region.
func (r Region) End() uint64 { return r.Origin + uint64(r.Length) }

// Link names the board's linker script and the RAM it reserves.
type Link struct {
	Script    string `toml:"script"`
	StackSize Size   `toml:"stack_size"`
	HeapSize  Size   `toml:"heap_size"`
}

// Console is the UART the REPL runs on.
type Console struct {
	Driver  string `toml:"driver"`
	Base    uint64 `toml:"base"`
	IRQ     int    `toml:"irq"`
	ClockHz uint64 `toml:"clock_hz"`
	Baud    int    `toml:"baud"`
	// Port is the host's serial device for this board (monitor, scripts); optional.
	Port string `toml:"port"`
}

// Sources lists the C files of a build. Tree globs are relative to the
// MicroPython tree, Port globs to the repository root, Board globs to the
// folder of the board file that names them. When selects tree sources by a
// MicroPython setting: they are compiled only when that setting is non-zero.
type Sources struct {
	Tree        []string            `toml:"tree"`
	TreeExclude []string            `toml:"tree_exclude"`
	Port        []string            `toml:"port"`
	Board       []string            `toml:"board"`
	When        map[string][]string `toml:"when"`
}

// MicroPython is the feature level of the firmware.
type MicroPython struct {
	ROMLevel string         `toml:"rom_level"`
	Settings map[string]any `toml:"settings"`
}

// Frozen names Python files or folders compiled into the firmware.
type Frozen struct {
	Modules []string `toml:"modules"`
}

// QEMU describes the board's emulator twin, if it has one.
type QEMU struct {
	Machine string   `toml:"machine"`
	Args    []string `toml:"args"`
}

// OpenOCD describes how a probe reaches the board.
type OpenOCD struct {
	Interface string   `toml:"interface"`
	Transport string   `toml:"transport"`
	Target    string   `toml:"target"`
	SpeedKHz  int      `toml:"speed_khz"`
	Commands  []string `toml:"commands"`
}

// Size is a byte count written as an integer or as a string with a K or M suffix.
type Size uint64

// UnmarshalText accepts "64K", "1016K", "1M" and plain decimal or 0x numbers.
func (s *Size) UnmarshalText(text []byte) error {
	t := strings.TrimSpace(string(text))
	mult := uint64(1)
	switch {
	case strings.HasSuffix(t, "K"):
		mult, t = 1024, strings.TrimSuffix(t, "K")
	case strings.HasSuffix(t, "M"):
		mult, t = 1024*1024, strings.TrimSuffix(t, "M")
	}
	n, err := strconv.ParseUint(t, 0, 64)
	if err != nil {
		return fmt.Errorf("size %q: want a number of bytes, or a number with a K or M suffix such as \"64K\"", string(text))
	}
	*s = Size(n * mult)
	return nil
}

// String prints the size the way a board file would write it.
func (s Size) String() string {
	switch {
	case s != 0 && s%(1024*1024) == 0:
		return fmt.Sprintf("%dM", s/(1024*1024))
	case s != 0 && s%1024 == 0:
		return fmt.Sprintf("%dK", s/1024)
	}
	return strconv.FormatUint(uint64(s), 10)
}
