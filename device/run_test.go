package device_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mpforge/internal/syncbuf"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"mpforge/device"
	"mpforge/device/internal/devtest"
	"mpforge/device/qemu"
	"mpforge/device/rawrepl"
)

func writeScripts(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func startQEMU(t *testing.T) *device.Target {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tg, err := device.StartQEMU(ctx, devtest.QEMU(t))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tg.Close()
		cancel()
	})
	return tg
}

// bigScript is more than 8 KB of source whose last line proves it all arrived.
func bigScript() (string, string) {
	var b strings.Builder
	b.WriteString("total = 0\n")
	want := 0
	for i := range 400 {
		fmt.Fprintf(&b, "total += %d  # %s\n", i, strings.Repeat("x", i%50))
		want += i
	}
	b.WriteString("print('total', total)\n")
	return b.String(), fmt.Sprintf("total %d\n", want)
}

// twoSeconds runs for two seconds of board time.
const twoSeconds = "import time\ntime.sleep(2)\nprint('slept')\n"

func TestRunFolderOfFive(t *testing.T) {
	t.Parallel()
	big, bigWant := bigScript()
	if len(big) < 8<<10 {
		t.Fatalf("big script is only %d bytes", len(big))
	}
	dir := writeScripts(t, map[string]string{
		"test_1_prints.py":     "print('one')\nprint('two')\n",
		"test_2_raises.py":     "x = 1\n\nassert x == 2, 'x is not 2'\n",
		"test_3_never_ends.py": "# Never ends.\n# mpforge: timeout=3\nprint('looping')\nwhile True:\n    pass\n",
		"test_4_big.py":        big,
		"5_two_secs_test.py":   twoSeconds,
		"helper.py":            "raise Exception('a helper, must not run')",
		"sub/test_nested.py":   "raise Exception('in a sub-folder: support code, must not run')",
		"notes.txt":            "not a script",
		"__pycache__/x.py":     "raise Exception('must be skipped')",
	})
	tg := startQEMU(t)
	var out syncbuf.Buffer
	rep, err := device.RunScripts(context.Background(), tg, []string{dir}, device.Options{Out: &out})
	t.Logf("output:\n%s", out.String())
	if !errors.Is(err, device.ErrScriptsFailed) {
		t.Fatalf("RunScripts error = %v, want ErrScriptsFailed", err)
	}
	want := []struct {
		name   string
		status device.Status
		stdout string
	}{
		{"5_two_secs_test.py", device.Pass, "slept\n"},
		{"test_1_prints.py", device.Pass, "one\ntwo\n"},
		{"test_2_raises.py", device.Fail, ""},
		{"test_3_never_ends.py", device.Timeout, "looping\n"},
		{"test_4_big.py", device.Pass, bigWant},
	}
	if len(rep.Results) != len(want) {
		t.Fatalf("got %d results, want %d: %+v", len(rep.Results), len(want), rep.Results)
	}
	for i, w := range want {
		r := rep.Results[i]
		if r.Script != filepath.Join(dir, w.name) || r.Status != w.status || r.Stdout != w.stdout {
			t.Errorf("result %d = %s %s stdout %q (err %v), want %s %s %q", i, r.Script, r.Status, r.Stdout, r.Err, w.name, w.status, w.stdout)
		}
	}
	tb := rep.Results[2].Stderr
	wantLine := fmt.Sprintf(`File "%s", line 3`, filepath.Join(dir, "test_2_raises.py"))
	if !strings.Contains(tb, wantLine) || !strings.Contains(tb, "AssertionError: x is not 2") {
		t.Errorf("traceback %q lacks %q or the assertion", tb, wantLine)
	}
	if !strings.Contains(out.String(), wantLine) {
		t.Errorf("live output lacks the traceback line %q", wantLine)
	}
	sum := rep.Summary()
	if !strings.HasPrefix(sum, "FAIL: 5 scripts: 3 passed, 1 failed, 1 timed out, 0 errors (") {
		t.Errorf("summary = %q", sum)
	}
	if !strings.Contains(out.String(), sum) {
		t.Errorf("output lacks the summary line")
	}

	var x bytes.Buffer
	if err := device.WriteJUnit(&x, rep); err != nil {
		t.Fatal(err)
	}
	checkJUnit(t, x.Bytes(), rep)
}

