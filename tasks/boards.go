package tasks

import (
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"mpforge/boards"
	"mpforge/toolchain"
)

// ListBoards prints every board with a one-line summary.
func (e *Env) ListBoards(w io.Writer) error {
	dir := filepath.Join(e.Root, "boards")
	names, err := boards.List(dir)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BOARD\tCORE\tFLASH\tRAM\tFEATURES\tRUNS ON\tDESCRIPTION")
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n, b.CPU.Core, regionSize(b, 0), regionSize(b, 1), b.MicroPython.ROMLevel, runs, b.Description)
	}
	return tw.Flush()
}

// regionSize shows the i-th region (by address) as "name size".
func regionSize(b *boards.Board, i int) string {
	if i >= len(b.Memory) {
		return "-"
	}
	r := b.Memory[i]
	return r.Name + " " + toolchain.FormatBytes(uint64(r.Length))
}
