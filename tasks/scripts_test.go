//go:build unix

package tasks_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/log"

	"mpforge/device/qemu"
	"mpforge/internal/syncbuf"
	"mpforge/internal/testenv"
	"mpforge/internal/testfw"
)

// MPFORGE_QEMU naming one twin twice runs the scripts on both side by side
// and writes one JUnit report with a suite per twin; MPFORGE_PORT, set too,
// is reported as overridden; a bad MPFORGE_JUNIT folder stops the run first.
func TestRunScriptsOnTwoTwins(t *testing.T) {
	env := repoEnv(t)
	var logged syncbuf.Buffer
	env.Logger = log.New(&logged)
	dir := t.TempDir()
	for name, src := range map[string]string{
		"test_ok.py":  "import mpforge\nprint(mpforge.build['board'])\n",
		"test_bad.py": "import sys\nsys.exit(1)\n",
		"helper.py":   "raise Exception('not a test')\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("MPFORGE_QEMU", "mps2-an505,mps2-an505")
	t.Setenv("MPFORGE_PORT", "/dev/ttyNOPE")
	t.Setenv("MPFORGE_FLASH", "")
	t.Setenv("MPFORGE_TIMEOUT", "")

	t.Setenv("MPFORGE_JUNIT", filepath.Join(dir, "no-such-dir", "r.xml"))
	if err := env.RunScripts(context.Background(), []string{dir}, io.Discard); err == nil || !strings.Contains(err.Error(), "create it first") {
		t.Fatalf("bad MPFORGE_JUNIT: %v", err)
	}

	junit := filepath.Join(dir, "report.xml")
	t.Setenv("MPFORGE_JUNIT", junit)
	var out bytes.Buffer
	err := env.RunScripts(context.Background(), []string{dir}, &out)
	t.Logf("output:\n%s\nlog:\n%s", out.String(), logged.String())
	if err == nil || !strings.Contains(err.Error(), "mps2-an505, mps2-an505-2") {
		t.Errorf("RunScripts error = %v, want a failure on both twins", err)
	}
	if !strings.Contains(logged.String(), "MPFORGE_QEMU overrides MPFORGE_PORT") {
		t.Errorf("no word that MPFORGE_QEMU overrides MPFORGE_PORT")
	}
	for _, want := range []string{"[mps2-an505  ] mps2-an505\n", "[mps2-an505-2] mps2-an505\n", "[mps2-an505-2] firmware: mps2-an505, MicroPython 1.26.1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests  int `xml:"tests,attr"`
		Suites []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Classname string `xml:"classname,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 2 || doc.Suites[0].Name != "mps2-an505" || doc.Suites[1].Name != "mps2-an505-2" || doc.Tests != 4 {
		t.Fatalf("merged report: %s", data)
	}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Classname != s.Name {
				t.Errorf("case of %s has classname %s", s.Name, c.Classname)
			}
		}
	}
}

// run:qemu with MPFORGE_QEMU_SERIAL=pty serves the console on a pty that
// the tree's own pyboard.py (Debian's python3 with python3-serial) drives.
func TestServeQEMUPyboard(t *testing.T) {
	env := repoEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- env.ServeQEMU(ctx, "mps2-an505", "pty", w)
		w.Close()
	}()
	sc := bufio.NewScanner(r)
	var pty string
	re := regexp.MustCompile(`console on (/dev/pts/\d+)`)
	for sc.Scan() {
		t.Log(sc.Text())
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			pty = m[1]
			break
		}
	}
	go io.Copy(io.Discard, r)
	if pty == "" {
		t.Fatalf("run:qemu did not say where its console is: %v", <-done)
	}
	pyboard := filepath.Join(testenv.MicroPythonDir(t), "tools", "pyboard.py")
	pctx, pcancel := context.WithTimeout(ctx, 60*time.Second)
	defer pcancel()
	got, err := exec.CommandContext(pctx, "/usr/bin/python3", pyboard, "-d", pty, "-c", "import mpforge; print(6 * 7, mpforge.build['board'])").CombinedOutput()
	if err != nil || strings.TrimSpace(string(got)) != "42 mps2-an505" {
		t.Errorf("pyboard.py over %s: %v\n%s", pty, err, got)
	}
	link := filepath.Join(env.Root, "out", "mps2-an505", "console")
	if target, err := os.Readlink(link); err != nil || target != pty {
		t.Errorf("out/mps2-an505/console -> %q, %v; want %s", target, err, pty)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ServeQEMU: %v", err)
	}
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Errorf("console link left behind: %v", err)
	}
}

// A serial board is checked against out/<board>/ before the first script:
// the twin's own build runs, another board's build is refused with no
// script run, and MPFORGE_FLASH=1 flashes before anything runs (here the
// flash fails: the twin has no probe, so nothing runs).
func TestRunScriptsChecksSerialBoardFirmware(t *testing.T) {
	env := repoEnv(t)
	res, b := testfw.Firmware(t, "mps2-an505")
	testfw.Firmware(t, "mps2-an385") // the build of the wrong board
	inst, err := qemu.StartPTY(context.Background(), qemu.Options{Machine: b.QEMU.Machine, Kernel: res.ELF, Args: b.QEMU.Args})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Stop()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "test_ok.py"), []byte("print('ran')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MPFORGE_QEMU", "")
	t.Setenv("MPFORGE_PORT", inst.PTY())
	t.Setenv("MPFORGE_JUNIT", "")
	t.Setenv("MPFORGE_FLASH", "")
	t.Setenv("MPFORGE_PROBE", "")

	t.Setenv("MPFORGE_BOARD", "mps2-an505")
	var out bytes.Buffer
	if err := env.RunScripts(context.Background(), []string{dir}, &out); err != nil || !strings.Contains(out.String(), "ran\n") {
		t.Errorf("right firmware: %v\n%s", err, out.String())
	}

	t.Setenv("MPFORGE_BOARD", "mps2-an385")
	out.Reset()
	err = env.RunScripts(context.Background(), []string{dir}, &out)
	if err == nil || !strings.Contains(err.Error(), "it runs firmware for board mps2-an505") || strings.Contains(out.String(), "=== RUN") {
		t.Errorf("wrong board's firmware: %v\n%s", err, out.String())
	}

	t.Setenv("MPFORGE_BOARD", "mps2-an505")
	t.Setenv("MPFORGE_FLASH", "1")
	out.Reset()
	err = env.RunScripts(context.Background(), []string{dir}, &out)
	if err == nil || !strings.Contains(err.Error(), "OpenOCD") || strings.Contains(out.String(), "=== RUN") {
		t.Errorf("MPFORGE_FLASH=1 without a probe: %v\n%s", err, out.String())
	}
}