// checkJUnit parses the XML back and checks it against the report.
func checkJUnit(t *testing.T, data []byte, rep *device.Report) {
	t.Helper()
	type problem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	var doc struct {
		XMLName xml.Name `xml:"testsuites"`
		Suites  []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Errors   int    `xml:"errors,attr"`
			Cases    []struct {
				Name      string   `xml:"name,attr"`
				Time      float64  `xml:"time,attr"`
				Failure   *problem `xml:"failure"`
				Error     *problem `xml:"error"`
				SystemOut string   `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("JUnit XML does not parse: %v\n%s", err, data)
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if cd, ok := tok.(xml.CharData); err != nil || !ok || len(bytes.TrimSpace(cd)) > 0 {
			t.Fatalf("JUnit XML has content after the root element: %v %v", tok, err)
		}
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%d testsuites, want 1", len(doc.Suites))
	}
	s := doc.Suites[0]
	if s.Tests != 5 || s.Failures != 2 || s.Errors != 0 || len(s.Cases) != 5 || s.Name != rep.Target {
		t.Errorf("testsuite %q tests=%d failures=%d errors=%d cases=%d", s.Name, s.Tests, s.Failures, s.Errors, len(s.Cases))
	}
	for i, c := range s.Cases {
		r := rep.Results[i]
		if c.Name != r.Script || c.SystemOut != r.Stdout {
			t.Errorf("testcase %d = %q out %q, want %q out %q", i, c.Name, c.SystemOut, r.Script, r.Stdout)
		}
		failed := c.Failure != nil
		if failed != (r.Status == device.Fail || r.Status == device.Timeout) || c.Error != nil {
			t.Errorf("testcase %s: failure %v error %v for status %s", c.Name, c.Failure, c.Error, r.Status)
		}
	}
	f := s.Cases[2].Failure
	if f == nil || f.Type != "AssertionError" || f.Message != "AssertionError: x is not 2" || !strings.Contains(f.Text, "Traceback") {
		t.Errorf("failure of the raising script = %+v", f)
	}
	if f := s.Cases[3].Failure; f == nil || f.Type != "timeout" {
		t.Errorf("failure of the endless script = %+v", f)
	}
}

// A script that swallows Ctrl-C leaves the board busy: the runner must
// restart QEMU and go on with the next script.
func TestRunRecoversBoardIgnoringCtrlC(t *testing.T) {
	t.Parallel()
	dir := writeScripts(t, map[string]string{
		"test_a_stubborn.py": "# mpforge: timeout=2\nwhile True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass\n",
		"test_b_after.py":    "print('after')\n",
	})
	tg := startQEMU(t)
	rep, err := device.RunScripts(context.Background(), tg, []string{dir}, device.Options{REPL: rawrepl.Options{InterruptGrace: 500 * time.Millisecond}})
	if !errors.Is(err, device.ErrScriptsFailed) {
		t.Fatalf("RunScripts error = %v", err)
	}
	if r := rep.Results[0]; r.Status != device.Timeout || !strings.Contains(r.Err.Error(), "recovered") {
		t.Errorf("stubborn script: %s %v", r.Status, r.Err)
	}
	if r := rep.Results[1]; r.Status != device.Pass || r.Stdout != "after\n" {
		t.Errorf("next script: %s %q %v", r.Status, r.Stdout, r.Err)
	}
}

func TestRunAllPass(t *testing.T) {
	t.Parallel()
	dir := writeScripts(t, map[string]string{"ok.py": "print('fine')\n"})
	tg := startQEMU(t)
	rep, err := device.RunScripts(context.Background(), tg, []string{filepath.Join(dir, "ok.py")}, device.Options{})
	if err != nil {
		t.Fatalf("RunScripts: %v", err)
	}
	if got := rep.Summary(); !strings.HasPrefix(got, "PASS: 1 script passed (") {
		t.Errorf("summary = %q", got)
	}
}

func TestScriptsErrors(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	for _, tc := range []struct {
		paths []string
		want  string
	}{
		{nil, "no scripts given"},
		{[]string{empty}, "no tests in"},
	} {
		if _, err := device.Scripts(tc.paths, device.Filter{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Scripts(%v) = %v, want %q", tc.paths, err, tc.want)
		}
	}
	missing := filepath.Join(empty, "missing.py")
	if _, err := device.Scripts([]string{missing}, device.Filter{}); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Scripts(%s) = %v, want a not-exist error that names it", missing, err)
	}
}

// The serial path: a real tty (QEMU's pty behind a stable link, like
// /dev/serial/by-id) opened with go.bug.st/serial, and a Reset hook that
// restarts the "board" when it stops answering.
func TestRunOverSerialPort(t *testing.T) {
	t.Parallel()
	link := filepath.Join(t.TempDir(), "console")
	fw := devtest.QEMU(t)
	var inst *qemu.Instance
	start := func() error {
		var err error
		inst, err = qemu.StartPTY(context.Background(), fw)
		if err != nil {
			return err
		}
		if err := os.Symlink(inst.PTY(), link+".new"); err != nil {
			return err
		}
		return os.Rename(link+".new", link)
	}
	if err := start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Stop() })
	resets := 0
	tg, err := device.OpenSerial(context.Background(), device.SerialOptions{
		Port: link,
		Reset: func(context.Context) error {
			resets++
			inst.Stop()
			return start()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	big, bigWant := bigScript()
	dir := writeScripts(t, map[string]string{
		"test_a_big.py":      big,
		"test_b_stubborn.py": "# mpforge: timeout=2s\nwhile True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass\n",
		"test_c_after.py":    "print('after')\n",
	})
	rep, err := device.RunScripts(context.Background(), tg, []string{dir}, device.Options{REPL: rawrepl.Options{InterruptGrace: 500 * time.Millisecond}})
	if !errors.Is(err, device.ErrScriptsFailed) {
		t.Fatalf("RunScripts error = %v", err)
	}
	got := []device.Status{rep.Results[0].Status, rep.Results[1].Status, rep.Results[2].Status}
	if !reflect.DeepEqual(got, []device.Status{device.Pass, device.Timeout, device.Pass}) {
		t.Errorf("statuses = %v (%+v)", got, rep.Results)
	}
	if rep.Results[0].Stdout != bigWant || rep.Results[2].Stdout != "after\n" {
		t.Errorf("outputs %q, %q", rep.Results[0].Stdout, rep.Results[2].Stdout)
	}
	if resets != 1 {
		t.Errorf("board reset %d times, want 1", resets)
	}
}
