package boards

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Peripherals is a board's [peripherals] table: which blocks of the chip
// machine.Pin, UART, I2C, SPI, Timer, WDT, PWM, RTC and ADC drive, their instances and the
// back-end (driver) that runs them. A kind the board leaves out is not built.
type Peripherals struct {
	Pin   *Peripheral `toml:"pin"`
	UART  *Peripheral `toml:"uart"`
	I2C   *Peripheral `toml:"i2c"`
	SPI   *Peripheral `toml:"spi"`
	Timer *Peripheral `toml:"timer"`
	WDT   *Peripheral `toml:"wdt"`
	PWM   *Peripheral `toml:"pwm"`
	RTC   *Peripheral `toml:"rtc"`
	ADC   *Peripheral `toml:"adc"`
}

// Peripheral is one kind of block: its driver, input clock and instances.
type Peripheral struct {
	Driver    string     `toml:"driver"`
	ClockHz   uint64     `toml:"clock_hz"`
	Instances []Instance `toml:"instances"`
	Pins      []PinDef   `toml:"pins"` // [peripherals.pin] only
	// PinsFile is a CSV of more pins (name,instance,port,bit,dir a line, # comments),
	// relative to the board file, appended to Pins; for chips with many lines.
	PinsFile string `toml:"pins_file"`
}

// Instance is one block of a kind, as Python numbers it: UART(1) is ID 1.
type Instance struct {
	ID   int    `toml:"id"`
	Base uint64 `toml:"base"`
	IRQ  *int   `toml:"irq"` // NVIC interrupt number (negative for a system exception); nil when polled
}

// PinDef names one pin for machine.Pin: Instance is the GPIO block (an
// index into [peripherals.pin] instances), Port a register or port number
// the driver interprets, Bit the line within it, Dir what the pin can do.
type PinDef struct {
	Name     string `toml:"name"`
	Instance int    `toml:"instance"`
	Port     int    `toml:"port"`
	Bit      int    `toml:"bit"`
	Dir      string `toml:"dir"`
}

// PeripheralKind is one entry of Peripherals with its table name.
type PeripheralKind struct {
	Name string // "uart", as in [peripherals.uart] and the generated macros
	P    *Peripheral
}

// Kinds lists the kinds a board has, in a fixed order.
func (p Peripherals) Kinds() []PeripheralKind {
	var out []PeripheralKind
	for _, k := range []PeripheralKind{{"pin", p.Pin}, {"uart", p.UART}, {"i2c", p.I2C}, {"spi", p.SPI}, {"timer", p.Timer}, {"wdt", p.WDT}, {"pwm", p.PWM}, {"rtc", p.RTC}, {"adc", p.ADC}} {
		if k.P != nil {
			out = append(out, k)
		}
	}
	return out
}

// Drivers are the back-ends in port/machine/ by kind. A board with another
// chip adds its name here with its C file (the contract: port/machine/periph.h).
var Drivers = map[string][]string{
	"pin":   {"mps2-fpgaio", "fr30xx-gpio"},
	"uart":  {"cmsdk-uart", "dw-apb-uart"},
	"i2c":   {"sbcon-i2c", "dw-apb-i2c"},
	"spi":   {"pl022", "dw-apb-ssi"},
	"timer": {"cmsdk-timer", "dw-apb-timer"},
	"wdt":   {"cmsdk-watchdog", "dw-apb-wdt"},
	"pwm":   {"fr30xx-pwm"},
	"rtc":   {"fr30xx-pmu-rtc"},
	"adc":   {"fr30xx-saradc"},
}

// impliedSettings are the MicroPython switches each kind turns on (unless
// the board sets them itself): extmod's front-ends of the standard API.
var impliedSettings = map[string][]string{
	"pin":  {"MICROPY_PY_MACHINE_SIGNAL", "MICROPY_PY_MACHINE_SOFTI2C", "MICROPY_PY_MACHINE_SOFTSPI"},
	"uart": {"MICROPY_PY_MACHINE_UART", "MICROPY_PY_MACHINE_UART_IRQ"},
	"i2c":  {"MICROPY_PY_MACHINE_I2C", "MICROPY_PY_MACHINE_SOFTI2C"},
	"spi":  {"MICROPY_PY_MACHINE_SPI"},
	"wdt":  {"MICROPY_PY_MACHINE_WDT"},
	"pwm":  {"MICROPY_PY_MACHINE_PWM"},
	"adc":  {"MICROPY_PY_MACHINE_ADC", "MICROPY_PY_MACHINE_ADC_READ_UV"},
}

