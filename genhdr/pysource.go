package genhdr

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// makeqstrdata.py keeps data in its own source that decides the generated
// header: the fixed order of the static qstrs (part of the .mpy format), the
// qstrs that must sit in the first pool, and the names used to escape
// characters in identifiers. We read that data from the tree's script
// instead of carrying a copy, so each MicroPython version gets its own.

// qstrTables is the data read from a makeqstrdata.py.
type qstrTables struct {
	static   []string        // static_qstr_list, in order
	unsorted map[string]bool // unsorted_qstr_list
	names    map[rune]string // codepoint2name, with the script's additions
}

// pyToken is one token of the small Python subset the tables are written in.
type pyToken struct {
	kind byte // 'n' name, 'i' integer, 's' string, 'o' operator
	text string
	line int
}

// tokenizePython splits Python source into names, integers, strings and
// single-character operators, skipping comments and whitespace. Strings are
// decoded (escapes resolved unless raw). It is enough for literal tables,
// not for Python in general.
func tokenizePython(src string) ([]pyToken, error) {
	var toks []pyToken
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\\':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			s, n, err := pyStringLiteral(src[i:], false)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			toks = append(toks, pyToken{'s', s, line})
			line += strings.Count(src[i:i+n], "\n")
			i += n
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9' || src[j] >= 0x80) {
				j++
			}
			word := src[i:j]
			if j < len(src) && (src[j] == '"' || src[j] == '\'') && isStringPrefix(word) {
				s, n, err := pyStringLiteral(src[j:], strings.ContainsAny(word, "rR"))
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", line, err)
				}
				toks = append(toks, pyToken{'s', s, line})
				line += strings.Count(src[j:j+n], "\n")
				i = j + n
				continue
			}
			toks = append(toks, pyToken{'n', word, line})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] == '_' || src[j] == '.') {
				j++
			}
			toks = append(toks, pyToken{'i', src[i:j], line})
			i = j
		default:
			toks = append(toks, pyToken{'o', string(c), line})
			i++
		}
	}
	return toks, nil
}

func isStringPrefix(w string) bool {
	switch strings.ToLower(w) {
	case "r", "u", "b", "f", "br", "rb", "fr", "rf":
		return true
	}
	return false
}

// pyStringLiteral decodes the string literal at the start of s (single,
// double or triple quoted) and returns its value and its length in s.
func pyStringLiteral(s string, raw bool) (string, int, error) {
	q := s[:1]
	if strings.HasPrefix(s, strings.Repeat(q, 3)) {
		q = s[:3]
	}
	var b strings.Builder
	for i := len(q); i < len(s); {
		if strings.HasPrefix(s[i:], q) {
			return b.String(), i + len(q), nil
		}
		c := s[i]
		if c == '\n' && len(q) == 1 {
			break
		}
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		if raw {
			b.WriteString(s[i : i+2])
			i += 2
			continue
		}
		e := s[i+1]
		i += 2
		switch e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i - 1
			for i < len(s) && i-j < 3 && s[i] >= '0' && s[i] <= '7' {
				i++
			}
			v, _ := strconv.ParseUint(s[j:i], 8, 32)
			b.WriteRune(rune(v))
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+n > len(s) {
				return "", 0, fmt.Errorf("truncated \\%c escape", e)
			}
			v, err := strconv.ParseUint(s[i:i+n], 16, 32)
			if err != nil {
				return "", 0, fmt.Errorf("bad \\%c escape %q", e, s[i:i+n])
			}
			b.WriteRune(rune(v))
			i += n
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return "", 0, fmt.Errorf("unterminated string literal")
}

// parseQstrTables reads the tables out of the text of a makeqstrdata.py.
func parseQstrTables(script []byte) (*qstrTables, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("py/makeqstrdata.py: "+format+"; this MicroPython version's script has a shape genhdr does not know", args...)
	}
	toks, err := tokenizePython(string(script))
	if err != nil {
		return nil, fail("%v", err)
	}
	t := &qstrTables{unsorted: map[string]bool{}, names: map[rune]string{}}
	// is reports whether toks[i:] starts with the given token texts.
	is := func(i int, texts ...string) bool {
		if i+len(texts) > len(toks) {
			return false
		}
		for k, text := range texts {
			if toks[i+k].kind == 's' || toks[i+k].text != text {
				return false
			}
		}
		return true
	}
	// stringsUntil collects the string tokens after i up to the closing
	// bracket, which must hold only strings and commas.
	stringsUntil := func(i int, closing string) ([]string, error) {
		var out []string
		for ; i < len(toks); i++ {
			switch {
			case toks[i].kind == 's':
				out = append(out, toks[i].text)
			case is(i, ","):
			case is(i, closing):
				return out, nil
			default:
				return nil, fmt.Errorf("unexpected %q on line %d", toks[i].text, toks[i].line)
			}
		}
		return nil, fmt.Errorf("missing %q", closing)
	}
	var haveStatic, haveUnsorted, haveNames bool
	for i := 0; i < len(toks); i++ {
		if i > 0 && toks[i-1].line == toks[i].line {
			continue // the tables are top-level statements, each starting a line
		}
		switch {
		case is(i, "static_qstr_list", "=", "["):
			if t.static, err = stringsUntil(i+3, "]"); err != nil {
				return nil, fail("static_qstr_list: %v", err)
			}
			haveStatic = true
		case is(i, "unsorted_qstr_list", "=", "{"):
			list, err := stringsUntil(i+3, "}")
			if err != nil {
				return nil, fail("unsorted_qstr_list: %v", err)
			}
			for _, s := range list {
				t.unsorted[s] = true
			}
			haveUnsorted = true
		case is(i, "codepoint2name", "=", "{"):
			j := i + 3
			for ; j+2 < len(toks) && toks[j].kind == 'i' && is(j+1, ":") && toks[j+2].kind == 's'; j += 3 {
				cp, err := strconv.Atoi(toks[j].text)
				if err != nil {
					return nil, fail("codepoint2name key %q: %v", toks[j].text, err)
				}
				t.names[rune(cp)] = toks[j+2].text
				if is(j+3, ",") {
					j++
				}
			}
			if !is(j, "}") {
				return nil, fail("codepoint2name: unexpected token on line %d", toks[min(j, len(toks)-1)].line)
			}
			haveNames = true
		case is(i, "codepoint2name", "[", "ord", "("):
			if i+8 >= len(toks) || toks[i+4].kind != 's' || !is(i+5, ")", "]", "=") || toks[i+8].kind != 's' {
				return nil, fail("codepoint2name assignment on line %d", toks[i].line)
			}
			r, n := utf8.DecodeRuneInString(toks[i+4].text)
			if n == 0 || n != len(toks[i+4].text) {
				return nil, fail("ord() of %q on line %d", toks[i+4].text, toks[i].line)
			}
			t.names[r] = toks[i+8].text
		}
	}
	switch {
	case !haveStatic || len(t.static) == 0:
		return nil, fail("no static_qstr_list")
	case !haveUnsorted:
		return nil, fail("no unsorted_qstr_list")
	case !haveNames:
		return nil, fail("no codepoint2name table")
	}
	return t, nil
}
