//go:build linux

package watch

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"mpforge/internal/syncbuf"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"mpforge/device/qemu"
	"mpforge/internal/testfw"
	"mpforge/toolchain"
)

// The end-to-end tests run the watcher on a private copy of the checkout
// and the MicroPython tree, with the real firmware pipeline and compiler.
// One clean build of mps2-an505 is shared by all of them.

const e2eBoard = "mps2-an505"

// built is one finished real build as the watcher ran it.
type built struct {
	changed []string
	out     *Outcome
	err     error
}

// session is a watcher running on a private checkout.
type session struct {
	t        testing.TB
	root     string
	tree     string
	fw       *Firmware
	builds   chan built
	listed   chan struct{} // Inputs was asked (after each build)
	listing  []time.Duration
	out      *syncbuf.Buffer
	cancel   context.CancelFunc
	done     chan error
	stopped  bool
	sentinel int
}

func startSession(t testing.TB, root, tree string) *session {
	tc, err := toolchain.Find(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, root: root, tree: tree, builds: make(chan built, 16), listed: make(chan struct{}, 16),
		out: &syncbuf.Buffer{}, done: make(chan error, 1)}
	s.fw = &Firmware{Root: root, Board: e2eBoard, TreeDir: tree, Toolchain: tc}
	o := Options{
		Out: s.out,
		Build: func(ctx context.Context, changed []string) (*Outcome, error) {
			out, err := s.fw.Build(ctx, changed)
			s.builds <- built{changed, out, err}
			return out, err
		},
		Inputs: func() (Set, error) {
			begin := time.Now()
			set, err := s.fw.Inputs()
			s.listing = append(s.listing, time.Since(begin))
			s.listed <- struct{}{}
			return set, err
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.done <- Run(ctx, o) }()
	<-s.listed // before the first build
	return s
}

func (s *session) stop(t testing.TB) {
	if s.stopped {
		return
	}
	s.stopped = true
	s.cancel()
	if err := <-s.done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// next waits for the next build to finish and for the watcher to list the
// inputs again, so that the test's next change meets the new watch list.
func (s *session) next() built {
	s.t.Helper()
	wait := 10 * time.Minute // a clean build on a busy 2-core machine
	select {
	case b := <-s.builds:
		select {
		case <-s.listed:
		case <-time.After(wait):
			s.t.Fatal("the watcher did not list the inputs after a build")
		}
		return b
	case err := <-s.done:
		s.t.Fatalf("Run returned %v", err)
	case <-time.After(wait):
		s.t.Fatalf("no build within %s; output:\n%s", wait, s.out.String())
	}
	return built{}
}

func (s *session) good() *Outcome {
	s.t.Helper()
	b := s.next()
	if b.err != nil {
		s.t.Fatalf("build failed: %v", b.err)
	}
	return b.out
}

// settled proves that no build is left over: a new header that nothing
// includes, in port/, gives the next build, for it alone.
func (s *session) settled() {
	s.t.Helper()
	s.sentinel++
	path := filepath.Join(s.root, "port", "zz_watch_sentinel.h")
	must(s.t, os.WriteFile(path, fmt.Appendf(nil, "/* %d */\n", s.sentinel), 0o644))
	b := s.next()
	if !slices.Equal(b.changed, []string{path}) {
		s.t.Fatalf("expected a build for the sentinel only; got one for %q (a build was left over)", b.changed)
	}
	if b.err != nil || len(b.out.Ran) != 0 {
		s.t.Fatalf("the sentinel's build should do nothing; ran %q, err %v", b.out.Ran, b.err)
	}
}

func ran(o *Outcome, label string) bool { return slices.Contains(o.Ran, label) }

func TestRealBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a firmware from scratch")
	}
	root, tree := testfw.Checkout(t)
	s := startSession(t, root, tree)
	defer s.stop(t)
	first := s.good()
	if !first.Relinked() {
		t.Fatalf("the first build did not link: ran %q", first.Ran)
	}
	objC := filepath.Join(tree, "py", "obj.c")
	orig, err := os.ReadFile(objC)
	must(t, err)

	// Each save adds or removes a comment line at the top: the object's line
	// table changes, so the firmware is linked again.
	edits := 0
	edit := func() []byte {
		edits++
		if edits%2 == 1 {
			return append([]byte("// edited by the watch test\n"), orig...)
		}
		return orig
	}
	for _, style := range saveStyles {
		t.Run("save "+style.name, func(t *testing.T) {
			s.t = t
			style.save(t, objC, edit())
			b := s.next()
			if b.err != nil {
				t.Fatal(b.err)
			}
			if !slices.Contains(b.changed, objC) || !ran(b.out, "CC py/obj.c") || !b.out.Relinked() {
				t.Fatalf("changed %q, ran %q: want py/obj.c compiled and the firmware linked", b.changed, b.out.Ran)
			}
			s.settled()
		})
	}

	t.Run("burst", func(t *testing.T) {
		s.t = t
		// Like a git checkout that rewrites 100 files. (Their content stays,
		// but py/mpconfig.h's time is the build date in mpversion.h, so a
		// few files may be compiled again.)
		files, err := filepath.Glob(filepath.Join(tree, "py", "*.[ch]"))
		must(t, err)
		files = files[:100]
		for _, f := range files {
			data, err := os.ReadFile(f)
			must(t, err)
			must(t, os.WriteFile(f, data, 0o644))
		}
		b := s.next()
		if b.err != nil || len(b.changed) != 100 {
			t.Fatalf("want one build for 100 files; got one for %d, err %v", len(b.changed), b.err)
		}
		s.settled()
	})

	t.Run("error then fix", func(t *testing.T) {
		s.t = t
		elf := filepath.Join(root, "out", e2eBoard, "firmware.elf")
		before, err := os.ReadFile(elf)
		must(t, err)
		bad := bytes.Replace(orig, []byte("#include"), []byte("this is not C;\n#include"), 1)
		saveInPlace(t, objC, bad)
		b := s.next()
		if b.err == nil || !strings.Contains(b.err.Error(), "obj.c") || !strings.Contains(b.err.Error(), "error:") {
			t.Fatalf("want the compiler's error for obj.c, got %v", b.err)
		}
		after, err := os.ReadFile(elf)
		must(t, err)
		if !bytes.Equal(before, after) {
			t.Fatal("a failed build changed the firmware")
		}
		if !strings.Contains(s.out.String(), "FAIL ") {
			t.Fatalf("no FAIL line in:\n%s", s.out.String())
		}
		saveInPlace(t, objC, edit())
		if o := s.good(); !o.Relinked() {
			t.Fatalf("the fix did not relink: ran %q", o.Ran)
		}
		s.settled()
	})

	t.Run("new file joins the build", func(t *testing.T) {
		s.t = t
		extra := filepath.Join(root, "boards", e2eBoard, "watch_extra.c")
		must(t, os.WriteFile(extra, []byte("int watch_extra_value = 42;\n"), 0o644))
		o := s.good()
		if !ran(o, "CC boards/"+e2eBoard+"/watch_extra.c") {
			t.Fatalf("the new file was not compiled: ran %q", o.Ran)
		}
		saveInPlace(t, extra, []byte("int watch_extra_value = 43;\n"))
		if o := s.good(); !ran(o, "CC boards/"+e2eBoard+"/watch_extra.c") {
			t.Fatalf("a change to the new file was not compiled: ran %q", o.Ran)
		}
		must(t, os.Remove(extra))
		if o := s.good(); !o.Relinked() {
			t.Fatalf("removing the file did not relink: ran %q", o.Ran)
		}
		s.settled()
	})

	t.Run("output lines", func(t *testing.T) {
		for _, line := range strings.Split(s.out.String(), "\n") {
			if strings.HasPrefix(line, "ok ") && !matches(`^ok \d+\.\ds  FLASH [0-9.]+ (B|KiB)( \([+-][0-9.]+ (B|KiB)\))?  RAM [0-9.]+ (B|KiB)`, line) {
				t.Errorf("malformed line %q", line)
			}
		}
		t.Logf("watcher output:\n%s", s.out.String())
		t.Logf("listing the inputs took %v", s.listing)
	})
	s.stop(t) // the interrupt test's watcher must be the only one building

	t.Run("run and interrupt", func(t *testing.T) { runAndInterrupt(t, root, tree) })
}

