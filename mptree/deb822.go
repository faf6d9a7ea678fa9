package mptree

import (
	"strings"
)

// paragraph is one deb822 stanza (a .sources entry, a .dsc, an apt-cache showsrc record).
// Keys are lower-cased (deb822 field names are case-insensitive). A value keeps its
// continuation lines, each after a "\n" with its one leading space removed, so multi-line
// fields (checksum lists, an inline Signed-By key) can be read or written back.
type paragraph map[string]string

// parseDeb822 splits text into paragraphs. Comment lines (#) are skipped; a blank line ends
// a paragraph.
func parseDeb822(text string) []paragraph {
	var out []paragraph
	var cur paragraph
	var key string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.TrimSpace(line) == "":
			if cur != nil {
				out = append(out, cur)
			}
			cur, key = nil, ""
		case strings.HasPrefix(line, "#"):
		case line[0] == ' ' || line[0] == '\t':
			if cur != nil && key != "" {
				cur[key] += "\n" + line[1:]
			}
		default:
			name, value, ok := strings.Cut(line, ":")
			if !ok {
				key = "" // not a field; ignore it and anything continuing it
				continue
			}
			if cur == nil {
				cur = paragraph{}
			}
			key = strings.ToLower(strings.TrimSpace(name))
			cur[key] = strings.TrimSpace(value)
		}
	}
	if cur != nil {
		out = append(out, cur)
	}
	return out
}

// fields splits a whitespace-separated list value (Types, URIs, Suites).
func (p paragraph) fields(key string) []string {
	return strings.Fields(p[key])
}

// lines returns a multi-line value's non-empty continuation lines, trimmed
// (the rows of Checksums-Sha256).
func (p paragraph) lines(key string) []string {
	var out []string
	rows := strings.Split(p[key], "\n")
	for _, r := range rows[1:] {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// stripPGP returns the signed text of a clearsigned message (a .dsc), or text unchanged when
// it is not clearsigned. apt has already verified the file against the signed archive index;
// we only need its fields.
func stripPGP(text string) string {
	trimmed := strings.TrimLeft(text, "\r\n")
	if !strings.HasPrefix(trimmed, "-----BEGIN PGP SIGNED MESSAGE-----") {
		return text
	}
	lines := strings.Split(trimmed, "\n")
	var out []string
	inHeader := true
	for _, l := range lines[1:] {
		l = strings.TrimRight(l, "\r")
		if inHeader {
			// Armor headers ("Hash: SHA512") end at the first blank line.
			if l == "" {
				inHeader = false
			}
			continue
		}
		if strings.HasPrefix(l, "-----BEGIN PGP SIGNATURE-----") {
			break
		}
		out = append(out, strings.TrimPrefix(l, "- ")) // undo dash-escaping
	}
	return strings.Join(out, "\n")
}
