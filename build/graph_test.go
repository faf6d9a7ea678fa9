package build

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// upper is a step that writes its input in capitals; header names an extra
// file it "discovers", as a compiler's depfile would.
func upper(in, out, header string) *Step {
	return &Step{
		Kind: "UP", Name: filepath.Base(in), Inputs: []string{in}, Outputs: []string{out},
		Command: []string{"upper", in, out},
		Run: func(ctx context.Context) ([]string, []byte, error) {
			data, err := os.ReadFile(in)
			if err != nil {
				return nil, nil, err
			}
			if strings.Contains(string(data), "fail") {
				return nil, []byte("in.txt:1: error: fail found"), errors.New("exit status 1")
			}
			var found []string
			if header != "" {
				found = []string{header}
			}
			return found, nil, WriteFileAtomic(out, []byte(strings.ToUpper(string(data))))
		},
	}
}

type fixture struct {
	t                         *testing.T
	dir, in, hdr, mid, out, l string
}

func newFixture(t *testing.T) *fixture {
	d := t.TempDir()
	f := &fixture{t: t, dir: d, in: filepath.Join(d, "in.txt"), hdr: filepath.Join(d, "hdr.h"),
		mid: filepath.Join(d, "mid.txt"), out: filepath.Join(d, "out.txt"), l: filepath.Join(d, "log")}
	f.write(f.in, "hello")
	f.write(f.hdr, "v1")
	return f
}

func (f *fixture) write(path, s string) {
	f.t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// build runs a two-step chain in -> mid -> out and returns what ran.
func (f *fixture) build() []string {
	f.t.Helper()
	res, err := Run(context.Background(), f.l, []*Step{upper(f.in, f.mid, f.hdr), upper(f.mid, f.out, "")}, Options{Jobs: 2})
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Ran
}

func TestRebuildsExactlyWhatChanged(t *testing.T) {
	f := newFixture(t)
	if ran := f.build(); len(ran) != 2 {
		t.Fatalf("clean build ran %v", ran)
	}
	if ran := f.build(); len(ran) != 0 {
		t.Errorf("no-op build ran %v", ran)
	}
	future := time.Now().Add(time.Hour)
	os.Chtimes(f.in, future, future)
	if ran := f.build(); len(ran) != 0 {
		t.Errorf("touch without a content change ran %v", ran)
	}
	f.write(f.hdr, "v2")
	if ran := f.build(); !slices.Equal(ran, []string{"UP in.txt"}) {
		t.Errorf("a discovered input changed: ran %v, want only the step that read it (its output is unchanged)", ran)
	}
	f.write(f.in, "world")
	if ran := f.build(); !slices.Equal(ran, []string{"UP in.txt", "UP mid.txt"}) {
		t.Errorf("content change ran %v", ran)
	}
	// git checkout of an older version: old bytes and an old mtime.
	f.write(f.in, "hello")
	past := time.Now().Add(-24 * time.Hour)
	os.Chtimes(f.in, past, past)
	if ran := f.build(); len(ran) != 2 {
		t.Errorf("restored older file ran %v, want both steps", ran)
	}
	if got, _ := os.ReadFile(f.out); string(got) != "HELLO" {
		t.Errorf("output %q", got)
	}
	os.WriteFile(f.out, []byte("HEL"), 0o644) // truncated or edited output
	if ran := f.build(); !slices.Equal(ran, []string{"UP mid.txt"}) {
		t.Errorf("damaged output: ran %v", ran)
	}
}

func TestFailureKeepsLastGoodOutput(t *testing.T) {
	f := newFixture(t)
	f.build()
	f.write(f.in, "fail")
	_, err := Run(context.Background(), f.l, []*Step{upper(f.in, f.mid, ""), upper(f.mid, f.out, "")}, Options{})
	var se *StepError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "in.txt:1: error: fail found") {
		t.Fatalf("want the tool's message in a StepError, got %v", err)
	}
	if got, _ := os.ReadFile(f.out); string(got) != "HELLO" {
		t.Errorf("last good output lost: %q", got)
	}
	f.write(f.in, "hello")
	if ran := f.build(); len(ran) != 0 {
		t.Errorf("reverting to the last built content ran %v; its outputs are still good", ran)
	}
	f.write(f.in, "fixed")
	if ran := f.build(); len(ran) != 2 {
		t.Errorf("after a real fix ran %v", ran)
	}
}

