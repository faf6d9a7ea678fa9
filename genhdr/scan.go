package genhdr

import (
	"bufio"
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// mode is one of makeqstrdefs.py's extraction modes. The names are the
// script's own; they name the split files and the sections of a serialised
// Found.
type mode int

const (
	modeQstr mode = iota
	modeCompress
	modeModule
	modeRootPointer
	numModes
)

var modeNames = [numModes]string{"qstr", "compress", "module", "root_pointer"}

var (
	reCompress    = pyRegexp(`MP_COMPRESSED_ROM_TEXT\("([^"]*)"\)`)
	reModule      = pyRegexp(`(?:MP_REGISTER_MODULE|MP_REGISTER_EXTENSIBLE_MODULE|MP_REGISTER_MODULE_DELEGATION)\(.*?,\s*.*?\);`)
	reRootPointer = pyRegexp(`MP_REGISTER_ROOT_POINTER\(.*?\);`)
)

// Found is what one preprocessed translation unit registers, as
// makeqstrdefs.py "split" sees it: for each mode, the lines it would write
// per source file named in the line markers. Keys are the script's split
// file names (the source path with "/" turned into "__" and so on), so two
// units that both contain the same included .c file collide exactly as the
// split files do.
type Found struct {
	files [numModes]map[string][]string
}

// Scan extracts what one preprocessed source (the output of
// `gcc -E -DNO_QSTR ...`) registers: MP_QSTR_xxx uses, MP_REGISTER_MODULE,
// MP_REGISTER_EXTENSIBLE_MODULE and MP_REGISTER_MODULE_DELEGATION,
// MP_REGISTER_ROOT_POINTER and MP_COMPRESSED_ROM_TEXT strings, with
// makeqstrdefs.py's matching rules.
//
// Unlike the script, Scan accepts input that is not valid UTF-8; such bytes
// never match an identifier, and the generators reject them if they reach a
// header.
func Scan(preprocessed []byte) *Found {
	f := &Found{}
	for m := range f.files {
		f.files[m] = map[string][]string{}
	}
	var (
		cur string // source file of the current section; "" before the first marker
		out [numModes][]string
	)
	flush := func() {
		for m := range out {
			// Like the script, an empty section writes nothing, so it cannot
			// wipe what an earlier section of the same file found. Lines
			// before the first marker have no file; the script would crash
			// on them, we drop them.
			if len(out[m]) > 0 && cur != "" {
				f.files[m][splitName(cur)] = out[m]
			}
			out[m] = nil
		}
	}
	pyLines(preprocessed, func(line []byte) {
		if len(line) > 0 && line[0] == '#' {
			if name, ok := lineMarker(line); ok {
				if isCSource(name) || isCxxSource(name) {
					if name != cur {
						flush()
						cur = name
					}
				}
				return
			}
		}
		if !bytes.Contains(line, []byte("MP_")) {
			return
		}
		out[modeQstr] = appendQstrs(out[modeQstr], line)
		if bytes.Contains(line, []byte("MP_COMPRESSED_ROM_TEXT(")) {
			for _, m := range reCompress.FindAllSubmatch(line, -1) {
				out[modeCompress] = append(out[modeCompress], string(m[1]))
			}
		}
		if bytes.Contains(line, []byte("MP_REGISTER_")) {
			for _, m := range reModule.FindAll(line, -1) {
				out[modeModule] = append(out[modeModule], string(m))
			}
			for _, m := range reRootPointer.FindAll(line, -1) {
				out[modeRootPointer] = append(out[modeRootPointer], string(m))
			}
		}
	})
	flush()
	return f
}

// appendQstrs finds the matches of MP_QSTR_[_a-zA-Z0-9]+ and appends a
// Q(name) line for each, name being the match with every "MP_QSTR_" removed
// (so MP_QSTR_MP_QSTR_x gives Q(x), as in the script).
func appendQstrs(out []string, line []byte) []string {
	const prefix = "MP_QSTR_"
	for {
		i := bytes.Index(line, []byte(prefix))
		if i < 0 {
			return out
		}
		j := i + len(prefix)
		for j < len(line) && isIdentByte(line[j]) {
			j++
		}
		if j == i+len(prefix) {
			line = line[i+1:]
			continue
		}
		name := strings.ReplaceAll(string(line[i:j]), prefix, "")
		out = append(out, "Q("+name+")")
		line = line[j:]
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// lineMarker matches a preprocessor line marker the way the script's
// ^#(?:line)?\s+\d+\s"([^"]+)" does, with Python's Unicode \s and \d,
// and returns the file name.
func lineMarker(line []byte) (string, bool) {
	s := line[1:]
	if bytes.HasPrefix(s, []byte("line")) {
		if r, _ := utf8.DecodeRune(s[4:]); pyIsSpace(r) {
			s = s[4:]
		}
	}
	s, n := skipRunes(s, pyIsSpace)
	if n == 0 {
		return "", false
	}
	s, n = skipRunes(s, unicode.IsDigit)
	if n == 0 {
		return "", false
	}
	r, size := utf8.DecodeRune(s)
	if !pyIsSpace(r) || len(s) <= size || s[size] != '"' {
		return "", false
	}
	s = s[size+1:]
	end := bytes.IndexByte(s, '"')
	if end <= 0 {
		return "", false
	}
	return string(s[:end]), true
}

func skipRunes(s []byte, pred func(rune) bool) ([]byte, int) {
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		if r == utf8.RuneError && size == 1 || !pred(r) {
			break
		}
		s = s[size:]
		n++
	}
	return s, n
}

// pySplitExt returns the extension as Python's os.path.splitext does on
// POSIX: from the last dot of the last path element, unless that element
// is only dots before it.
func pySplitExt(p string) string {
	base := p[strings.LastIndexByte(p, '/')+1:]
	dot := strings.LastIndexByte(base, '.')
	if dot <= 0 || strings.Trim(base[:dot], ".") == "" {
		return ""
	}
	return base[dot:]
}

func isCSource(name string) bool { return pySplitExt(name) == ".c" }

func isCxxSource(name string) bool {
	switch pySplitExt(name) {
	case ".cc", ".cp", ".cxx", ".cpp", ".CPP", ".c++", ".C":
		return true
	}
	return false
}

// splitName is the script's split file name for a source path (without the
// ".<mode>" suffix).
func splitName(source string) string {
	for _, r := range [][2]string{{"/", "__"}, {"\\", "__"}, {":", "@"}, {"..", "@@"}} {
		source = strings.ReplaceAll(source, r[0], r[1])
	}
	return source
}

const foundHeader = "mpforge-genhdr-found 1"

// MarshalBinary encodes f as stable text: a header line, then per mode and
// file (in sorted order) a line "<mode> <count> <file>" followed by that
// many lines. Scanned lines never contain '\n' or '\r', so no escaping is
// needed.
func (f *Found) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(foundHeader + "\n")
	for m := range numModes {
		names := make([]string, 0, len(f.files[m]))
		for name := range f.files[m] {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			lines := f.files[m][name]
			fmt.Fprintf(&b, "%s %d %s\n", modeNames[m], len(lines), name)
			for _, l := range lines {
				b.WriteString(l)
				b.WriteByte('\n')
			}
		}
	}
	return b.Bytes(), nil
}

// splitLF splits at '\n' alone: bufio.ScanLines would also drop a '\r'
// before it, which a scanned line may end with.
func splitLF(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (f *Found) UnmarshalBinary(data []byte) error {
	var g Found
	for m := range g.files {
		g.files[m] = map[string][]string{}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	sc.Split(splitLF)
	lineNo := 0
	next := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		lineNo++
		return sc.Text(), true
	}
	bad := func(why string) error {
		return fmt.Errorf("genhdr: corrupt scan result at line %d: %s; delete the file so the source is scanned again", lineNo, why)
	}
	if h, ok := next(); !ok || h != foundHeader {
		return bad("missing header " + strconv.Quote(foundHeader))
	}
	for {
		h, ok := next()
		if !ok {
			break
		}
		parts := strings.SplitN(h, " ", 3)
		if len(parts) != 3 {
			return bad("want \"<mode> <count> <file>\"")
		}
		m := mode(-1)
		for i, name := range modeNames {
			if name == parts[0] {
				m = mode(i)
			}
		}
		if m < 0 {
			return bad("unknown mode " + strconv.Quote(parts[0]))
		}
		n, err := strconv.Atoi(parts[1])
		if err != nil || n < 0 {
			return bad("bad line count " + strconv.Quote(parts[1]))
		}
		lines := make([]string, 0, min(n, 1024)) // a corrupt count must not allocate it
		for range n {
			l, ok := next()
			if !ok {
				return bad("file ends inside a section")
			}
			lines = append(lines, l)
		}
		g.files[m][parts[2]] = lines
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("genhdr: reading scan result: %w", err)
	}
	*f = g
	return nil
}
