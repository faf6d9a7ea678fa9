// Package export writes MicroPython for one board's configuration as a
// self-contained source tree for a product's own firmware project: the
// sources the board compiles, the headers they include, the port (with the
// embedding API of port/embed), the generated headers, frozen_content.c,
// a manifest, and project fragments for CMake, Make and Keil µVision.
//
// A re-export rewrites only the files whose content changed, so an IDE
// rebuilds nothing when nothing changed, and removes the files that left
// the set (only files an earlier export wrote: the manifest lists them).
package export

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"mpforge/build"
	"mpforge/firmware"
)

// ManifestName is the manifest's file name in the export folder.
const ManifestName = "mpforge-manifest.json"

// The export's layout: the tree's files under micropython/, the port's
// under port/, generated headers under genhdr/ (the folder itself is an
// include folder, as out/<board>/ is for the firmware).
const (
	treeDir   = "micropython"
	portDir   = "port"
	frozenDir = "frozen"
)

// Manifest describes an export: what to compile and how.
type Manifest struct {
	Board       string   `json:"board"`
	MicroPython string   `json:"micropython"` // the tree's version (mpversion.h)
	Sources     []string `json:"sources"`     // to compile, relative to the folder
	Includes    []string `json:"includes"`    // include folders, relative to the folder
	Defines     []string `json:"defines"`     // NAME or NAME=VALUE
	Flags       []string `json:"flags"`       // the other compiler flags (GCC spelling)
	CPUFlags    []string `json:"cpu_flags"`   // the part of Flags the product's own code must share
	Files       []File   `json:"files"`       // every file written, fragments and manifest aside
}

// File is one exported file.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
}

// Result says what an export did; paths are relative to its folder.
type Result struct {
	Manifest  *Manifest
	Written   []string // new or changed, fragments and manifest included
	Removed   []string // left the set
	Unchanged int
	Bytes     int64 // size of the whole export
}

// Write exports the plan (a firmware.Plan with Embed set, after
// firmware.Generate) into dir.
func Write(plan *firmware.Plan, dir string) (*Result, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	old, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	files, m, err := collect(plan)
	if err != nil {
		return nil, err
	}
	res := &Result{Manifest: m}
	paths := sortedKeys(files)
	for _, rel := range paths {
		data := files[rel]
		sum := sha256.Sum256(data)
		m.Files = append(m.Files, File{Path: rel, SHA256: hex.EncodeToString(sum[:]), Size: len(data)})
	}
	fragments, err := fragments(m, filepath.Base(dir))
	if err != nil {
		return nil, err
	}
	for name, data := range fragments {
		files[name] = data
	}
	for _, rel := range sortedKeys(files) {
		wrote, err := build.WriteIfChanged(filepath.Join(dir, filepath.FromSlash(rel)), files[rel])
		if err != nil {
			return nil, err
		}
		if wrote {
			res.Written = append(res.Written, rel)
		} else {
			res.Unchanged++
		}
		res.Bytes += int64(len(files[rel]))
	}
	if old != nil {
		for _, f := range old.Files {
			if _, keep := files[f.Path]; !keep {
				if err := remove(dir, f.Path); err != nil {
					return nil, err
				}
				res.Removed = append(res.Removed, f.Path)
			}
		}
	}
	// The manifest last: an export killed half-way is redone in full next time.
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	data = append(data, '\n')
	wrote, err := build.WriteIfChanged(filepath.Join(dir, ManifestName), data)
	if err != nil {
		return nil, err
	}
	if wrote {
		res.Written = append(res.Written, ManifestName)
	} else {
		res.Unchanged++
	}
	res.Bytes += int64(len(data))
	return res, nil
}

// readManifest reads an earlier export's manifest. A folder that holds
// files but no manifest is refused: the export would mix with, and could
// overwrite, files that are not its own.
func readManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if len(entries) > 0 {
			return nil, fmt.Errorf("%s is not empty and holds no %s, so it is not an earlier export: give a new or empty folder", dir, ManifestName)
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m := new(Manifest)
	if err := json.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("%s: %w (delete the folder and export again)", filepath.Join(dir, ManifestName), err)
	}
	return m, nil
}

// remove deletes a file that left the set, and the folders it leaves empty.
func remove(dir, rel string) error {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for d := filepath.Dir(p); d != dir && strings.HasPrefix(d, dir); d = filepath.Dir(d) {
		if os.Remove(d) != nil { // not empty
			break
		}
	}
	return nil
}

