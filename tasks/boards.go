package tasks

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"mpforge/boards"
)

// ListBoards prints every board with a one-line summary.
func (e *Env) ListBoards(w io.Writer) error {
	dir := filepath.Join(e.Root, "boards")
	names, err := boards.List(dir)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BOARD\tCORE\tMEMORY\tFEATURES\tRUNS ON\tPERIPHERALS\tDESCRIPTION")
	for _, n := range names {
		b, err := boards.Load(dir, n)
		if err != nil {
			fmt.Fprintf(tw, "%s\t(broken: %v)\n", n, err)
			continue
		}
		runs := "hardware (mage flash)"
		if b.QEMU.Machine != "" {
			runs = "qemu " + b.QEMU.Machine
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n, b.CPU.Core, memory(b), b.MicroPython.ROMLevel, runs, peripherals(b), b.Description)
	}
	return tw.Flush()
}

// memory shows the regions by address: "FLASH 1016K, SRAM 256K".
func memory(b *boards.Board) string {
	parts := make([]string, len(b.Memory))
	for i, r := range b.Memory {
		parts[i] = r.Name + " " + r.Length.String()
	}
	return strings.Join(parts, ", ")
}

// peripherals shows the machine classes a board has and those it lacks:
// "UART 1-4 I2C 0-3 (no ADC, PWM, RTC)".
func peripherals(b *boards.Board) string {
	have := b.PeripheralSummary()
	missing := b.MissingPeripherals()
	switch {
	case have == "":
		return "none (machine.mem32 only)"
	case len(missing) == 0:
		return have
	}
	return have + " (no " + strings.Join(missing, ", ") + ")"
}
