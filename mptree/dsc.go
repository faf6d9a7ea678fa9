package mptree

import (
	"fmt"
	"strconv"
	"strings"
)

// dscFile is one file a Debian source package consists of, from the .dsc's Checksums-Sha256.
type dscFile struct {
	Name   string
	Size   int64
	SHA256 string
}

// dsc holds the fields of a Debian source control file that Fetch needs.
type dsc struct {
	Source  string
	Version string
	Files   []dscFile
}

// parseDSC reads a (possibly clearsigned) .dsc.
func parseDSC(text string) (dsc, error) {
	ps := parseDeb822(stripPGP(text))
	if len(ps) == 0 {
		return dsc{}, fmt.Errorf("empty .dsc")
	}
	p := ps[0]
	d := dsc{Source: p["source"], Version: p["version"]}
	if d.Source == "" || d.Version == "" {
		return dsc{}, fmt.Errorf(".dsc lacks Source or Version")
	}
	for _, row := range p.lines("checksums-sha256") {
		f := strings.Fields(row)
		if len(f) != 3 {
			return dsc{}, fmt.Errorf(".dsc Checksums-Sha256: malformed row %q", row)
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || size < 0 || len(f[0]) != 64 {
			return dsc{}, fmt.Errorf(".dsc Checksums-Sha256: malformed row %q", row)
		}
		d.Files = append(d.Files, dscFile{Name: f[2], Size: size, SHA256: strings.ToLower(f[0])})
	}
	if len(d.Files) == 0 {
		return dsc{}, fmt.Errorf(".dsc has no Checksums-Sha256 entries")
	}
	return d, nil
}

// origTarball returns the upstream tarball (<name>_<upstream>.orig.tar.<xz|gz|bz2>).
func (d dsc) origTarball() (dscFile, error) {
	for _, f := range d.Files {
		if strings.Contains(f.Name, ".orig.tar.") {
			return f, nil
		}
	}
	return dscFile{}, fmt.Errorf("%s %s: .dsc lists no .orig tarball", d.Source, d.Version)
}

// upstreamOf returns the MicroPython version inside a Debian version: "1.26.1+ds-1" -> 1.26.1
// (epoch, Debian revision and repack suffixes such as +ds or ~rc dropped).
func upstreamOf(debVersion string) (Version, error) {
	v := debVersion
	if _, after, ok := strings.Cut(v, ":"); ok {
		v = after
	}
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		v = v[:i]
	}
	if i := strings.IndexAny(v, "+~"); i >= 0 {
		v = v[:i]
	}
	return ParseVersion(v)
}

// pickSourceVersion chooses, among the Debian versions apt knows (apt-cache showsrc), the
// newest packaging of upstream version want. Pinning the upstream version rather than the
// Debian revision keeps setup working after Debian uploads a new revision (and drops the old one).
func pickSourceVersion(showsrc string, want Version) (string, bool) {
	best := ""
	for _, p := range parseDeb822(showsrc) {
		if p["package"] != "micropython" {
			continue
		}
		v := p["version"]
		up, err := upstreamOf(v)
		if err != nil || up != want {
			continue
		}
		if best == "" || compareDebian(v, best) > 0 {
			best = v
		}
	}
	return best, best != ""
}

// compareDebian orders Debian version strings as dpkg does (epoch, then upstream, then
// revision, each compared with dpkg's mixed alphabetic/numeric rule).
func compareDebian(a, b string) int {
	ea, ua, ra := splitDebian(a)
	eb, ub, rb := splitDebian(b)
	if ea != eb {
		if ea < eb {
			return -1
		}
		return 1
	}
	if c := verrevcmp(ua, ub); c != 0 {
		return c
	}
	return verrevcmp(ra, rb)
}

func splitDebian(v string) (epoch int, upstream, revision string) {
	if e, rest, ok := strings.Cut(v, ":"); ok {
		epoch, _ = strconv.Atoi(e)
		v = rest
	}
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		return epoch, v[:i], v[i+1:]
	}
	return epoch, v, ""
}

// verrevcmp is dpkg's comparison of one version part: alternating runs of non-digits
// (compared by order, where '~' sorts before everything, even the end) and digits
// (compared numerically).
func verrevcmp(a, b string) int {
	order := func(s string, i int) int {
		if i >= len(s) {
			return 0
		}
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			return 0
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			return int(c)
		case c == '~':
			return -1
		default:
			return int(c) + 256
		}
	}
	isDigit := func(s string, i int) bool { return i < len(s) && s[i] >= '0' && s[i] <= '9' }
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for (i < len(a) && !isDigit(a, i)) || (j < len(b) && !isDigit(b, j)) {
			if oa, ob := order(a, i), order(b, j); oa != ob {
				if oa < ob {
					return -1
				}
				return 1
			}
			i++
			j++
		}
		for i < len(a) && a[i] == '0' {
			i++
		}
		for j < len(b) && b[j] == '0' {
			j++
		}
		diff := 0
		for isDigit(a, i) && isDigit(b, j) {
			if diff == 0 {
				diff = int(a[i]) - int(b[j])
			}
			i++
			j++
		}
		if isDigit(a, i) {
			return 1
		}
		if isDigit(b, j) {
			return -1
		}
		if diff != 0 {
			if diff < 0 {
				return -1
			}
			return 1
		}
	}
	return 0
}