// The run-and-interrupt test re-executes the test binary as a watcher with
// the run option (QEMU restarted after each new firmware, REPL on its
// stdin/stdout), checks a restart and the REPL, then starts a rebuild of
// everything, presses Ctrl-C (SIGINT) and checks that no compiler or QEMU
// is left. The test process becomes a child
// subreaper, so any process the watcher leaves behind is reparented to it
// and found.
const childEnv = "MPFORGE_WATCH_CHILD"

func TestInterruptChild(t *testing.T) {
	dirs := os.Getenv(childEnv)
	if dirs == "" {
		t.Skip("run by TestRealBuild/run_and_interrupt")
	}
	root, tree, _ := strings.Cut(dirs, string(os.PathListSeparator))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	tc, err := toolchain.Find(ctx)
	must(t, err)
	fw := &Firmware{Root: root, Board: e2eBoard, TreeDir: tree, Toolchain: tc}
	err = Run(ctx, Options{Build: fw.Build, Inputs: fw.Inputs, Out: os.Stdout,
		QEMU: &qemu.Options{Machine: e2eBoard}})
	fmt.Printf("watcher returned: %v\n", err)
}

func runAndInterrupt(t *testing.T, root, tree string) {
	must(t, unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
	cmd := exec.Command(os.Args[0], "-test.run=^TestInterruptChild$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+root+string(os.PathListSeparator)+tree)
	stdin, err := cmd.StdinPipe() // kept open: the REPL's input
	must(t, err)
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	cmd.Stderr = os.Stderr
	must(t, cmd.Start())
	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var seen []string
	waitLine := func(prefix string) {
		t.Helper()
		for line := range lines {
			seen = append(seen, line)
			if strings.HasPrefix(line, prefix) {
				return
			}
		}
		t.Fatalf("the watcher ended before printing %q:\n%s", prefix, strings.Join(seen, "\n"))
	}
	waitLine("ok ")
	// The firmware's banner: QEMU runs it.
	waitLine("MicroPython")
	first := descendant(t, cmd.Process.Pid, "qemu-system-arm")
	if first == 0 {
		t.Fatal("QEMU is not running under the watcher")
	}
	// A new firmware: QEMU starts again with it, and the REPL answers here.
	must(t, os.WriteFile(filepath.Join(root, "boards", e2eBoard, "watch_run.c"), []byte("int watch_run_value = 1;\n"), 0o644))
	waitLine("ok ")
	waitLine("MicroPython")
	if again := descendant(t, cmd.Process.Pid, "qemu-system-arm"); again == 0 || again == first {
		t.Fatalf("QEMU was not restarted with the new firmware (pid %d, before %d)", again, first)
	}
	_, err = io.WriteString(stdin, "print(6*7)\r")
	must(t, err)
	waitLine("42")
	// A change every source depends on: a long rebuild starts.
	cfg := filepath.Join(root, "port", "mpconfigport.h")
	data, err := os.ReadFile(cfg)
	must(t, err)
	must(t, os.WriteFile(cfg, append(data, "\n/* rebuild everything */\n"...), 0o644))
	for deadline := time.Now().Add(5 * time.Minute); descendant(t, cmd.Process.Pid, "cc1") == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no compiler started after the change")
		}
		time.Sleep(20 * time.Millisecond)
	}
	sent := time.Now()
	must(t, cmd.Process.Signal(os.Interrupt))
	rest := make(chan []string)
	go func() {
		for line := range lines {
			seen = append(seen, line)
		}
		rest <- seen
	}()
	// Read to the end before Wait, which closes the pipe.
	select {
	case seen = <-rest:
	case <-time.After(patience):
		t.Fatal("the watcher's output did not end after SIGINT: something still holds it")
	}
	err = cmd.Wait()
	t.Logf("the watcher exited %s after SIGINT", time.Since(sent).Round(time.Millisecond))
	if err != nil || !strings.Contains(strings.Join(seen, "\n"), "watcher returned: <nil>") {
		t.Fatalf("watcher exited with %v:\n%s", err, strings.Join(seen, "\n"))
	}
	if left := leftovers(t); len(left) > 0 {
		t.Fatalf("processes left behind after Ctrl-C: %s", strings.Join(left, "; "))
	}
}

