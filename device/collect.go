package device

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Collection follows pytest: a file named on its own always runs; in a
// folder, the tests are its test_*.py and *_test.py files, and every other
// .py file and every sub-folder is support code and data that the tests
// import and read (not run). A path with a glob character (* ? [ {) is a
// doublestar pattern (tests/**/test_*.py); a path may list several,
// separated by commas.

// Filter picks scripts by regular expressions (Go syntax, unanchored)
// matched against the script's path as collected: with an Include, a script
// must match one; a script matching an Exclude is dropped.
type Filter struct {
	Include, Exclude []*regexp.Regexp
}

func (f Filter) keep(path string) bool {
	p := filepath.ToSlash(path)
	for _, re := range f.Exclude {
		if re.MatchString(p) {
			return false
		}
	}
	if len(f.Include) == 0 {
		return true
	}
	for _, re := range f.Include {
		if re.MatchString(p) {
			return true
		}
	}
	return false
}

// IsTestName reports whether a file in a folder is a test: test_*.py or *_test.py.
func IsTestName(name string) bool {
	if !strings.HasSuffix(name, ".py") {
		return false
	}
	return strings.HasPrefix(name, "test_") || strings.HasSuffix(name, "_test.py")
}

// SplitPaths splits comma-separated arguments into paths, dropping empty ones.
func SplitPaths(args ...string) []string {
	var out []string
	for _, a := range args {
		for _, p := range strings.Split(a, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// Scripts expands paths (see SplitPaths) into the scripts to run, in the
// order given, each folder's or glob's scripts in lexical order, each script
// once, then applies the filter.
func Scripts(paths []string, f Filter) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if c := filepath.Clean(p); !seen[c] {
			seen[c] = true
			out = append(out, p)
		}
	}
	for _, p := range SplitPaths(paths...) {
		if strings.ContainsAny(p, "*?[{") {
			matches, err := doublestar.FilepathGlob(p, doublestar.WithFilesOnly())
			if err != nil {
				return nil, fmt.Errorf("pattern %s: %w", p, err)
			}
			var found []string
			for _, m := range matches {
				if strings.HasSuffix(m, ".py") && !hidden(m) {
					found = append(found, m)
				}
			}
			if len(found) == 0 {
				return nil, fmt.Errorf("pattern %s matches no .py file", p)
			}
			sort.Strings(found)
			for _, m := range found {
				add(m)
			}
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("script %s: %w", p, err)
		}
		if !fi.IsDir() {
			add(p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", p, err)
		}
		n := 0
		for _, e := range entries { // ReadDir sorts by name
			if !e.IsDir() && IsTestName(e.Name()) {
				add(filepath.Join(p, e.Name()))
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("no tests in %s: test scripts are named test_*.py or *_test.py (other .py files there are helpers); name a script to run it anyway", p)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no scripts given")
	}
	kept := out[:0]
	for _, s := range out {
		if f.keep(s) {
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("all %d scripts were filtered out (check MPFORGE_TEST_INCLUDE and MPFORGE_TEST_EXCLUDE)", len(out))
	}
	return kept, nil
}

// hidden reports a path inside a hidden folder or __pycache__.
func hidden(p string) bool {
	for _, part := range strings.Split(filepath.ToSlash(filepath.Dir(p)), "/") {
		if part == "__pycache__" || (strings.HasPrefix(part, ".") && part != "." && part != "..") {
			return true
		}
	}
	return false
}
