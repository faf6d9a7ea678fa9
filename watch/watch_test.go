package watch

import (
	"context"
	"errors"
	"fmt"
	"mpforge/internal/syncbuf"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mpforge/toolchain"
)

// These tests run the watcher's loop on real folders with real inotify
// events; only the build is a stand-in that records when it is called.

// patience bounds every wait for something that must happen; it is never
// an assertion on how fast it happens.
const patience = 30 * time.Second

// testQuiet is longer than the default so that a test goroutine descheduled
// on a loaded machine does not split one save into two builds.
const testQuiet = 300 * time.Millisecond

// call is one build the watcher asked for.
type call struct {
	changed []string
	ctx     context.Context
}

// harness runs Run on a temporary project: src/ with a.c and b.h, out/ as
// the ignored output folder, and a sentinel file for proving that no build
// is left over.
type harness struct {
	t        *testing.T
	dir      string
	src      string
	calls    chan call
	results  chan error // what each build returns; nil means success
	out      *syncbuf.Buffer
	set      Set
	setMu    sync.Mutex
	ran      []string // the next Outcome's Ran
	done     chan error
	cancel   context.CancelFunc
	flashed  chan string
	sentinel int
}

func newHarness(t *testing.T, configure func(*harness, *Options)) *harness {
	dir := t.TempDir()
	h := &harness{t: t, dir: dir, src: filepath.Join(dir, "src"), calls: make(chan call), results: make(chan error),
		out: &syncbuf.Buffer{}, done: make(chan error, 1), flashed: make(chan string, 10)}
	must(t, os.MkdirAll(filepath.Join(dir, "out"), 0o755))
	must(t, os.MkdirAll(h.src, 0o755))
	for _, n := range []string{"a.c", "b.h", "sentinel.c"} {
		must(t, os.WriteFile(filepath.Join(h.src, n), []byte("int x;\n"), 0o644))
	}
	h.set = Set{Dirs: []string{h.src}, Files: []string{filepath.Join(h.src, "a.c"), filepath.Join(h.src, "b.h")},
		Ignore: []string{filepath.Join(dir, "out")}}
	h.ran = []string{"LINK firmware.elf"}
	o := Options{
		Quiet: testQuiet, Out: h.out,
		Build: func(ctx context.Context, changed []string) (*Outcome, error) {
			select {
			case h.calls <- call{changed, ctx}:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			var err error
			select {
			case err = <-h.results:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if err != nil {
				return nil, err
			}
			h.setMu.Lock()
			defer h.setMu.Unlock()
			return &Outcome{ELF: "firmware.elf", Regions: []toolchain.RegionUse{{Region: toolchain.Region{Name: "FLASH"}, Used: 1000}}, Ran: h.ran}, nil
		},
		Inputs: func() (Set, error) {
			h.setMu.Lock()
			defer h.setMu.Unlock()
			return h.set, nil
		},
	}
	if configure != nil {
		configure(h, &o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- Run(ctx, o) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-h.done:
		case <-time.After(patience):
			t.Error("Run did not return after cancel")
		}
	})
	h.build(nil) // the first build, on start
	return h
}

func (h *harness) path(name string) string { return filepath.Join(h.src, name) }

// next waits for the watcher to start a build and returns it, still running.
func (h *harness) next() call {
	h.t.Helper()
	select {
	case c := <-h.calls:
		return c
	case err := <-h.done:
		h.t.Fatalf("Run returned %v while a build was expected", err)
	case <-time.After(patience):
		h.t.Fatalf("no build within %s; output:\n%s", patience, h.out.String())
	}
	return call{}
}

// build waits for the next build, lets it end with err, and returns what changed.
func (h *harness) build(err error) []string {
	h.t.Helper()
	c := h.next()
	h.results <- err
	return c.changed
}

// settled proves that no build is pending: a change to the sentinel must
// give the next build, with the sentinel as its only change.
func (h *harness) settled() {
	h.t.Helper()
	h.sentinel++
	must(h.t, os.WriteFile(h.path("sentinel.c"), fmt.Appendf(nil, "int s = %d;\n", h.sentinel), 0o644))
	if got := h.build(nil); !slices.Equal(got, []string{h.path("sentinel.c")}) {
		h.t.Fatalf("expected a build for the sentinel only; got one for %q (a build was left over)", got)
	}
}

func TestEachSaveStyleGivesOneBuild(t *testing.T) {
	h := newHarness(t, nil)
	for i, s := range saveStyles {
		t.Run(s.name, func(t *testing.T) {
			h.t = t
			s.save(t, h.path("a.c"), fmt.Appendf(nil, "int a = %d;\n", i))
			if got := h.build(nil); !slices.Contains(got, h.path("a.c")) {
				t.Fatalf("build for %q, want a.c among them", got)
			}
			h.settled()
		})
	}
}

func TestBurstGivesOneBuild(t *testing.T) {
	h := newHarness(t, nil)
	// Like a git checkout: many files written, some created, some removed.
	for i := range 100 {
		must(t, os.WriteFile(h.path(fmt.Sprintf("f%03d.c", i)), []byte("int f;\n"), 0o644))
	}
	for i := range 10 {
		must(t, os.Remove(h.path(fmt.Sprintf("f%03d.c", i))))
	}
	saveInPlace(t, h.path("a.c"), []byte("int a = 1;\n"))
	got := h.build(nil)
	if len(got) != 101 {
		t.Fatalf("one build should carry all 101 changed paths, got %d", len(got))
	}
	h.settled()
}

func TestEditorAndOutputFilesAloneGiveNoBuild(t *testing.T) {
	h := newHarness(t, nil)
	for _, n := range []string{".a.c.swp", "a.c~", "4913", ".#a.c", "#a.c#", "a.c___jb_tmp___", "notes.txt"} {
		must(t, os.WriteFile(h.path(n), []byte("x"), 0o644))
	}
	must(t, os.WriteFile(filepath.Join(h.dir, "out", "obj.c"), []byte("x"), 0o644))
	h.settled()
}

func TestChangeDuringBuildGivesExactlyOneMore(t *testing.T) {
	h := newHarness(t, nil)
	saveInPlace(t, h.path("a.c"), []byte("int a = 1;\n"))
	c := h.next() // running, not finished
	// Several saves while it runs, with quiet periods between them.
	for i := range 3 {
		saveInPlace(t, h.path("b.h"), fmt.Appendf(nil, "int b%d;\n", i))
		time.Sleep(2 * testQuiet)
	}
	if c.ctx.Err() != nil {
		t.Fatal("a change must not cancel the running build")
	}
	h.results <- nil
	if got := h.build(nil); !slices.Equal(got, []string{h.path("b.h")}) {
		t.Fatalf("the build after the running one should be for b.h, got %q", got)
	}
	h.settled()
}

func TestFailedThenFixedBuild(t *testing.T) {
	h := newHarness(t, nil)
	saveInPlace(t, h.path("a.c"), []byte("int a = ;\n"))
	h.build(errors.New("CC a.c failed: exit status 1\na.c:1:9: error: expected expression before ';' token"))
	saveInPlace(t, h.path("a.c"), []byte("int a = 1;\n"))
	h.setMu.Lock()
	h.ran = []string{"CC a.c", "LINK firmware.elf"}
	h.setMu.Unlock()
	h.build(nil)
	h.settled()
	out := h.out.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// The sentinel's own line may not be printed yet.
	if len(lines) < 5 {
		t.Fatalf("want ok, FAIL + 2 lines of message, ok; got:\n%s", out)
	}
	checks := []string{`^ok \d+\.\ds  FLASH 1000 B$`, `^FAIL \d+\.\ds  \(the last good firmware is unchanged\)$`,
		`^CC a.c failed`, `error: expected expression`, `^ok \d+\.\ds  FLASH 1000 B \(\+0 B\)$`}
	for i, re := range checks {
		if !matches(re, lines[i]) {
			t.Errorf("line %d = %q, want it to match %s", i+1, lines[i], re)
		}
	}
}

func TestNewSubfolderOfATreeIsWatched(t *testing.T) {
	h := newHarness(t, func(h *harness, _ *Options) {
		h.set.Trees = []string{h.src}
	})
	sub := h.path("sub")
	must(t, os.Mkdir(sub, 0o755))
	if got := h.build(nil); !slices.Contains(got, sub) {
		t.Fatalf("build for %q, want the new folder among them", got)
	}
	must(t, os.WriteFile(filepath.Join(sub, "new.c"), []byte("int n;\n"), 0o644))
	if got := h.build(nil); !slices.Equal(got, []string{filepath.Join(sub, "new.c")}) {
		t.Fatalf("build for %q, want sub/new.c", got)
	}
	h.settled()
}

func TestRemovedAndRecreatedFolderIsWatchedAgain(t *testing.T) {
	board := filepath.Join(t.TempDir(), "board")
	must(t, os.MkdirAll(board, 0o755))
	h := newHarness(t, func(h *harness, _ *Options) {
		h.set.Dirs = append(h.set.Dirs, board)
	})
	must(t, os.RemoveAll(board))
	if got := h.build(nil); !slices.Contains(got, board) {
		t.Fatalf("build for %q, want the removed folder", got)
	}
	must(t, os.Mkdir(board, 0o755))
	if got := h.build(nil); !slices.Contains(got, board) {
		t.Fatalf("build for %q, want the recreated folder", got)
	}
	must(t, os.WriteFile(filepath.Join(board, "x.c"), []byte("int x;\n"), 0o644))
	if got := h.build(nil); !slices.Equal(got, []string{filepath.Join(board, "x.c")}) {
		t.Fatalf("build for %q, want x.c in the recreated folder", got)
	}
	h.settled()
}

func TestNewInputsAfterABuildAreWatched(t *testing.T) {
	other := filepath.Join(t.TempDir(), "include")
	must(t, os.MkdirAll(other, 0o755))
	must(t, os.WriteFile(filepath.Join(other, "cfg.h"), nil, 0o644))
	h := newHarness(t, nil)
	must(t, os.WriteFile(filepath.Join(other, "cfg.h"), []byte("#define X 1\n"), 0o644))
	// Not an input yet: the sentinel's build is the next one.
	h.setMu.Lock()
	h.set.Files = append(h.set.Files, filepath.Join(other, "cfg.h"))
	h.setMu.Unlock()
	h.settled() // after this build the watcher asks Inputs again
	h.settled() // this build starts only once the new list is watched
	must(t, os.WriteFile(filepath.Join(other, "cfg.h"), []byte("#define X 2\n"), 0o644))
	if got := h.build(nil); !slices.Equal(got, []string{filepath.Join(other, "cfg.h")}) {
		t.Fatalf("build for %q, want include/cfg.h", got)
	}
	h.settled()
}

func TestFlashAfterFirstGoodBuildAndEachNewFirmware(t *testing.T) {
	var mu sync.Mutex
	var flashes int
	h := newHarness(t, func(h *harness, o *Options) {
		o.Flash = func(ctx context.Context, elf string) error {
			mu.Lock()
			defer mu.Unlock()
			flashes++
			h.flashed <- elf
			return nil
		}
	})
	want := func(n int) {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		if flashes != n {
			t.Fatalf("%d flashes, want %d", flashes, n)
		}
	}
	<-h.flashed // after the first build
	h.setMu.Lock()
	h.ran = []string{"QSTR a.c", "CC a.c"} // a rebuild that left the firmware as it was
	h.setMu.Unlock()
	saveInPlace(t, h.path("a.c"), []byte("int a = 2;\n"))
	h.build(nil)
	saveInPlace(t, h.path("a.c"), []byte("int a = ;\n"))
	h.build(errors.New("CC a.c failed"))
	h.setMu.Lock()
	h.ran = []string{"CC a.c", "LINK firmware.elf"}
	h.setMu.Unlock()
	saveInPlace(t, h.path("a.c"), []byte("int a = 3;\n"))
	h.build(nil)
	<-h.flashed
	h.setMu.Lock()
	h.ran = nil
	h.setMu.Unlock()
	h.settled() // the flash ran before this build: cycles are sequential
	want(2)
	if out := h.out.String(); strings.Count(out, "flashed in") != 2 {
		t.Fatalf("want two 'flashed' lines:\n%s", out)
	}
}

func TestCancelStopsARunningBuild(t *testing.T) {
	h := newHarness(t, nil)
	saveInPlace(t, h.path("a.c"), []byte("int a = 1;\n"))
	c := h.next()
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			t.Fatalf("Run after cancel: %v, want nil", err)
		}
	case <-time.After(patience):
		t.Fatal("Run did not return")
	}
	if c.ctx.Err() == nil {
		t.Fatal("the running build's context was not cancelled")
	}
	h.done <- nil // for the cleanup
}

func matches(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }
