// Package compdb reads which sources a product's own project compiles, and
// with which flags, for the header-only mode (mage genhdr): a compilation
// database (compile_commands.json, as CMake, Bear and many IDEs write it)
// or a plain sources file (mpforge-sources.txt, which an export writes).
package compdb

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"mpforge/firmware"
)

// Names looked for in a project folder, in this order.
const (
	DatabaseName = "compile_commands.json"
	SourcesName  = "mpforge-sources.txt"
)

// Find returns the compilation database or sources file in dir.
func Find(dir string) (string, error) {
	for _, name := range []string{DatabaseName, SourcesName} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s holds neither %s nor %s: write one (see docs/embed.md) or name yours in MPFORGE_SOURCES", dir, DatabaseName, SourcesName)
}

// Read reads a .json file as a compilation database, any other as a sources file.
func Read(path string) ([]firmware.ExternalSource, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("sources list %s does not exist", path)
		}
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	var srcs []firmware.ExternalSource
	if strings.HasSuffix(path, ".json") {
		srcs, err = database(data, filepath.Dir(abs))
	} else {
		srcs, err = sourcesFile(data, filepath.Dir(abs))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("%s names no C sources", path)
	}
	return srcs, nil
}

type entry struct {
	Directory string   `json:"directory"`
	File      string   `json:"file"`
	Arguments []string `json:"arguments"`
	Command   string   `json:"command"`
}

func database(data []byte, base string) ([]firmware.ExternalSource, error) {
	var entries []entry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("not a compilation database (a JSON list of {directory, file, arguments|command}): %w", err)
	}
	var srcs []firmware.ExternalSource
	for i, e := range entries {
		argv := e.Arguments
		if len(argv) == 0 {
			var err error
			if argv, err = split(e.Command); err != nil {
				return nil, fmt.Errorf("entry %d (%s): %w", i, e.File, err)
			}
		}
		if e.File == "" || len(argv) == 0 {
			return nil, fmt.Errorf("entry %d has no file or no command", i)
		}
		dir := e.Directory
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(base, dir)
		}
		if !strings.HasSuffix(e.File, ".c") {
			continue // assembler and C++ register nothing with MicroPython
		}
		srcs = append(srcs, firmware.ExternalSource{File: absPath(dir, e.File), Flags: flags(argv[1:], dir, e.File)})
	}
	return srcs, nil
}

// flags keeps what decides how a file preprocesses: everything but the
// source, the output and the depfile options; paths made absolute.
func flags(args []string, dir, file string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-c" || a == "-MD" || a == "-MMD" || a == "-MP" || a == file || absPath(dir, a) == absPath(dir, file):
		case a == "-o" || a == "-MF" || a == "-MT" || a == "-MQ":
			i++ // and its argument
		case strings.HasPrefix(a, "-o"):
		case a == "-I" || a == "-isystem" || a == "-iquote" || a == "-idirafter" || a == "-include":
			if i+1 < len(args) {
				out = append(out, a, absPath(dir, args[i+1]))
				i++
			}
		default:
			out = append(out, absFlag(a, dir))
		}
	}
	return out
}

func absPath(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	if p != "" && os.IsPathSeparator(p[0]) {
		// Windows: a path from the root without a drive (/opt/inc) is on
		// the drive of the folder the compiler runs in, not inside it.
		return filepath.Clean(filepath.VolumeName(dir) + p)
	}
	return filepath.Join(dir, p)
}

// absFlag makes the path of a joined path flag (-Ifoo) absolute.
func absFlag(flag, dir string) string {
	for _, prefix := range []string{"-I", "-isystem", "-iquote", "-idirafter"} {
		if p, ok := strings.CutPrefix(flag, prefix); ok && p != "" {
			return prefix + absPath(dir, p)
		}
	}
	return flag
}

// split splits a command line the way a POSIX shell would for plain words,
// quotes and backslashes (no expansions: a database holds literal commands).
func split(cmd string) ([]string, error) {
	var argv []string
	var cur strings.Builder
	inWord, quote := false, byte(0)
	for i := 0; i < len(cmd); i++ {
		c := cmd[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case quote == '"':
			if c == '"' {
				quote = 0
			} else if c == '\\' && i+1 < len(cmd) && strings.IndexByte(`"\$`+"`", cmd[i+1]) >= 0 {
				i++
				cur.WriteByte(cmd[i])
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == '\\' && i+1 < len(cmd):
			i++
			cur.WriteByte(cmd[i])
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				argv = append(argv, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote in command %q", quote, cmd)
	}
	if inWord {
		argv = append(argv, cur.String())
	}
	return argv, nil
}

// sourcesFile reads the plain format: '#' starts a comment line; a line
// starting with '-' holds compiler flags (split on spaces; paths in -I and
// the like relative to the file), which apply to every source; any other
// line is a C source, relative to the file.
func sourcesFile(data []byte, base string) ([]firmware.ExternalSource, error) {
	var files, fl []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "-"):
			words := strings.Fields(line)
			fl = append(fl, flags(words, base, "")...)
		case strings.HasSuffix(line, ".c"):
			files = append(files, absPath(base, line))
		default:
			return nil, fmt.Errorf("line %d: %q is neither a flag (-...) nor a C source (.c)", n, line)
		}
	}
	srcs := make([]firmware.ExternalSource, len(files))
	for i, f := range files {
		srcs[i] = firmware.ExternalSource{File: f, Flags: fl}
	}
	return srcs, nil
}
