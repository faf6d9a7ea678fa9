package hosttest

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// hostCC returns the host C compiler or skips the test when there is none.
func hostCC(t *testing.T) string {
	t.Helper()
	cc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no host gcc on PATH: install gcc to run the port's host checks")
	}
	return cc
}

// buildAndRun compiles port/fifo.c with testdata/fifo_check.c and runs it.
func buildAndRun(t *testing.T, cc string, extra ...string) {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "fifo_check")
	args := append([]string{"-std=c99", "-O2", "-Wall", "-Werror", "-pthread", "-I..",
		"-o", exe, "testdata/fifo_check.c", "../fifo.c"}, extra...)
	if out, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", cc, strings.Join(args, " "), err, out)
	}
	out, err := exec.Command(exe).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("fifo_check %v: %v\n%s", extra, err, out)
	}
}

func TestFIFO(t *testing.T) {
	buildAndRun(t, hostCC(t))
}

// TestFIFOThreadSanitizer reruns the check under ThreadSanitizer, which
// reports any unsynchronised access between the producer and the consumer.
func TestFIFOThreadSanitizer(t *testing.T) {
	cc := hostCC(t)
	probe := filepath.Join(t.TempDir(), "probe")
	cmd := exec.Command(cc, "-fsanitize=thread", "-x", "c", "-o", probe, "-")
	cmd.Stdin = strings.NewReader("int main(void) { return 0; }\n")
	if err := cmd.Run(); err != nil {
		t.Skipf("%s cannot build with -fsanitize=thread (libtsan missing?)", cc)
	}
	buildAndRun(t, cc, "-fsanitize=thread", "-g")
}
