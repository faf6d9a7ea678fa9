package device

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mpforge/internal/syncbuf"
	"strings"
	"sync"
	"text/tabwriter"
)

// RunRack runs the same scripts on every target side by side (a rack of
// boards, or several twins): each board's lines are prefixed "[name] ", and
// a table of board x result follows. Target names must differ (they become
// the JUnit classnames). The reports come back in the targets' order.
func RunRack(ctx context.Context, targets []*Target, paths []string, o Options) ([]*Report, error) {
	scripts, err := Scripts(paths, o.Filter)
	if err != nil {
		return nil, err
	}
	if len(targets) == 1 {
		rep, err := runCollected(ctx, targets[0], scripts, o)
		if rep == nil {
			return nil, err
		}
		return []*Report{rep}, err
	}
	names := map[string]bool{}
	width := 0
	for _, t := range targets {
		if names[t.Name] {
			return nil, fmt.Errorf("two boards are named %s; give each target its own name", t.Name)
		}
		names[t.Name] = true
		width = max(width, len(t.Name))
	}
	out := &syncbuf.Writer{W: o.Out}
	if o.Out == nil {
		out.W = io.Discard
	}
	reports := make([]*Report, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		bo := o
		bo.Out = out
		bo.Prefix = fmt.Sprintf("[%-*s] ", width, t.Name)
		wg.Add(1)
		go func() {
			defer wg.Done()
			reports[i], errs[i] = runCollected(ctx, t, scripts, bo)
		}()
	}
	wg.Wait()
	var kept []*Report
	var problems []string
	failed := false
	for i, r := range reports {
		if r == nil { // refused before any script (wrong firmware, no board)
			problems = append(problems, fmt.Sprintf("%s: %v", targets[i].Name, errs[i]))
			continue
		}
		kept = append(kept, r)
		failed = failed || r.Failed()
	}
	fmt.Fprint(out, Table(kept))
	switch {
	case ctx.Err() != nil:
		return kept, ctx.Err()
	case len(problems) > 0:
		return kept, errors.New(strings.Join(problems, "\n"))
	case failed:
		return kept, fmt.Errorf("%w on %s", ErrScriptsFailed, failedBoards(kept))
	}
	return kept, nil
}

func failedBoards(reports []*Report) string {
	var names []string
	for _, r := range reports {
		if r.Failed() {
			names = append(names, r.Target)
		}
	}
	return strings.Join(names, ", ")
}

// Table is board x result, one row per board.
func Table(reports []*Report) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "board\tscripts\tpassed\tfailed\tskipped\ttimed out\terrors\ttime")
	for _, r := range reports {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.1fs\n", r.Target, len(r.Results), r.Count(Pass), r.Count(Fail),
			r.Count(Skip), r.Count(Timeout), r.Count(Error), r.Duration.Seconds())
	}
	tw.Flush()
	return b.String()
}
