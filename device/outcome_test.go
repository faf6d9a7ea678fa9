package device_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"mpforge/device"
	"mpforge/device/internal/devtest"
	"mpforge/internal/syncbuf"
)

// One twin runs every way a script can end: a HardFault fails at once
// (decoded, not through the time-out path) and the board is recovered for
// the next script; a reboot mid-script fails; sys.exit(1) fails, sys.exit()
// passes; SKIP (upstream's way and mpforge.skip) skips; a .exp beside a
// script is compared.
func TestRunOutcomes(t *testing.T) {
	t.Parallel()
	dir := writeScripts(t, map[string]string{
		"test_a_hardfault.py":   "# mpforge: timeout=60\nimport machine\nprint('before')\nmachine.mem32[0xF0000000]\nprint('never')\n",
		"test_b_after.py":       "print('after')\n",
		"test_c_exit1.py":       "import sys\nprint('bye')\nsys.exit(1)\n",
		"test_d_exit0.py":       "import sys\nsys.exit()\n",
		"test_e_skip.py":        "print('SKIP')\nraise SystemExit\n",
		"test_f_mpskip.py":      "import mpforge\nmpforge.skip('no sensor on this board')\n",
		"test_g_exp.py":         "print(6 * 7)\nprint('done')\n",
		"test_g_exp.py.exp":     "42\ndone\n",
		"test_h_badexp.py":      "print(6 * 7)\nprint('done')\n",
		"test_h_badexp.py.exp":  "41\ndone\n",
		"test_i_reboot.py":      "import machine\nprint('resetting')\nmachine.reset()\n",
		"test_j_last.py":        "print('last')\n",
		"test_k_exit_string.py": "import sys\nsys.exit('fatal error in the test')\n",
	})
	tg := startQEMU(t)
	var out syncbuf.Buffer
	rep, err := device.RunScripts(context.Background(), tg, []string{dir}, device.Options{Out: &out})
	t.Logf("output:\n%s", out.String())
	if !errors.Is(err, device.ErrScriptsFailed) {
		t.Fatalf("RunScripts error = %v", err)
	}
	want := map[string]device.Status{
		"test_a_hardfault.py": device.Fail, "test_b_after.py": device.Pass, "test_c_exit1.py": device.Fail,
		"test_d_exit0.py": device.Pass, "test_e_skip.py": device.Skip, "test_f_mpskip.py": device.Skip,
		"test_g_exp.py": device.Pass, "test_h_badexp.py": device.Fail, "test_i_reboot.py": device.Fail,
		"test_j_last.py": device.Pass, "test_k_exit_string.py": device.Fail,
	}
	got := map[string]device.Result{}
	for _, r := range rep.Results {
		got[filepath.Base(r.Script)] = r
	}
	if len(rep.Results) != len(want) {
		t.Fatalf("%d results, want %d", len(rep.Results), len(want))
	}
	for name, st := range want {
		if r := got[name]; r.Status != st {
			t.Errorf("%s: %s (detail %q, err %v), want %s", name, r.Status, r.Detail, r.Err, st)
		}
	}
	hf := got["test_a_hardfault.py"]
	if !hf.Crashed || hf.Err != nil || !strings.Contains(hf.Detail, "HardFault") || !strings.Contains(hf.Detail, "pc=0x") || !strings.Contains(hf.Detail, "recovered") {
		t.Errorf("hard fault: crashed %v err %v detail %q", hf.Crashed, hf.Err, hf.Detail)
	}
	// The PC is named from the ELF's symbols: "pc=0x... function+0x...".
	if i := strings.Index(hf.Detail, "pc=0x"); i < 0 || !strings.Contains(hf.Detail[i:], "+0x") {
		t.Errorf("hard fault PC not symbolised: %q", hf.Detail)
	}
	if hf.Stdout != "before\n" && !strings.HasPrefix(hf.Stdout, "before\n") {
		t.Errorf("hard fault stdout %q", hf.Stdout)
	}
	if r := got["test_b_after.py"]; r.Stdout != "after\n" {
		t.Errorf("after the fault: %q", r.Stdout)
	}
	if r := got["test_c_exit1.py"]; r.Detail != "sys.exit(1)" || r.Stdout != "bye\n" {
		t.Errorf("sys.exit(1): detail %q stdout %q", r.Detail, r.Stdout)
	}
	if r := got["test_k_exit_string.py"]; r.Detail != "sys.exit(1)" {
		t.Errorf("sys.exit('...'): detail %q", r.Detail)
	}
	if r := got["test_f_mpskip.py"]; r.Detail != "no sensor on this board" {
		t.Errorf("mpforge.skip reason %q", r.Detail)
	}
	if r := got["test_h_badexp.py"]; !strings.Contains(r.Detail, "- 41\n+ 42\n  done\n") {
		t.Errorf(".exp diff: %q", r.Detail)
	}
	if r := got["test_i_reboot.py"]; !r.Crashed || !strings.Contains(r.Detail, "rebooted") {
		t.Errorf("reboot: crashed %v detail %q", r.Crashed, r.Detail)
	}
	if r := got["test_j_last.py"]; r.Stdout != "last\n" {
		t.Errorf("after the reboot: %q", r.Stdout)
	}
	if !strings.HasPrefix(rep.Summary(), "FAIL: 11 scripts: 4 passed, 5 failed, 2 skipped, 0 timed out, 0 errors") {
		t.Errorf("summary %q", rep.Summary())
	}

	var x bytes.Buffer
	if err := device.WriteJUnit(&x, rep); err != nil {
		t.Fatal(err)
	}
	checkJUnitRules(t, x.Bytes(), []*device.Report{rep})
}

