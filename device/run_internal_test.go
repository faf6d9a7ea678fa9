package device

import (
	"strings"
	"testing"
	"time"
)

func TestScriptTimeout(t *testing.T) {
	const def = time.Minute
	for _, tc := range []struct {
		src  string
		want time.Duration
		err  string
	}{
		{"print(1)\n", def, ""},
		{"# mpforge: timeout=300\nprint(1)\n", 300 * time.Second, ""},
		{"#!/usr/bin/env micropython\n\n#   mpforge:timeout = 2.5\n", 2500 * time.Millisecond, ""},
		{"# soak test\n# mpforge: timeout=10m\n", 10 * time.Minute, ""},
		{"import x\n# mpforge: timeout=5\n", def, ""}, // only leading comments count
		{"# mpforge: timeout=soon\n", 0, "give seconds"},
		{"# mpforge: timeout=-1\n", 0, "give seconds"},
	} {
		got, err := scriptTimeout([]byte(tc.src), def)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("scriptTimeout(%q) error = %v, want %q", tc.src, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("scriptTimeout(%q) = %v, %v; want %v", tc.src, got, err, tc.want)
		}
	}
}

func TestLineWriter(t *testing.T) {
	var b strings.Builder
	w := newLineWriter(&b, nil)
	for _, part := range []string{"a\r", "\nb", "\r\n\r", "\nc"} {
		w.Write([]byte(part))
	}
	w.Flush()
	if b.String() != "a\nb\n\nc" {
		t.Errorf("plain = %q", b.String())
	}
	b.Reset()
	w = newLineWriter(&b, strings.NewReplacer(`File "<stdin>"`, `File "t.py"`))
	for _, part := range []string{`  File "<st`, "din>\", line 3\r\n", "ValueError: x\r\n", "tail"} {
		w.Write([]byte(part))
	}
	w.Flush()
	if want := "  File \"t.py\", line 3\nValueError: x\ntail"; b.String() != want {
		t.Errorf("replaced = %q, want %q", b.String(), want)
	}
}