var pinName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// needsClock are the kinds whose driver derives rates from the input clock.
var needsClock = map[string]bool{"uart": true, "spi": true, "timer": true, "wdt": true, "pwm": true, "rtc": true}

// validatePeripherals checks [peripherals]; fail reports one field.
func validatePeripherals(p Peripherals, fail func(field, format string, args ...any)) {
	for _, k := range p.Kinds() {
		key := "peripherals." + k.Name
		if !slices.Contains(Drivers[k.Name], k.P.Driver) {
			fail(key+".driver", "want one of %s, got %q", strings.Join(Drivers[k.Name], ", "), k.P.Driver)
		}
		if needsClock[k.Name] && k.P.ClockHz == 0 {
			fail(key+".clock_hz", "required: the input clock of the %s blocks in Hz", k.Name)
		}
		if len(k.P.Instances) == 0 {
			fail(key+".instances", "required: at least one instance, e.g. [{ id = 0, base = 0x40000000 }]")
		}
		ids := map[int]bool{}
		for i, in := range k.P.Instances {
			f := fmt.Sprintf("%s.instances[%d]", key, i)
			if in.ID < 0 || in.ID > 255 {
				fail(f+".id", "want 0..255, got %d", in.ID)
			}
			if ids[in.ID] {
				fail(f+".id", "id %d is listed twice", in.ID)
			}
			ids[in.ID] = true
			if in.Base == 0 {
				fail(f+".base", "required: the block's base address")
			}
			if in.IRQ != nil && (*in.IRQ < -14 || *in.IRQ > 495) {
				fail(f+".irq", "want an NVIC interrupt number 0..495 (or -14..-1 for a system exception), got %d", *in.IRQ)
			}
		}
		if k.Name == "pin" {
			validatePins(k.P, fail)
		} else if len(k.P.Pins) > 0 || k.P.PinsFile != "" {
			fail(key+".pins", "only [peripherals.pin] names pins")
		}
		if k.Name == "uart" || k.Name == "timer" {
			for i, in := range k.P.Instances {
				if in.IRQ == nil {
					fail(fmt.Sprintf("%s.instances[%d].irq", key, i), "required: the %s interrupt (the driver is interrupt driven)", k.Name)
				}
			}
		}
	}
}

func validatePins(p *Peripheral, fail func(field, format string, args ...any)) {
	if len(p.Pins) == 0 {
		fail("peripherals.pin.pins", "required: the board's pins, e.g. [{ name = \"LED0\", port = 0, bit = 0, dir = \"out\" }]")
	}
	names := map[string]bool{}
	for i, d := range p.Pins {
		f := fmt.Sprintf("peripherals.pin.pins[%d]", i)
		if !pinName.MatchString(d.Name) {
			fail(f+".name", "want a Python-style name (letters, digits, _), got %q", d.Name)
		}
		if names[d.Name] {
			fail(f+".name", "pin %s is listed twice", d.Name)
		}
		names[d.Name] = true
		if d.Instance < 0 || d.Instance >= len(p.Instances) {
			fail(f+".instance", "want an index into peripherals.pin.instances (0..%d), got %d", len(p.Instances)-1, d.Instance)
		}
		if d.Port < 0 || d.Port > 0xFFFF {
			fail(f+".port", "want 0..65535, got %d", d.Port)
		}
		if d.Bit < 0 || d.Bit > 31 {
			fail(f+".bit", "want 0..31, got %d", d.Bit)
		}
		if !slices.Contains([]string{"in", "out", "inout"}, d.Dir) {
			fail(f+".dir", "want \"in\", \"out\" or \"inout\", got %q", d.Dir)
		}
	}
}