// collect maps every exported path to its content and fills the
// manifest's compile description from the plan's flags.
func collect(plan *firmware.Plan) (map[string][]byte, *Manifest, error) {
	mapper := pathMapper{tree: plan.TreeDir(), port: filepath.Join(plan.Root(), "port"), out: plan.OutDir()}
	files := map[string][]byte{}
	add := func(src, rel string) error {
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		files[rel] = data
		return nil
	}
	m := &Manifest{Board: plan.Board().Name}
	for _, src := range plan.Sources {
		rel, ok := mapper.file(src)
		if src == plan.FrozenContent() {
			rel, ok = frozenDir+"/frozen_content.c", true
		}
		if !ok {
			return nil, nil, fmt.Errorf("source %s is neither in the MicroPython tree nor in port/: the export cannot place it", src)
		}
		if err := add(src, rel); err != nil {
			return nil, nil, err
		}
		m.Sources = append(m.Sources, rel)
	}
	included, err := plan.IncludedFiles()
	if err != nil {
		return nil, nil, err
	}
	for _, inc := range included {
		rel, ok := mapper.file(inc)
		if !ok {
			if mapper.inside(plan.Root(), inc) {
				return nil, nil, fmt.Errorf("a source includes %s, which is neither in the MicroPython tree nor in port/", inc)
			}
			continue // the compiler's own headers (newlib, arm_acle.h)
		}
		if err := add(inc, rel); err != nil {
			return nil, nil, err
		}
	}
	for _, gen := range plan.GeneratedHeaders() {
		if err := add(gen, "genhdr/"+filepath.Base(gen)); err != nil {
			return nil, nil, err
		}
	}
	if v, ok := version(files["genhdr/mpversion.h"]); ok {
		m.MicroPython = v
	}
	cpu := plan.Board().CPU.Flags
	for _, f := range plan.CompileFlags() {
		switch {
		case strings.HasPrefix(f, "-I"):
			p := strings.TrimPrefix(f, "-I")
			if !filepath.IsAbs(p) {
				p = filepath.Join(plan.Root(), p) // the compiler runs in the checkout
			}
			inc := mapper.dir(p)
			if inc != "" && hasFilesUnder(files, inc) {
				m.Includes = append(m.Includes, inc)
			}
		case strings.HasPrefix(f, "-D"):
			m.Defines = append(m.Defines, strings.TrimPrefix(f, "-D"))
		case strings.HasPrefix(f, "-ffile-prefix-map="):
			// where the checkout lies; meaningless in the export
		default:
			m.Flags = append(m.Flags, f)
			if slices.Contains(cpu, f) && !slices.Contains(m.CPUFlags, f) {
				m.CPUFlags = append(m.CPUFlags, f)
			}
		}
	}
	return files, m, nil
}

// pathMapper places files of the tree, the port and the plan's output
// folder in the export.
type pathMapper struct{ tree, port, out string }

func (pm pathMapper) inside(dir, p string) bool {
	r, err := filepath.Rel(dir, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, "../")
}

func (pm pathMapper) place(p string, allowRoot bool) (string, bool) {
	for _, base := range []struct{ dir, to string }{{pm.port, portDir}, {pm.tree, treeDir}, {pm.out, "."}} {
		if !pm.inside(base.dir, p) {
			continue
		}
		r, _ := filepath.Rel(base.dir, p)
		if r == "." {
			return base.to, allowRoot
		}
		return path.Join(base.to, filepath.ToSlash(r)), true
	}
	return "", false
}

func (pm pathMapper) file(p string) (string, bool) { return pm.place(p, false) }

// dir places an include folder ("" when it is none of the three).
func (pm pathMapper) dir(p string) string {
	d, _ := pm.place(filepath.Clean(p), true)
	return d
}

func hasFilesUnder(files map[string][]byte, dir string) bool {
	if dir == "." {
		return true
	}
	for f := range files {
		if strings.HasPrefix(f, dir+"/") {
			return true
		}
	}
	return false
}

// version reads the tree's tag from mpversion.h.
func version(h []byte) (string, bool) {
	for _, line := range strings.Split(string(h), "\n") {
		if v, ok := strings.CutPrefix(line, "#define MICROPY_GIT_TAG "); ok {
			return strings.TrimPrefix(strings.Trim(v, `"`), "v"), true
		}
	}
	return "", false
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
