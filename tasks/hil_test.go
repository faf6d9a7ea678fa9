//go:build unix

package tasks_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// The first-board checklist passes on the Cortex-M33 twin: every step, the
// banner, the smoke scripts, and a report to send back.
func TestHILOnTwin(t *testing.T) {
	env := repoEnv(t)
	t.Setenv("MPFORGE_PORT", "")
	var out bytes.Buffer
	if err := env.HIL(context.Background(), "mps2-an505", &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"ok    build", "ok    banner   MicroPython v", "; mps2-an505 with Cortex-M33", "ok    scripts  PASS: 4 scripts passed", "verdict: PASS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("want %q in:\n%s", want, out.String())
		}
	}
	report, err := os.ReadFile(filepath.Join(env.Root, "out", "mps2-an505", "hil-report.txt"))
	if err != nil || !bytes.Contains(report, []byte("heap free:")) || !bytes.Contains(report, []byte("CPUID 0x")) {
		t.Errorf("the report lacks the scripts' output (%v):\n%s", err, report)
	}
}

// On a real board with its console present but no probe, the checklist
// stops at the flash step with OpenOCD's diagnosis and says what to send.
func TestHILStopsAtFlashWithoutProbe(t *testing.T) {
	env := repoEnv(t)
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptm.Close()
	defer tty.Close()
	t.Setenv("MPFORGE_PORT", tty.Name())
	var out bytes.Buffer
	err = env.HIL(context.Background(), "fr30xx", &out)
	if err == nil || !strings.Contains(out.String(), "ok    console  "+tty.Name()) ||
		!strings.Contains(out.String(), "FAIL  flash    openocd: no debug probe found") ||
		!strings.Contains(out.String(), "--    banner   not checked") || !strings.Contains(out.String(), "verdict: FAIL at flash") {
		t.Fatalf("%v\n%s", err, out.String())
	}
	report, _ := os.ReadFile(filepath.Join(env.Root, "out", "fr30xx", "hil-report.txt"))
	if !bytes.Contains(report, []byte("unable to find a matching CMSIS-DAP device")) {
		t.Errorf("the report lacks OpenOCD's own words:\n%s", report)
	}
}