// proc is one process from /proc.
type proc struct {
	pid, ppid int
	name      string
	state     byte
}

func processes(t *testing.T) []proc {
	entries, err := os.ReadDir("/proc")
	must(t, err)
	var ps []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // exited meanwhile
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		s := string(data)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < 0 || close+4 > len(s) {
			continue
		}
		fields := strings.Fields(s[close+2:])
		ppid, _ := strconv.Atoi(fields[1])
		ps = append(ps, proc{pid: pid, ppid: ppid, name: s[open+1 : close], state: fields[0][0]})
	}
	return ps
}

// descendant is the pid of a live process named name below pid, or 0.
func descendant(t *testing.T, pid int, name string) int {
	ps := processes(t)
	below := map[int]bool{pid: true}
	for changed := true; changed; {
		changed = false
		for _, p := range ps {
			if below[p.ppid] && !below[p.pid] {
				below[p.pid], changed = true, true
			}
		}
	}
	for _, p := range ps {
		if below[p.pid] && p.pid != pid && p.name == name && p.state != 'Z' {
			return p.pid
		}
	}
	return 0
}

// leftovers are the live processes reparented to this (subreaper) test
// process. Zombies are reaped: they are dead, just not yet collected. A
// process killed a moment ago may still be dying, so it gets a few seconds.
func leftovers(t *testing.T) []string {
	me := os.Getpid()
	var left []string
	for deadline := time.Now().Add(5 * time.Second); ; {
		for {
			var ws unix.WaitStatus
			if pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil); pid <= 0 || err != nil {
				break
			}
		}
		left = left[:0]
		for _, p := range processes(t) {
			if p.ppid == me && p.state != 'Z' {
				left = append(left, fmt.Sprintf("%d %s", p.pid, p.name))
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(50 * time.Millisecond)
	}
}
