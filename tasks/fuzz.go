package tasks

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DefaultFuzzTime is how long each fuzz test runs in `mage fuzz` (and CI).
const DefaultFuzzTime = 30 * time.Second

// Fuzz runs every Go fuzz test of the checkout for MPFORGE_FUZZTIME each
// (default 30s), one after the other. An input that fails is kept by Go in
// the package's testdata/fuzz/<FuzzName>/, where it then runs with the
// package's ordinary tests as a regression case: commit it with the fix.
func (e *Env) Fuzz(ctx context.Context, w io.Writer) error {
	budget := DefaultFuzzTime
	if v := os.Getenv("MPFORGE_FUZZTIME"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("MPFORGE_FUZZTIME=%q: want a duration such as 30s", v)
		}
		budget = d
	}
	targets, err := e.fuzzTargets(ctx)
	if err != nil {
		return err
	}
	for _, t := range targets {
		fmt.Fprintf(w, "fuzz %s %s for %v\n", t.pkg, t.name, budget)
		corpus := filepath.Join(e.Root, t.pkg, "testdata", "fuzz", t.name)
		before := corpusFiles(corpus)
		// Minimizing a new-coverage input of a large seed (an ELF file) can
		// take Go's default minute, the whole budget, without one execution.
		cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-fuzz", "^"+t.name+"$", "-fuzztime", budget.String(),
			"-fuzzminimizetime", max(budget/10, time.Second).String(), t.pkg)
		cmd.Dir = e.Root
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		found := newInputs(before, corpusFiles(corpus))
		if len(found) == 0 && deadlineRace(out.Bytes()) {
			// Go's coordinator can fail a run at its -fuzztime deadline
			// without any input having failed. Replaying the seeds and the
			// stored corpus shows there is nothing to find.
			replay := exec.CommandContext(ctx, "go", "test", "-count=1", "-run", "^"+t.name+"$", t.pkg)
			replay.Dir = e.Root
			if b, rerr := replay.CombinedOutput(); rerr != nil {
				w.Write(out.Bytes())
				w.Write(b)
				return fmt.Errorf("fuzz test %s in %s: its seeds or stored inputs fail", t.name, t.pkg)
			}
			fmt.Fprintf(w, "fuzz %s %s: Go's fuzzer stopped at its deadline with \"context deadline exceeded\" and wrote no failing input; "+
				"its seeds and stored inputs pass: counted as found nothing\n", t.pkg, t.name)
			continue
		}
		w.Write(out.Bytes())
		if len(found) == 0 {
			return fmt.Errorf("fuzz test %s in %s failed without writing an input: %v", t.name, t.pkg, err)
		}
		return fmt.Errorf("fuzz test %s in %s failed; the failing input is %s (it runs with the package's tests from now on: fix the code and commit it)",
			t.name, t.pkg, filepath.Join(strings.TrimPrefix(t.pkg, "./"), "testdata", "fuzz", t.name, found[0]))
	}
	fmt.Fprintf(w, "fuzz: %d fuzz tests, %v each, found nothing\n", len(targets), budget)
	return nil
}

// deadlineRace reports whether a failed fuzz run's only complaint is the
// coordinator's own deadline: "--- FAIL: FuzzX (31.02s)" followed by
// "context deadline exceeded", with no panic, failure message or hang report.
func deadlineRace(out []byte) bool {
	var failed, deadline bool
	for line := range strings.Lines(string(out)) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "--- FAIL: Fuzz"):
			failed = true
		case line == "context deadline exceeded":
			deadline = true
		case failed && line != "" && line != "FAIL" && !strings.HasPrefix(line, "exit status") && !strings.HasPrefix(line, "FAIL\t"):
			return false
		}
	}
	return failed && deadline
}

// corpusFiles lists the inputs stored in a fuzz test's corpus folder.
func corpusFiles(dir string) map[string]bool {
	files := map[string]bool{}
	entries, _ := os.ReadDir(dir) // none yet is an empty corpus
	for _, e := range entries {
		files[e.Name()] = true
	}
	return files
}

func newInputs(before, after map[string]bool) []string {
	var added []string
	for name := range after {
		if !before[name] {
			added = append(added, name)
		}
	}
	slices.Sort(added)
	return added
}

type fuzzTarget struct{ pkg, name string }

// fuzzTargets lists the Fuzz functions of every package, as go test sees them.
func (e *Env) fuzzTargets(ctx context.Context) ([]fuzzTarget, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-list", "^Fuzz", "./...")
	cmd.Dir = e.Root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go test -list: %w", err)
	}
	var targets []fuzzTarget
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "Fuzz"):
			names = append(names, line)
		case strings.HasPrefix(line, "ok "):
			// "ok  \tmpforge/build\t0.01s" closes a package's list.
			fields := strings.Fields(line)
			pkg := "./" + strings.TrimPrefix(fields[1], "mpforge/")
			if fields[1] == "mpforge" {
				pkg = "."
			}
			for _, n := range names {
				targets = append(targets, fuzzTarget{pkg, n})
			}
			names = nil
		}
	}
	return targets, nil
}