// applyPeripheralSettings turns on the MicroPython switches of the kinds the
// board has, leaving any the board file sets itself as they are.
func applyPeripheralSettings(b *Board) {
	for _, k := range b.Peripherals.Kinds() {
		for _, s := range impliedSettings[k.Name] {
			if b.MicroPython.Settings == nil {
				b.MicroPython.Settings = map[string]any{}
			}
			if _, set := b.MicroPython.Settings[s]; !set {
				b.MicroPython.Settings[s] = int64(1)
				b.impliedByPeripherals = append(b.impliedByPeripherals, s)
			}
		}
	}
}

// WithoutPeripherals is a copy of b without [peripherals] and without the
// switches they turned on (the board file's own settings stay).
func (b *Board) WithoutPeripherals() *Board {
	c := *b
	c.Peripherals = Peripherals{}
	c.MicroPython.Settings = maps.Clone(b.MicroPython.Settings)
	for _, s := range b.impliedByPeripherals {
		delete(c.MicroPython.Settings, s)
	}
	c.impliedByPeripherals = nil
	return &c
}

// IDs lists the instance IDs of a kind in board-file order.
func (p *Peripheral) IDs() []int {
	ids := make([]int, len(p.Instances))
	for i, in := range p.Instances {
		ids[i] = in.ID
	}
	return ids
}

// SoftTimers reports whether machine.Timer(-1), the soft timers on the
// 1 ms tick, is built: on every board with the everyday modules.
func (b *Board) SoftTimers() bool {
	return slices.Index(romLevels, b.MicroPython.ROMLevel) >= slices.Index(romLevels, "EXTRA_FEATURES")
}

// PeripheralSummary says in one line what the board has, for `mage boards`:
// "Pin(4) UART 1-4 I2C 0-3 SPI 0-4 Timer 0-1,soft WDT 0".
func (b *Board) PeripheralSummary() string {
	title := map[string]string{"pin": "Pin", "uart": "UART", "i2c": "I2C", "spi": "SPI", "timer": "Timer", "wdt": "WDT", "pwm": "PWM", "rtc": "RTC", "adc": "ADC"}
	var parts []string
	timer := false
	for _, k := range b.Peripherals.Kinds() {
		switch k.Name {
		case "pin":
			parts = append(parts, fmt.Sprintf("Pin(%d)", len(k.P.Pins)))
		case "timer":
			timer = true
			ids := idRange(k.P.IDs())
			if b.SoftTimers() {
				ids += ",soft"
			}
			parts = append(parts, "Timer "+ids)
		default:
			parts = append(parts, title[k.Name]+" "+idRange(k.P.IDs()))
		}
	}
	if !timer && b.SoftTimers() {
		parts = append(parts, "Timer soft")
	}
	return strings.Join(parts, " ")
}

// MissingPeripherals names the standard machine classes the board does not have.
func (b *Board) MissingPeripherals() []string {
	have := map[string]bool{"timer": b.SoftTimers()}
	for _, k := range b.Peripherals.Kinds() {
		have[k.Name] = true
	}
	var out []string
	for _, k := range []struct{ kind, class string }{
		{"pin", "Pin"}, {"uart", "UART"}, {"i2c", "I2C"}, {"spi", "SPI"}, {"adc", "ADC"}, {"pwm", "PWM"},
		{"timer", "Timer"}, {"rtc", "RTC"}, {"wdt", "WDT"},
	} {
		if !have[k.kind] {
			out = append(out, k.class)
		}
	}
	return out
}

// idRange writes consecutive IDs as a range: [1 2 3 4] -> "1-4", [0 2] -> "0,2".
func idRange(ids []int) string {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	consecutive := len(sorted) > 1
	for i := 1; i < len(sorted); i++ {
		if sorted[i] != sorted[i-1]+1 {
			consecutive = false
		}
	}
	if consecutive {
		return fmt.Sprintf("%d-%d", sorted[0], sorted[len(sorted)-1])
	}
	parts := make([]string, len(sorted))
	for i, id := range sorted {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ",")
}
