// Package bench times mpforge against upstream make on the same MicroPython
// tree: clean build, no-op, touch, a one-file edit, an edit adding a qstr.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// Run is one timed command.
type Run struct {
	Wall     time.Duration
	CPU      time.Duration // user + system of the process and its children
	MaxRSSKB int64         // peak resident memory of the process itself
	Units    int           // translation units compiled
}

// Utilisation is the share of all cores the run kept busy.
func (r Run) Utilisation(cores int) float64 {
	if r.Wall == 0 {
		return 0
	}
	return float64(r.CPU) / float64(r.Wall) / float64(cores)
}

// Builder is one side of the comparison.
type Builder struct {
	Name  string
	Clean func() error // remove its build outputs
	Cmd   func(ctx context.Context) *exec.Cmd
	Units func(output []byte) int // how many translation units the output says it compiled
}

// Time runs the builder once and measures it; a failing build is an error
// with its output.
func Time(ctx context.Context, b Builder) (Run, error) {
	cmd := b.Cmd(ctx)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return Run{}, fmt.Errorf("%s: %w\n%s", b.Name, err, out.Bytes())
	}
	r := Run{Wall: time.Since(start), Units: b.Units(out.Bytes())}
	r.MaxRSSKB = maxRSSKB(cmd.ProcessState)
	r.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return r, nil
}

// Scenario changes the tree before both builders run.
type Scenario struct {
	Name    string
	Prepare func() error
	Clean   bool // remove both builders' outputs first
}

// Row is one scenario's result for both builders.
type Row struct {
	Scenario   string
	Make, Ours Run
}

// Compare runs every scenario for both builders, make first.
func Compare(ctx context.Context, scenarios []Scenario, mk, ours Builder, progress io.Writer) ([]Row, error) {
	var rows []Row
	for _, s := range scenarios {
		fmt.Fprintf(progress, "bench: %s\n", s.Name)
		if s.Prepare != nil {
			if err := s.Prepare(); err != nil {
				return rows, err
			}
		}
		row := Row{Scenario: s.Name}
		for _, side := range []struct {
			b   Builder
			dst *Run
		}{{mk, &row.Make}, {ours, &row.Ours}} {
			if s.Clean {
				if err := side.b.Clean(); err != nil {
					return rows, err
				}
			}
			r, err := Time(ctx, side.b)
			if err != nil {
				return rows, err
			}
			*side.dst = r
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// Table prints the rows side by side.
func Table(w io.Writer, rows []Row, cores int) {
	fmt.Fprintf(w, "%-30s %10s %10s %7s %9s %9s %8s %8s\n", "scenario", "make", "mpforge", "ratio", "TUs make", "TUs ours", "CPU make", "CPU ours")
	for _, r := range rows {
		fmt.Fprintf(w, "%-30s %9.3fs %9.3fs %6.2fx %9d %9d %7.0f%% %7.0f%%\n", r.Scenario,
			r.Make.Wall.Seconds(), r.Ours.Wall.Seconds(), r.Ours.Wall.Seconds()/r.Make.Wall.Seconds(),
			r.Make.Units, r.Ours.Units, 100*r.Make.Utilisation(cores), 100*r.Ours.Utilisation(cores))
	}
	var peak int64
	for _, r := range rows {
		peak = max(peak, r.Ours.MaxRSSKB)
	}
	if peak > 0 {
		fmt.Fprintf(w, "mpforge peak RSS: %.1f MB (the orchestrator process; compilers not included)\n", float64(peak)/1024)
	} else {
		fmt.Fprintln(w, "mpforge peak RSS: not measured on this system")
	}
	if len(rows) > 0 && rows[0].Make.Units > 0 && rows[0].Ours.Units > 0 {
		c := rows[0]
		fmt.Fprintf(w, "clean build per translation unit: make %.0f ms, mpforge %.0f ms\n",
			1000*c.Make.Wall.Seconds()/float64(c.Make.Units), 1000*c.Ours.Wall.Seconds()/float64(c.Ours.Units))
	}
}

var makeCC = regexp.MustCompile(`(?m)^CC `)

// MakeUnits counts make's "CC file.c" lines.
func MakeUnits(out []byte) int { return len(makeCC.FindAll(out, -1)) }

var oursCompiled = regexp.MustCompile(`; (\d+) compiled\)`)

// OurUnits reads the count from mpforge's summary line.
func OurUnits(out []byte) int {
	m := oursCompiled.FindSubmatch(out)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// AppendLine appends a line to a file, as an editor saving an edit would.
func AppendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString("\n" + line + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Touch sets a file's mtime to now without changing its bytes.
func Touch(path string) error {
	now := time.Now()
	return os.Chtimes(path, now, now)
}

// RemoveAll is a Clean for a folder.
func RemoveAll(dir string) func() error {
	return func() error { return os.RemoveAll(filepath.Clean(dir)) }
}
