package mptree

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// aptEntry is one repository entry of the system's apt configuration.
type aptEntry struct {
	File     string // where it was read, for messages
	Types    []string
	URIs     []string
	Suites   []string
	SignedBy string // a keyring path, fingerprints, or an inline key (deb822 multi-line value)
}

// parseDeb822Sources reads entries from a deb822 .sources file, skipping disabled ones.
func parseDeb822Sources(file, text string) []aptEntry {
	var out []aptEntry
	for _, p := range parseDeb822(text) {
		if strings.EqualFold(p["enabled"], "no") {
			continue
		}
		out = append(out, aptEntry{
			File:     file,
			Types:    p.fields("types"),
			URIs:     p.fields("uris"),
			Suites:   p.fields("suites"),
			SignedBy: p["signed-by"],
		})
	}
	return out
}

// parseOneLineSources reads entries from a one-line-style sources.list:
//
//	deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
func parseOneLineSources(file, text string) []aptEntry {
	var out []aptEntry
	for _, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 || (f[0] != "deb" && f[0] != "deb-src") {
			continue
		}
		e := aptEntry{File: file, Types: []string{f[0]}}
		rest := strings.Join(f[1:], " ")
		if strings.HasPrefix(rest, "[") {
			opts, after, ok := strings.Cut(rest[1:], "]")
			if !ok {
				continue // malformed; apt would reject it too
			}
			for _, o := range strings.Fields(opts) {
				if k, v, ok := strings.Cut(o, "="); ok && strings.EqualFold(k, "signed-by") {
					e.SignedBy = v
				}
			}
			rest = after
		}
		f = strings.Fields(rest)
		if len(f) < 2 {
			continue // needs at least URI and suite
		}
		e.URIs = []string{f[0]}
		e.Suites = []string{f[1]}
		out = append(out, e)
	}
	return out
}

// systemEntries reads every entry of the apt configuration under etcApt (normally /etc/apt):
// sources.list and sources.list.d/*.list in one-line format, sources.list.d/*.sources in deb822.
func systemEntries(etcApt string) ([]aptEntry, error) {
	var out []aptEntry
	read := func(file string, parse func(string, string) []aptEntry) error {
		b, err := os.ReadFile(file)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		out = append(out, parse(file, string(b))...)
		return nil
	}
	if err := read(filepath.Join(etcApt, "sources.list"), parseOneLineSources); err != nil {
		return nil, err
	}
	parts, err := filepath.Glob(filepath.Join(etcApt, "sources.list.d", "*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(parts)
	for _, f := range parts {
		switch filepath.Ext(f) {
		case ".list":
			err = read(f, parseOneLineSources)
		case ".sources":
			err = read(f, parseDeb822Sources)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// debianArchive is the part of a system entry we reuse: the mirror and how its archive is signed.
type debianArchive struct {
	URI      string
	SignedBy string
	File     string
}

// pickDebian finds the entry for Debian's main archive: a URI whose path ends in /debian
// (not debian-security or a third-party repository) and at least one suite that is a
// release rather than its -security/-updates/-backports companion.
func pickDebian(entries []aptEntry) (debianArchive, bool) {
	for _, e := range entries {
		if !hasReleaseSuite(e.Suites) {
			continue
		}
		for _, u := range e.URIs {
			if isDebianArchiveURI(u) {
				return debianArchive{URI: strings.TrimRight(u, "/"), SignedBy: e.SignedBy, File: e.File}, true
			}
		}
	}
	return debianArchive{}, false
}

func isDebianArchiveURI(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	return path.Base(strings.TrimRight(u.Path, "/")) == "debian"
}

func hasReleaseSuite(suites []string) bool {
	for _, s := range suites {
		if !strings.Contains(s, "-") && !strings.Contains(s, "/") {
			return true
		}
	}
	return false
}

// sourceSuites are where Debian carries the versions we support: 1.26.x in sid, 1.25.0 in trixie.
var sourceSuites = []string{"sid", "trixie"}

// privateSources renders our own deb822 entry for MicroPython's source package, on the same
// mirror and with the same signing key as the system's Debian entry.
func privateSources(a debianArchive) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by mpforge; derived from the Debian entry in %s.\n", a.File)
	b.WriteString("Types: deb-src\n")
	fmt.Fprintf(&b, "URIs: %s\n", a.URI)
	fmt.Fprintf(&b, "Suites: %s\n", strings.Join(sourceSuites, " "))
	b.WriteString("Components: main\n")
	if a.SignedBy != "" {
		// Continuation lines go back out with the one leading space deb822 requires.
		// An inline key's value starts on the next line; its blank lines are already ".".
		sep := " "
		if strings.HasPrefix(a.SignedBy, "\n") {
			sep = ""
		}
		fmt.Fprintf(&b, "Signed-By:%s%s\n", sep, strings.ReplaceAll(a.SignedBy, "\n", "\n "))
	}
	return b.String()
}
