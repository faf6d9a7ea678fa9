package device

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestScriptsCollection(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"val/test_adc.py", "val/uart_test.py", "val/mylib.py", "val/data/vectors.py",
		"val/sub/test_deep.py", "val/notes.txt", "smoke/test_boot.py", "smoke/.hidden/test_x.py", "other/check.py"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("pass\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	j := func(p ...string) []string {
		for i := range p {
			p[i] = filepath.Join(dir, p[i])
		}
		return p
	}
	re := func(s string) []*regexp.Regexp { return []*regexp.Regexp{regexp.MustCompile(s)} }
	for _, tc := range []struct {
		name  string
		paths []string
		f     Filter
		want  []string
	}{
		{"folder: tests only, not helpers or sub-folders", j("val"), Filter{}, j("val/test_adc.py", "val/uart_test.py")},
		{"a file named runs whatever its name", j("other/check.py"), Filter{}, j("other/check.py")},
		{"comma-separated, each once", []string{strings.Join(j("smoke", "val", "smoke/test_boot.py"), ",")}, Filter{}, j("smoke/test_boot.py", "val/test_adc.py", "val/uart_test.py")},
		{"doublestar glob, hidden folders left out", j("**/test_*.py"), Filter{}, j("smoke/test_boot.py", "val/sub/test_deep.py", "val/test_adc.py")},
		{"include", j("val"), Filter{Include: re(`adc`)}, j("val/test_adc.py")},
		{"exclude", j("val"), Filter{Exclude: re(`adc`)}, j("val/uart_test.py")},
	} {
		got, err := Scripts(tc.paths, tc.f)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Scripts(%v) = %v, %v; want %v", tc.name, tc.paths, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		paths []string
		f     Filter
		want  string
	}{
		{j("other"), Filter{}, "no tests in"},
		{j("nope/*.py"), Filter{}, "matches no .py file"},
		{j("val"), Filter{Include: re(`zzz`)}, "filtered out"},
	} {
		if _, err := Scripts(tc.paths, tc.f); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Scripts(%v) = %v, want %q", tc.paths, err, tc.want)
		}
	}
}

func TestDecodeFault(t *testing.T) {
	line := "FATAL: HardFault pc=0x10000272 lr=0x10000239 hfsr=0x40000000 cfsr=0x00008200 mmfar=0x00000000 bfar=0xf0000000"
	got := DecodeFault(line, "")
	want := "HardFault (escalated): precise data bus error (PRECISERR), faulting address 0xf0000000; pc=0x10000272; lr=0x10000239"
	if got != want {
		t.Errorf("DecodeFault = %q\nwant %q", got, want)
	}
	got = DecodeFault("FATAL: HardFault pc=0x00000100 lr=0xfffffff9 hfsr=0x40000000 cfsr=0x02000000 mmfar=0x0 bfar=0x0", "")
	if !strings.Contains(got, "division by zero (DIVBYZERO)") || strings.Contains(got, "faulting address") {
		t.Errorf("DIVBYZERO: %q", got)
	}
	if got := DecodeFault("FATAL: assertion 'x' failed at a.c:3", ""); got != "FATAL: assertion 'x' failed at a.c:3" {
		t.Errorf("assertion: %q", got)
	}
	s := symbols{{"f", 0x100, 0x20}, {"g", 0x200, 0x10}}
	for addr, want := range map[uint32]string{0x101: "f+0x0", 0x11e: "f+0x1e", 0x120: "", 0x20f: "g+0xe", 0x50: ""} {
		if got := s.name(addr); got != want {
			t.Errorf("name(%#x) = %q, want %q", addr, got, want)
		}
	}
}

func TestStampWriter(t *testing.T) {
	var b strings.Builder
	w := newStampWriter(&b, "[b1] ", true)
	w.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 678e6, time.UTC) }
	w.Write([]byte("one\ntw"))
	w.Write([]byte("o\nthree"))
	w.Flush()
	if want := "03:04:05.678 [b1] one\n03:04:05.678 [b1] two\n03:04:05.678 [b1] three\n"; b.String() != want {
		t.Errorf("stamped = %q", b.String())
	}
}

func TestLineDiff(t *testing.T) {
	if d := lineDiff("a\nb\n", "a\nb\n"); d != "" {
		t.Errorf("equal: %q", d)
	}
	if d := lineDiff("a\nb\nc\n", "a\nB\nc\nd"); d != "  a\n- b\n+ B\n  c\n+ d\n" {
		t.Errorf("diff = %q", d)
	}
}

func TestCheckJUnitPath(t *testing.T) {
	dir := t.TempDir()
	if err := CheckJUnitPath(filepath.Join(dir, "r.xml")); err != nil {
		t.Errorf("writable folder: %v", err)
	}
	if err := CheckJUnitPath(filepath.Join(dir, "missing", "r.xml")); err == nil || !strings.Contains(err.Error(), "create it first") {
		t.Errorf("missing folder: %v", err)
	}
	if err := CheckJUnitPath(dir); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("a folder: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the check left %v behind", entries)
	}
}
