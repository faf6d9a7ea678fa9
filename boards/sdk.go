package boards

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// SDK is a board's optional vendor-SDK build mode. When the environment
// variable Env names a folder (the SDK), the board is built with the vendor's
// startup, linker script and driver sources instead of its own bring-up.
// Startup, Sources, Includes and LDScript are relative to that folder; Board
// globs are relative to the board file, like [sources] board, and replace it.
type SDK struct {
	Env      string   `toml:"env"`
	Board    []string `toml:"board"`
	Sources  []string `toml:"sources"`
	Startup  string   `toml:"startup"`
	Includes []string `toml:"includes"`
	CFlags   []string `toml:"cflags"`
	LDScript string   `toml:"ldscript"`
}

// Configured reports whether the board can be built with a vendor SDK.
func (s SDK) Configured() bool { return s.Env != "" }

func (s SDK) empty() bool {
	return s.Env == "" && s.Startup == "" && s.LDScript == "" &&
		len(s.Board)+len(s.Sources)+len(s.Includes)+len(s.CFlags) == 0
}

// Compiled lists the SDK-relative files compiled in SDK mode, startup first.
func (s SDK) Compiled() []string { return append([]string{s.Startup}, s.Sources...) }

var (
	envName    = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
	vendorExts = []string{".c", ".s", ".S"}
)

// validateSDK checks the [sdk] table of a loaded board; fail reports one field.
func (l *loader) validateSDK(s SDK, fail func(field, format string, args ...any)) {
	if s.empty() {
		return
	}
	switch {
	case s.Env == "":
		fail("sdk.env", "required: the environment variable that points at the SDK, e.g. \"FR30XX_SDK\"")
	case !envName.MatchString(s.Env):
		fail("sdk.env", "want an environment variable name (capitals, digits and _), got %q", s.Env)
	}
	if len(s.Board) == 0 {
		fail("sdk.board", "required: the board's own sources in SDK mode (they replace [sources] board)")
	}
	l.checkGlobs("sdk.board", s.Board, fail)
	if s.Startup == "" {
		fail("sdk.startup", "required: the vendor's startup file (vector table, Reset_Handler), relative to the SDK")
	}
	if s.LDScript == "" {
		fail("sdk.ldscript", "required: the vendor's linker script, relative to the SDK")
	}
	inSDK := func(field, path string) {
		if !filepath.IsLocal(path) {
			fail(field, "%q: want a path inside the SDK, relative to it", path)
		}
	}
	compiled := func(field, path string) {
		inSDK(field, path)
		if !slices.Contains(vendorExts, filepath.Ext(path)) {
			fail(field, "%q: want a C (.c) or assembler (.s, .S) file", path)
		}
	}
	if s.Startup != "" {
		compiled("sdk.startup", s.Startup)
	}
	for _, f := range s.Sources {
		compiled("sdk.sources", f)
	}
	for _, inc := range s.Includes {
		inSDK("sdk.includes", inc)
	}
	if s.LDScript != "" {
		inSDK("sdk.ldscript", s.LDScript)
	}
}

// Check verifies that dir, the folder s.Env names, holds every file and
// folder the SDK mode reads, and says which are missing and where the
// right folder may be.
func (s SDK) Check(dir string) error {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s=%s: no such folder; point %s at the vendor SDK (the folder the board's [sdk] paths are relative to), or unset it to build without the SDK",
			s.Env, dir, s.Env)
	}
	missing := s.missing(dir)
	if len(missing) == 0 {
		return nil
	}
	var msg string
	if len(missing) == len(s.Compiled())+1+len(s.Includes) {
		msg = fmt.Sprintf("%s=%s holds none of the files the board's [sdk] table names, such as %s", s.Env, dir, missing[0])
	} else {
		const shown = 6
		list := strings.Join(missing[:min(len(missing), shown)], ", ")
		if len(missing) > shown {
			list += fmt.Sprintf(" and %d more", len(missing)-shown)
		}
		msg = fmt.Sprintf("%s=%s is not the SDK this board needs: missing %s", s.Env, dir, list)
	}
	if alt := s.locate(dir); alt != "" {
		msg += fmt.Sprintf("; %s holds them all: set %s=%s", alt, s.Env, alt)
	} else {
		msg += fmt.Sprintf("; point %s at the vendor SDK folder those paths are relative to, or unset it to build without the SDK", s.Env)
	}
	return errors.New(msg)
}

// missing lists what dir lacks, SDK-relative; folders end in "/".
func (s SDK) missing(dir string) []string {
	var out []string
	for _, f := range append(s.Compiled(), s.LDScript) {
		if !fileExists(filepath.Join(dir, f)) {
			out = append(out, f)
		}
	}
	for _, inc := range s.Includes {
		if fi, err := os.Stat(filepath.Join(dir, inc)); err != nil || !fi.IsDir() {
			out = append(out, inc+"/")
		}
	}
	return out
}

// locate looks for the right folder near a wrong one: the usual mistakes
// are the SDK's top folder or one of its subfolders instead of the one the
// board file's paths start from.
func (s SDK) locate(dir string) string {
	candidates := []string{filepath.Dir(dir), filepath.Dir(filepath.Dir(dir))}
	level := []string{dir}
	const most = 200 // folders looked at, so that a wrong path to a huge tree stays quick
	for depth := 0; depth < 3; depth++ {
		var next []string
		for _, d := range level {
			entries, _ := os.ReadDir(d)
			for _, e := range entries {
				if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && len(candidates)+len(next) < most {
					next = append(next, filepath.Join(d, e.Name()))
				}
			}
		}
		candidates = append(candidates, next...)
		level = next
	}
	for _, c := range candidates {
		if c != dir && len(s.missing(c)) == 0 {
			return c
		}
	}
	return ""
}
