//go:build linux

package watch

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"mpforge/internal/testfw"
)

// BenchmarkSaveToFirmware measures what a developer waits for: from saving
// a one-line edit of py/obj.c to the new firmware.elf, through the watcher
// (quiet period included) and the real pipeline, on mps2-an505. Run it with
// a fixed count, since one iteration takes about a second. Besides the wall
// time (ns/op) it reports the CPU time a save costs (cpu-s/op: this process
// and the compilers), which does not depend on what else the machine runs:
//
//	go test -run '^$' -bench SaveToFirmware -benchtime 10x ./watch/
func BenchmarkSaveToFirmware(b *testing.B) {
	root, tree := testfw.Checkout(b)
	s := startSession(b, root, tree)
	defer s.stop(b)
	if first := s.good(); !first.Relinked() {
		b.Fatalf("the first build did not link: ran %q", first.Ran)
	}
	objC := filepath.Join(tree, "py", "obj.c")
	orig, err := os.ReadFile(objC)
	must(b, err)
	edited := append([]byte("// one-line edit\n"), orig...)
	cpu := cpuTime(b)
	saves := 0
	for b.Loop() { // runs the setup above once, unlike a b.N loop
		data := edited
		if saves%2 == 1 {
			data = orig
		}
		saves++
		saveInPlace(b, objC, data)
		var got built
		select {
		case got = <-s.builds:
		case <-time.After(10 * time.Minute):
			b.Fatal("no build after the edit")
		}
		b.StopTimer()
		if got.err != nil || !got.out.Relinked() || !ran(got.out, "CC py/obj.c") {
			b.Fatalf("want py/obj.c compiled and the firmware linked; ran %q, err %v", got.out.Ran, got.err)
		}
		if saves == 1 {
			b.Logf("a save runs %q", got.out.Ran)
		}
		<-s.listed // the watcher is idle again, as between a developer's saves
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric((cpuTime(b)-cpu).Seconds()/float64(saves), "cpu-s/op")
}

// cpuTime is the user and system time of this process and its waited-for
// children (the compilers) so far.
func cpuTime(b *testing.B) time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		must(b, syscall.Getrusage(who, &ru))
		total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return total
}
