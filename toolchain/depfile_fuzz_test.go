package toolchain

import (
	"slices"
	"strings"
	"testing"
)

// escapeDep writes a prerequisite the way gcc -MD does: spaces and # behind
// a backslash, $ doubled.
func escapeDep(p string) string {
	return strings.NewReplacer(" ", `\ `, "#", `\#`, "$", "$$").Replace(p)
}

// FuzzParseDepfile: any bytes parse without a panic, and the paths of a
// depfile written the way gcc writes it (escapes, continuation lines)
// come back exactly.
func FuzzParseDepfile(f *testing.F) {
	f.Add([]byte("obj/py/obj.o: py/obj.c py/mpconfig.h \\\n port/mpconfigport.h\n"), "py/obj.c\x00My Documents/x#1.h\x00a$b.h")
	f.Add([]byte("o.o: \\\r\n a.c\r\n\na.c:\n"), "C:/Program Files/Arm/include/stdio.h")
	f.Add([]byte(": :\\"), "")
	f.Fuzz(func(t *testing.T, raw []byte, list string) {
		ParseDepfile(raw)
		want := strings.Split(list, "\x00")
		for _, p := range want {
			// A path a depfile can name: no newline, tab or backslash (which
			// a Makefile cannot spell unambiguously), no blank at the ends.
			if p == "" || strings.ContainsAny(p, "\n\r\t\\") || strings.TrimSpace(p) != p {
				return
			}
		}
		var b strings.Builder
		b.WriteString("out/obj.o:")
		for i, p := range want {
			b.WriteString(" " + escapeDep(p))
			if i%3 == 2 {
				b.WriteString(" \\\n")
			}
		}
		b.WriteString("\n" + escapeDep(want[0]) + ":\n") // -MP's phony rule
		if got := ParseDepfile([]byte(b.String())); !slices.Equal(got, want) {
			t.Fatalf("depfile %q\nparsed %q\nwant   %q", b.String(), got, want)
		}
	})
}
