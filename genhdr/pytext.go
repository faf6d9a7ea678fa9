package genhdr

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// The upstream scripts read their inputs as Python text. These helpers give
// the same view of bytes, so that line splitting and whitespace handling
// match exactly.

// pyIsSpace reports whether Python's str.isspace (and the Unicode \s of its
// re module) treats r as whitespace. It is wider than unicode.IsSpace:
// U+001C..U+001F count as well.
func pyIsSpace(r rune) bool {
	switch {
	case r >= 0x09 && r <= 0x0d, r >= 0x1c && r <= 0x20, r == 0x85, r == 0xa0:
		return true
	case r < 0x1680:
		return false
	case r == 0x1680, r >= 0x2000 && r <= 0x200a, r == 0x2028, r == 0x2029,
		r == 0x202f, r == 0x205f, r == 0x3000:
		return true
	}
	return false
}

// pySpaceClass is Python's Unicode \s as a Go regexp character class.
const pySpaceClass = `[\x09-\x0d\x1c-\x20\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]`

// pyRegexp compiles a pattern written with `\s` meaning Python's Unicode
// whitespace. Go's regexp picks the same submatches as Python's backtracking
// engine (leftmost-first), so the patterns carry over otherwise unchanged.
func pyRegexp(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, `\s`, pySpaceClass))
}

// pyStrip is Python's str.strip() with no arguments.
func pyStrip(s string) string {
	return strings.TrimFunc(s, pyIsSpace)
}

// pyLines splits text the way Python's text mode iterates a file with
// universal newlines: "\n", "\r\n" and a lone "\r" all end a line. The
// returned lines carry no terminator; a final empty remainder is no line.
func pyLines(text []byte, yield func(line []byte)) {
	for len(text) > 0 {
		end, next := len(text), len(text)
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			end, next = i, i+1
		}
		// A '\r' before the '\n' ends the line earlier, as "\r" or "\r\n".
		if j := bytes.IndexByte(text[:end], '\r'); j >= 0 {
			end, next = j, j+1
			if next < len(text) && text[next] == '\n' {
				next++
			}
		}
		yield(text[:end])
		text = text[next:]
	}
}

// checkUTF8 fails the way the scripts do (they decode their input as UTF-8
// and stop on the first invalid byte), with a message that names the input.
func checkUTF8(what string, b []byte) error {
	if utf8.Valid(b) {
		return nil
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return fmt.Errorf("%s is not valid UTF-8 (byte 0x%02x at offset %d); the MicroPython scripts reject such input too: fix the source encoding", what, b[i], i)
		}
		i += n
	}
	return nil
}

// pyInt parses a decimal integer the way Python's int(str) does for the
// values that can appear in a preprocessed QCFG line: surrounding
// whitespace, an optional sign, digits with single underscores between them.
func pyInt(s string) (int, error) {
	t := pyStrip(s)
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if t == "" || t[0] == '_' || t[len(t)-1] == '_' || strings.Contains(t, "__") {
		return 0, fmt.Errorf("invalid literal for int(): %q", s)
	}
	v := 0
	for _, c := range t {
		if c == '_' {
			continue
		}
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("invalid literal for int(): %q", s)
		}
		v = v*10 + int(c-'0')
		if v > 1<<30 {
			return 0, fmt.Errorf("integer %q is out of range", s)
		}
	}
	if neg {
		v = -v
	}
	return v, nil
}