// junitDoc is what Jenkins' JUnit plugin and GitLab read (see junit.go).
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    *int     `xml:"tests,attr"`
	Failures *int     `xml:"failures,attr"`
	Errors   *int     `xml:"errors,attr"`
	Skipped  *int     `xml:"skipped,attr"`
	Time     *float64 `xml:"time,attr"`
	Suites   []struct {
		Name      string   `xml:"name,attr"`
		Tests     *int     `xml:"tests,attr"`
		Failures  *int     `xml:"failures,attr"`
		Errors    *int     `xml:"errors,attr"`
		Skipped   *int     `xml:"skipped,attr"`
		Time      *float64 `xml:"time,attr"`
		Timestamp string   `xml:"timestamp,attr"`
		Cases     []struct {
			Name      string   `xml:"name,attr"`
			Classname string   `xml:"classname,attr"`
			Time      *float64 `xml:"time,attr"`
			Failure   []struct {
				Message *string `xml:"message,attr"`
				Type    *string `xml:"type,attr"`
				Text    string  `xml:",chardata"`
			} `xml:"failure"`
			Error []struct {
				Message *string `xml:"message,attr"`
			} `xml:"error"`
			Skipped []struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// checkJUnitRules enforces the rules written in junit.go against the reports.
func checkJUnitRules(t *testing.T, data []byte, reports []*device.Report) {
	t.Helper()
	var doc junitDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("JUnit XML does not parse: %v\n%s", err, data)
	}
	if doc.Tests == nil || doc.Failures == nil || doc.Errors == nil || doc.Skipped == nil || doc.Time == nil {
		t.Fatalf("testsuites lacks tests/failures/errors/skipped/time:\n%s", data)
	}
	if len(doc.Suites) != len(reports) {
		t.Fatalf("%d testsuites, want one per board (%d)", len(doc.Suites), len(reports))
	}
	var tests, failures, errs, skipped int
	for i, s := range doc.Suites {
		r := reports[i]
		if s.Name != r.Target || s.Tests == nil || s.Failures == nil || s.Errors == nil || s.Skipped == nil || s.Time == nil || s.Timestamp == "" {
			t.Fatalf("testsuite %d lacks attributes: %+v", i, s)
		}
		if *s.Tests != len(r.Results) || len(s.Cases) != len(r.Results) ||
			*s.Failures != r.Count(device.Fail)+r.Count(device.Timeout) || *s.Errors != r.Count(device.Error) || *s.Skipped != r.Count(device.Skip) {
			t.Errorf("testsuite %s counts tests=%d failures=%d errors=%d skipped=%d for %s", s.Name, *s.Tests, *s.Failures, *s.Errors, *s.Skipped, r.Summary())
		}
		tests, failures, errs, skipped = tests+*s.Tests, failures+*s.Failures, errs+*s.Errors, skipped+*s.Skipped
		for j, c := range s.Cases {
			res := r.Results[j]
			if c.Name != res.Script || c.Classname != r.Target || c.Time == nil {
				t.Errorf("testcase %q classname %q time %v, want %q on %q", c.Name, c.Classname, c.Time, res.Script, r.Target)
			}
			children := len(c.Failure) + len(c.Error) + len(c.Skipped)
			wantChild := map[device.Status]int{device.Pass: 0, device.Fail: 1, device.Timeout: 1, device.Error: 1, device.Skip: 1}[res.Status]
			if children != wantChild {
				t.Errorf("testcase %s (%s) has %d result children", c.Name, res.Status, children)
			}
			switch res.Status {
			case device.Fail, device.Timeout:
				if len(c.Failure) != 1 || c.Failure[0].Message == nil || c.Failure[0].Type == nil || *c.Failure[0].Message == "" {
					t.Errorf("testcase %s: failure without message/type", c.Name)
				}
			case device.Skip:
				if len(c.Skipped) != 1 {
					t.Errorf("testcase %s: no <skipped>", c.Name)
				}
			case device.Error:
				if len(c.Error) != 1 || c.Error[0].Message == nil {
					t.Errorf("testcase %s: error without message", c.Name)
				}
			}
			if c.SystemOut != res.Stdout {
				t.Errorf("testcase %s system-out %q, want %q", c.Name, c.SystemOut, res.Stdout)
			}
		}
	}
	if *doc.Tests != tests || *doc.Failures != failures || *doc.Errors != errs || *doc.Skipped != skipped {
		t.Errorf("testsuites totals %d/%d/%d/%d, suites sum to %d/%d/%d/%d", *doc.Tests, *doc.Failures, *doc.Errors, *doc.Skipped, tests, failures, errs, skipped)
	}
}

// The runner asks the board which firmware it runs before the first
// script: the right build runs, any other is refused with no script run.
func TestRunChecksFirmware(t *testing.T) {
	t.Parallel()
	dir := writeScripts(t, map[string]string{"test_ok.py": "print('fine')\n"})
	fw := devtest.QEMU(t)
	digest, err := device.ELFDigest(fw.Kernel)
	if err != nil || len(digest) != 40 {
		t.Fatalf("ELFDigest = %q, %v; want a sha1 build-id", digest, err)
	}
	tg := startQEMU(t)
	tg.Expect = &device.Identity{Board: "mps2-an505", Digest: digest}
	var out syncbuf.Buffer
	rep, err := device.RunScripts(context.Background(), tg, []string{dir}, device.Options{Out: &out})
	if err != nil || rep.Firmware == nil || rep.Firmware.Digest != digest || rep.Firmware.MicroPython != "1.26.1" {
		t.Fatalf("right firmware: %v %+v\n%s", err, rep, out.String())
	}
	for _, wrong := range []device.Identity{
		{Board: "mps2-an505", Digest: strings.Repeat("0", 40)},
		{Board: "fr30xx", Digest: digest},
	} {
		tg.Expect = &wrong
		var out syncbuf.Buffer
		rep, err := device.RunScripts(context.Background(), tg, []string{dir}, device.Options{Out: &out})
		if !errors.Is(err, device.ErrWrongFirmware) || rep != nil || strings.Contains(out.String(), "=== RUN") {
			t.Errorf("expecting %v: err %v, report %v, output %q", wrong, err, rep, out.String())
		}
		if err != nil && !strings.Contains(err.Error(), "MPFORGE_FLASH=1") {
			t.Errorf("the refusal does not say what to do: %v", err)
		}
	}
}

// Two twins side by side give one merged report: one suite per board, the
// board as the classname, and every line of output prefixed with its board.
func TestRunRack(t *testing.T) {
	t.Parallel()
	dir := writeScripts(t, map[string]string{
		"test_a.py": "import time\ntime.sleep_ms(300)\nprint('a done')\n",
		"test_b.py": "print('SKIP')\nraise SystemExit\n",
		"test_c.py": "import sys\nsys.exit(2)\n",
	})
	one, two := startQEMU(t), startQEMU(t)
	one.Name, two.Name = "twin-1", "twin-2"
	var out syncbuf.Buffer
	reps, err := device.RunRack(context.Background(), []*device.Target{one, two}, []string{dir}, device.Options{Out: &out})
	t.Logf("output:\n%s", out.String())
	if !errors.Is(err, device.ErrScriptsFailed) || len(reps) != 2 {
		t.Fatalf("RunRack: %v, %d reports", err, len(reps))
	}
	for i, r := range reps {
		if r.Target != []string{"twin-1", "twin-2"}[i] || r.Count(device.Pass) != 1 || r.Count(device.Skip) != 1 || r.Count(device.Fail) != 1 {
			t.Errorf("report %d: %s %s", i, r.Target, r.Summary())
		}
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var table bool
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "board "):
			table = true
		case table:
		case !strings.HasPrefix(l, "[twin-1] ") && !strings.HasPrefix(l, "[twin-2] "):
			t.Errorf("line without its board: %q", l)
		}
	}
	if !strings.Contains(out.String(), "[twin-2] a done") || !strings.Contains(out.String(), "[twin-1] --- FAIL") {
		t.Errorf("output lacks prefixed lines")
	}
	rows := 0
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) == 8 && strings.HasPrefix(f[0], "twin-") && strings.Join(f[1:7], " ") == "3 1 1 1 0 0" {
			rows++
		}
	}
	if !table || rows != 2 {
		t.Errorf("no board x result table with a row per twin")
	}
	var x bytes.Buffer
	if err := device.WriteJUnit(&x, reps...); err != nil {
		t.Fatal(err)
	}
	checkJUnitRules(t, x.Bytes(), reps)
}