func TestTornLogTailIsIgnored(t *testing.T) {
	f := newFixture(t)
	f.build()
	data, _ := os.ReadFile(f.l)
	for _, cut := range []int{1, 5, 17} {
		os.WriteFile(f.l, data[:len(data)-cut], 0o644)
		f.build() // must not fail, must leave a usable log
		if ran := f.build(); len(ran) != 0 {
			t.Errorf("cut %d: second build after repair ran %v", cut, ran)
		}
	}
	os.WriteFile(f.l, []byte("garbage"), 0o644)
	if ran := f.build(); len(ran) != 2 {
		t.Errorf("unreadable log: ran %v, want a full build", ran)
	}
}

func TestCommandChangeReruns(t *testing.T) {
	f := newFixture(t)
	f.build()
	s := upper(f.in, f.mid, "")
	s.Command = append(s.Command, "-O2")
	res, err := Run(context.Background(), f.l, []*Step{s, upper(f.mid, f.out, "")}, Options{})
	if err != nil || !slices.Equal(res.Ran, []string{"UP in.txt"}) {
		t.Errorf("ran %v, %v", res.Ran, err)
	}
}

func TestLockMakesSecondBuildWait(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	unlock, err := Lock(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan string, 1)
	got := make(chan error, 1)
	go func() {
		u, err := Lock(context.Background(), path, func(h string) { waited <- h })
		if err == nil {
			u()
		}
		got <- err
	}()
	if holder := <-waited; holder != "" && !strings.Contains(holder, "") {
		t.Errorf("holder %q", holder)
	}
	unlock()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

// TestSubBuildSharesSlots runs a Sub build (a shared host tool with its own
// log) inside a build: the steps that read the tool wait for it, its steps
// take job slots from the same pool (with one slot: never two steps at
// once, and no deadlock), its steps are counted, and an up-to-date tool
// reruns nothing.
func TestSubBuildSharesSlots(t *testing.T) {
	f := newFixture(t)
	toolSrc, tool, innerLog := filepath.Join(f.dir, "tool.c"), filepath.Join(f.dir, "tool"), filepath.Join(f.dir, "inner-log")
	f.write(toolSrc, "tool")
	var running, most atomic.Int32
	counted := func(s *Step) *Step {
		run := s.Run
		s.Run = func(ctx context.Context) ([]string, []byte, error) {
			n := running.Add(1)
			defer running.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(5 * time.Millisecond)
			return run(ctx)
		}
		return s
	}
	build := func() *Result {
		t.Helper()
		sub := &Step{Kind: "HOST", Name: "tool", Outputs: []string{tool},
			Sub: func(ctx context.Context, opts Options) (*Result, error) {
				return Run(ctx, innerLog, []*Step{counted(upper(toolSrc, tool, ""))}, opts)
			}}
		steps := []*Step{sub, counted(upper(tool, f.out, "")), counted(upper(f.in, f.mid, ""))}
		res, err := Run(context.Background(), f.l, steps, Options{Jobs: 1})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := build()
	if got := slices.Sorted(slices.Values(res.Ran)); !slices.Equal(got, []string{"UP in.txt", "UP tool", "UP tool.c"}) || res.Total != 3 {
		t.Errorf("ran %v of %d", got, res.Total)
	}
	if got, _ := os.ReadFile(f.out); string(got) != "TOOL" {
		t.Errorf("the step after the tool read %q", got)
	}
	if most.Load() != 1 {
		t.Errorf("%d steps ran at once with one job slot", most.Load())
	}
	if res := build(); len(res.Ran) != 0 || res.Reused != 3 {
		t.Errorf("no-op ran %v, reused %d", res.Ran, res.Reused)
	}
	f.write(toolSrc, "tool v2")
	if got := slices.Sorted(slices.Values(build().Ran)); !slices.Equal(got, []string{"UP tool", "UP tool.c"}) {
		t.Errorf("after the tool's source changed ran %v", got)
	}
}
