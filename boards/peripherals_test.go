package boards

import (
	"strconv"
	"strings"
	"testing"
)

const periphs = `
[peripherals.pin]
driver = "mps2-fpgaio"
instances = [{ id = 0, base = 0x40028000 }]
pins = [{ name = "LED0", port = 0, bit = 0, dir = "out" }, { name = "KEY", port = 8, bit = 1, dir = "in" }]
[peripherals.uart]
driver = "cmsdk-uart"
clock_hz = 25000000
instances = [{ id = 1, base = 0x40005000, irq = 2 }, { id = 2, base = 0x40006000, irq = 4 }]
[peripherals.i2c]
driver = "sbcon-i2c"
instances = [{ id = 0, base = 0x40022000 }]
`

func TestPeripheralsLoadAndTurnOnTheirSwitches(t *testing.T) {
	dir := validTree(t, map[string]string{"b1/board.toml": board + periphs})
	b, err := Load(dir, "b1")
	if err != nil {
		t.Fatal(err)
	}
	p := b.Peripherals
	if p.UART == nil || len(p.UART.Instances) != 2 || *p.UART.Instances[1].IRQ != 4 || p.UART.ClockHz != 25000000 {
		t.Fatalf("uart: %+v", p.UART)
	}
	if p.I2C.Instances[0].IRQ != nil {
		t.Errorf("an instance without irq has IRQ %v, want nil", *p.I2C.Instances[0].IRQ)
	}
	if p.SPI != nil || p.Timer != nil || p.WDT != nil {
		t.Errorf("kinds the board does not list are present: %+v", p)
	}
	for _, s := range []string{"MICROPY_PY_MACHINE_UART", "MICROPY_PY_MACHINE_I2C", "MICROPY_PY_MACHINE_SOFTI2C", "MICROPY_PY_MACHINE_SIGNAL"} {
		if b.MicroPython.Settings[s] != int64(1) {
			t.Errorf("%s = %v, want 1 for a board with these peripherals", s, b.MicroPython.Settings[s])
		}
	}
	if _, on := b.MicroPython.Settings["MICROPY_PY_MACHINE_SPI"]; on {
		t.Error("MICROPY_PY_MACHINE_SPI set for a board without [peripherals.spi]")
	}
	if got := b.PeripheralSummary(); got != "Pin(2) UART 1-2 I2C 0 Timer soft" {
		t.Errorf("summary %q", got)
	}
	if got := strings.Join(b.MissingPeripherals(), ","); got != "SPI,ADC,PWM,RTC,WDT" {
		t.Errorf("missing %q", got)
	}
}

func TestBoardSettingWinsOverAPeripheralSwitch(t *testing.T) {
	dir := validTree(t, map[string]string{"b1/board.toml": strings.Replace(board, "MICROPY_PY_MATH = true", "MICROPY_PY_MATH = true\nMICROPY_PY_MACHINE_UART_IRQ = 0", 1) + periphs})
	b, err := Load(dir, "b1")
	if err != nil {
		t.Fatal(err)
	}
	if b.MicroPython.Settings["MICROPY_PY_MACHINE_UART_IRQ"] != int64(0) {
		t.Errorf("the board's own MICROPY_PY_MACHINE_UART_IRQ = 0 was overridden: %v", b.MicroPython.Settings["MICROPY_PY_MACHINE_UART_IRQ"])
	}
}

// Without its peripherals (the embedded build) a board loses the switches
// they turned on, keeps the ones its file sets, and the original is unchanged.
func TestWithoutPeripherals(t *testing.T) {
	dir := validTree(t, map[string]string{"b1/board.toml": strings.Replace(board, "MICROPY_PY_MATH = true", "MICROPY_PY_MATH = true\nMICROPY_PY_MACHINE_UART_IRQ = 0", 1) + periphs})
	b, err := Load(dir, "b1")
	if err != nil {
		t.Fatal(err)
	}
	c := b.WithoutPeripherals()
	if len(c.Peripherals.Kinds()) != 0 {
		t.Errorf("peripherals left: %+v", c.Peripherals)
	}
	for _, s := range []string{"MICROPY_PY_MACHINE_UART", "MICROPY_PY_MACHINE_I2C", "MICROPY_PY_MACHINE_SOFTI2C", "MICROPY_PY_MACHINE_SIGNAL"} {
		if v, on := c.MicroPython.Settings[s]; on {
			t.Errorf("%s = %v without the peripherals that turned it on", s, v)
		}
		if b.MicroPython.Settings[s] != int64(1) {
			t.Errorf("the original lost %s", s)
		}
	}
	for s, want := range map[string]any{"MICROPY_PY_MACHINE_UART_IRQ": int64(0), "MICROPY_PY_MATH": true} {
		if got := c.MicroPython.Settings[s]; got != want {
			t.Errorf("the board's own %s = %v, want %v", s, got, want)
		}
	}
}

