package tasks

import (
	"bytes"
	"strings"
	"testing"

	"mpforge/internal/testenv"
)

// TestListBoardsShowsPeripherals checks `mage boards` on the checkout's own
// boards: what each has from [peripherals], and what it lacks.
func TestListBoardsShowsPeripherals(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := (&Env{Root: root}).ListBoards(&out); err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(out.String(), "\n") {
		if name, _, ok := strings.Cut(line, " "); ok {
			rows[name] = line
		}
	}
	for board, want := range map[string]string{
		"mps2-an505":     "Pin(7) UART 1-4 I2C 0-3 SPI 0-4 Timer 0-1,soft WDT 0 (no ADC, PWM, RTC)",
		"mps2-an385":     "Pin(7) UART 1-4 I2C 0-3 SPI 0-4 Timer 0-1,soft WDT 0 (no ADC, PWM, RTC)",
		"fr30xx":         "Pin(74) UART 1,2,4,5 I2C 0-2 SPI 0-1 Timer 0-5,soft WDT 0 PWM 0-1 RTC 0 ADC 0",
		"fr30xx-minimal": "Pin(74) UART 1,2,4,5 I2C 0-2 SPI 0-1 Timer 0-5 WDT 0 PWM 0-1 RTC 0 ADC 0",
	} {
		if !strings.Contains(rows[board], want) {
			t.Errorf("%s row %q lacks %q", board, rows[board], want)
		}
	}
	if !strings.Contains(out.String(), "PERIPHERALS") {
		t.Errorf("no PERIPHERALS column:\n%s", out.String())
	}
}