func TestBadPeripheralsAreFieldErrors(t *testing.T) {
	cases := []struct{ name, edit, want string }{
		{"unknown driver", strings.Replace(periphs, `"sbcon-i2c"`, `"dw-i2c"`, 1),
			`field "peripherals.i2c.driver": want one of sbcon-i2c, dw-apb-i2c, got "dw-i2c"`},
		{"typo in a kind", strings.Replace(periphs, "[peripherals.i2c]", "[peripherals.i2d]", 1),
			`field "peripherals.i2d": unknown field`},
		{"duplicate id", strings.Replace(periphs, "id = 2,", "id = 1,", 1),
			`field "peripherals.uart.instances[1].id": id 1 is listed twice`},
		{"missing base", strings.Replace(periphs, "{ id = 0, base = 0x40022000 }", "{ id = 0 }", 1),
			`field "peripherals.i2c.instances[0].base": required`},
		{"uart without irq", strings.Replace(periphs, ", irq = 4", "", 1),
			`field "peripherals.uart.instances[1].irq": required`},
		{"missing clock", strings.Replace(periphs, "clock_hz = 25000000\n", "", 1),
			`field "peripherals.uart.clock_hz": required`},
		{"bad pin dir", strings.Replace(periphs, `dir = "in"`, `dir = "input"`, 1),
			`field "peripherals.pin.pins[1].dir": want "in", "out" or "inout", got "input"`},
		{"duplicate pin", strings.Replace(periphs, `"KEY"`, `"LED0"`, 1),
			`field "peripherals.pin.pins[1].name": pin LED0 is listed twice`},
		{"pin bit", strings.Replace(periphs, "bit = 1", "bit = 32", 1),
			`field "peripherals.pin.pins[1].bit": want 0..31, got 32`},
		{"pin instance", strings.Replace(periphs, "port = 8,", "instance = 1, port = 8,", 1),
			`field "peripherals.pin.pins[1].instance": want an index into peripherals.pin.instances (0..0), got 1`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := validTree(t, map[string]string{"b1/board.toml": board + c.edit})
			_, err := Load(dir, "b1")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant an error containing %s", err, c.want)
			}
		})
	}
}

func TestPinsFileAddsPins(t *testing.T) {
	csv := "# name,instance,port,bit,dir\nPA0,0,0,0,inout\n  PA1, 0, 0x0, 1, in\n"
	dir := validTree(t, map[string]string{
		"b1/board.toml": board + strings.Replace(periphs, "pins = [", "pins_file = \"pins.csv\"\npins = [", 1),
		"b1/pins.csv":   csv,
	})
	b, err := Load(dir, "b1")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range b.Peripherals.Pin.Pins {
		names = append(names, p.Name+"/"+p.Dir)
	}
	if got := strings.Join(names, " "); got != "LED0/out KEY/in PA0/inout PA1/in" {
		t.Errorf("pins %q: want the inline pins, then the file's in order", got)
	}
	if p := b.Peripherals.Pin.Pins[3]; p.Bit != 1 || p.Instance != 0 {
		t.Errorf("PA1 = %+v", p)
	}
}

func TestBadPinsFileIsAFieldError(t *testing.T) {
	cases := []struct{ name, csv, want string }{
		{"missing", "", `field "peripherals.pin.pins_file": cannot read`},
		{"short line", "PA0,0,0,0,inout\nPA1,0,0,1\n", "line 2"},
		{"not a number", "PA0,0,0,x,inout\n", `line 1: field 4: want a number, got "x"`},
		{"checked like pins", "PA0,0,0,40,inout\n", `field "peripherals.pin.pins[2].bit": want 0..31, got 40`},
		{"duplicate of an inline pin", "KEY,0,0,3,in\n", "pin KEY is listed twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{"b1/board.toml": board + strings.Replace(periphs, "pins = [", "pins_file = \"pins.csv\"\npins = [", 1)}
			if c.csv != "" {
				files["b1/pins.csv"] = c.csv
			}
			_, err := Load(validTree(t, files), "b1")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant an error containing %s", err, c.want)
			}
		})
	}
}

func TestFR30xxPinTable(t *testing.T) {
	b, err := Load(".", "fr30xx")
	if err != nil {
		t.Fatal(err)
	}
	pins := b.Peripherals.Pin.Pins
	// PA0..PA15, PB0..PB15 without the console's PB4/PB5, PC, PD, PE0..PE11.
	if len(pins) != 16*4-2+12 || pins[0].Name != "PA0" || pins[len(pins)-1].Name != "PE11" {
		t.Fatalf("%d pins, %s..%s", len(pins), pins[0].Name, pins[len(pins)-1].Name)
	}
	for _, p := range pins {
		if p.Name == "PB4" || p.Name == "PB5" {
			t.Errorf("%s is the console's and must not be a machine.Pin", p.Name)
		}
		port := int(p.Name[1] - 'A')
		if p.Instance != port || p.Name != "P"+string(rune('A'+port))+strconv.Itoa(p.Bit) {
			t.Errorf("%s: instance %d bit %d", p.Name, p.Instance, p.Bit)
		}
	}
	if got := b.PeripheralSummary(); got != "Pin(74) UART 1,2,4,5 I2C 0-2 SPI 0-1 Timer 0-5,soft WDT 0 PWM 0-1 RTC 0 ADC 0" {
		t.Errorf("summary %q", got)
	}
}
